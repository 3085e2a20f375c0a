import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  accountKeys,
  auditRows,
  cliActor,
  cliFor,
  jsonOf,
  requireBuiltCli,
  runProcess,
  siteFor,
} from './support/run-cli'

const { temp, dataDir, cli } = siteFor('accounts')
const strong = 'Orbit lantern 7 meadow'

interface AccountList {
  accounts: Record<string, unknown>[]
  total: number
}

async function create(name: string, extra: string[] = [], password = strong) {
  return cli(['account', 'create', name, ...extra, '--password-stdin', '--json'], { input: `${password}\n` })
}

async function listJson(extra: string[] = []): Promise<AccountList> {
  const run = await cli(['account', 'list', '--json', ...extra])
  expect(run.code).toBe(0)
  return jsonOf(run) as AccountList
}

beforeAll(async () => {
  requireBuiltCli({ keyring: true })
  const init = await cli(['init', '--admin', 'alice', '--email', 'alice@example.org'], { input: `${strong}\n` })
  expect(init.code).toBe(0)
})
afterAll(() => temp.remove())

describe('keyhold account create / list / show', () => {
  it('refuses account commands in a folder that is not set up, without creating it', async () => {
    const empty = join(temp.path, 'never-set-up')
    const run = await cliFor(empty)(['account', 'create', 'bob', '--password-stdin', '--json'], {
      input: `${strong}\n`,
    })
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/^error: SETUP_REQUIRED: Keyhold is not set up in /)
    expect(run.stderr).toContain('fix: Create the first administrator with: keyhold init --admin NAME')
    expect(jsonOf(run)).toEqual({ error: { code: 'SETUP_REQUIRED', message: `Keyhold is not set up in ${empty}` } })
    expect(existsSync(empty)).toBe(false)
  })

  it('creates a user with a display name, email and phone (stored as E.164)', async () => {
    const run = await create('bob', [
      '--display-name',
      'Bob Builder',
      '--email',
      'bob@example.org',
      '--phone',
      '+44 20 7946 0958',
    ])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    const account = jsonOf(run) as Record<string, unknown>
    expect(Object.keys(account)).toEqual([...accountKeys])
    expect(account).toMatchObject({
      username: 'bob',
      displayName: 'Bob Builder',
      email: 'bob@example.org',
      phone: '+442079460958',
      role: 'user',
      disabled: false,
      locked: false,
      lastSignInAt: null,
    })
  })

  it('creates an administrator with --admin', async () => {
    const run = await create('carol', ['--admin'])
    expect(run.code).toBe(0)
    expect(jsonOf(run)).toMatchObject({ username: 'carol', displayName: 'carol', role: 'admin' })
  })

  it('account show --json prints exactly the account keys', async () => {
    const run = await cli(['account', 'show', 'BOB', '--json'])
    expect(run.code).toBe(0)
    const account = jsonOf(run) as Record<string, unknown>
    expect(Object.keys(account)).toEqual([...accountKeys])
    expect(account.username).toBe('bob')
  })

  it('account list --json prints {accounts, total} with exactly the account keys, sorted by username', async () => {
    const run = await cli(['account', 'list', '--json'])
    expect(run.code).toBe(0)
    const list = jsonOf(run) as AccountList
    expect(Object.keys(list)).toEqual(['accounts', 'total'])
    expect(list.total).toBe(3)
    expect(list.accounts.map((a) => a.username)).toEqual(['alice', 'bob', 'carol'])
    for (const account of list.accounts) expect(Object.keys(account)).toEqual([...accountKeys])
    // No hash, counter or internal id ever leaves through the CLI.
    expect(run.stdout).not.toMatch(/argon2|password|failed|"id"/i)
  })

  it('S1: refuses a weak password with WEAK_PASSWORD, exit 1, and creates nothing', async () => {
    const run = await create('dave', [], 'tooshort')
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/^error: WEAK_PASSWORD: Password must be at least 15 characters/)
    expect(jsonOf(run)).toEqual({ error: { code: 'WEAK_PASSWORD', message: expect.any(String) } })
    expect((await cli(['account', 'show', 'dave'])).code).toBe(1)
    expect((await listJson()).total).toBe(3)
  })

  it('S2: refuses a password that contains the username, and a common one', async () => {
    const context = await create('dave', [], 'my name is dave and that is fine')
    expect(context.code).toBe(1)
    expect(context.stderr).toMatch(/^error: WEAK_PASSWORD: Password must not contain the app name, your username/)
    const common = await create('dave', [], 'passwordpassword')
    expect(common.code).toBe(1)
    expect(common.stderr).toMatch(/^error: WEAK_PASSWORD: This password is one of the most commonly used passwords/)
    expect((await listJson()).total).toBe(3)
  })

  it('refuses a duplicate username, whatever its case, with CONFLICT', async () => {
    const run = await create('BoB')
    expect(run.code).toBe(1)
    expect(run.stderr).toBe('error: CONFLICT: An account named "BoB" already exists\n')
    expect(jsonOf(run)).toEqual({ error: { code: 'CONFLICT', message: 'An account named "BoB" already exists' } })
  })

  it('refuses a bad phone number or email with VALIDATION', async () => {
    const phone = await create('erin', ['--phone', '12345'])
    expect(phone.code).toBe(1)
    expect(phone.stderr).toMatch(/^error: VALIDATION: /)
    expect(jsonOf(phone)).toMatchObject({ error: { code: 'VALIDATION' } })
    const email = await create('erin', ['--email', 'erin@'])
    expect(email.code).toBe(1)
    expect(email.stderr).toMatch(/^error: VALIDATION: --email: /)
    expect((await cli(['account', 'show', 'erin'])).code).toBe(1)
  })

  it('searches by the start of a username, display name or email', async () => {
    expect((await listJson(['--search', 'b'])).accounts.map((a) => a.username)).toEqual(['bob'])
    expect((await listJson(['--search', 'Bob Bu'])).accounts.map((a) => a.username)).toEqual(['bob'])
    expect((await listJson(['--search', 'alice@'])).accounts.map((a) => a.username)).toEqual(['alice'])
    expect(await listJson(['--search', 'zzz'])).toEqual({ accounts: [], total: 0 })
  })

  it('pages with --limit and --offset; total counts every match', async () => {
    const page = await listJson(['--limit', '1', '--offset', '1'])
    expect(page.total).toBe(3)
    expect(page.accounts.map((a) => a.username)).toEqual(['bob'])
    const last = await listJson(['--limit', '2', '--offset', '2'])
    expect(last.accounts.map((a) => a.username)).toEqual(['carol'])
  })

  it('prints a readable, aligned table', async () => {
    const run = await cli(['account', 'list'])
    expect(run.code).toBe(0)
    const lines = run.stdout.trimEnd().split('\n')
    expect(lines[0]).toMatch(/^USERNAME +DISPLAY NAME +ROLE +STATUS +EMAIL +PHONE +LAST SIGN-IN$/)
    const rows = lines.slice(1, 4)
    expect(rows.map((r) => r.split(/ {2,}/)[0])).toEqual(['alice', 'bob', 'carol'])
    for (const column of ['ROLE', 'STATUS', 'EMAIL']) {
      const at = lines[0]!.indexOf(column)
      for (const row of rows) expect(row[at - 1]).toBe(' ')
      for (const row of rows) expect(row[at]).not.toBe(' ')
    }
    expect(rows[1]).toContain('Bob Builder')
    expect(rows[1]).toContain('+442079460958')
    expect(lines.at(-1)).toBe('3 accounts')
    const page = await cli(['account', 'list', '--limit', '1'])
    expect(page.stdout.trimEnd().split('\n').at(-1)).toBe('Account 1 of 3; more with --offset 1')
  })

  it('shows one account as aligned "key: value" lines', async () => {
    const run = await cli(['account', 'show', 'bob'])
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(
      /^Username: {6}bob\nDisplay name: {2}Bob Builder\nEmail: {9}bob@example.org\nPhone: {9}\+442079460958\nRole: {10}user\nStatus: {8}active\n/,
    )
    expect(run.stdout).toContain('Last sign-in:  never\n')
  })

  it('shows control characters in a display name escaped, not raw (terminal injection)', async () => {
    const run = await create('frank', ['--display-name', 'Frank \u001b[2J\u001b[31mX'])
    expect(run.code).toBe(0)
    const human = await cli(['account', 'show', 'frank'])
    expect(human.stdout).toContain('Display name:  Frank \\u{1b}[2J\\u{1b}[31mX')
    expect(human.stdout).not.toContain('\u001b')
    // --json keeps the exact value (JSON escapes it).
    expect(jsonOf(await cli(['account', 'show', 'frank', '--json']))).toMatchObject({
      displayName: 'Frank \u001b[2J\u001b[31mX',
    })
  })

  it('answers NOT_FOUND (exit 1) for an unknown account', async () => {
    const run = await cli(['account', 'show', 'nobody', '--json'])
    expect(run.code).toBe(1)
    expect(run.stderr).toBe('error: NOT_FOUND: No account named "nobody"\n')
    expect(jsonOf(run)).toEqual({ error: { code: 'NOT_FOUND', message: 'No account named "nobody"' } })
  })

  it('finds the data folder through KEYHOLD_DATA_DIR when --data-dir is not given', async () => {
    const run = await runProcess(['account', 'list', '--json'], { env: { KEYHOLD_DATA_DIR: dataDir } })
    expect(run.code).toBe(0)
    expect((jsonOf(run) as AccountList).total).toBe(4)
  })

  it('S15: every change is audited as cli:<os user>; refused attempts change nothing', () => {
    const rows = auditRows(dataDir)
    expect(rows.map((r) => r.event)).toEqual([
      'setup.first-admin',
      'account.created',
      'account.created',
      'account.created',
    ])
    expect(new Set(rows.map((r) => r.actor))).toEqual(new Set([cliActor]))
  })
})
