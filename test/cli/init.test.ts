import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createArgon2PasswordHasher } from '../../electron/main/adapters/crypto/argon2-password-hasher'
import {
  accountKeys,
  auditRows,
  cliActor,
  cliFor,
  jsonOf,
  makeTempDir,
  requireBuiltCli,
  siteFor,
  withDatabase,
} from './support/run-cli'

const { temp, dataDir, cli } = siteFor('init')
const password = 'Tulip mirror 42 canyon'

beforeAll(() => requireBuiltCli({ keyring: true }))
afterAll(() => temp.remove())

function storedHash(username: string): string {
  return withDatabase(
    dataDir,
    (db) =>
      db
        .prepare<[string], { password_hash: string }>('SELECT password_hash FROM accounts WHERE username = ?')
        .get(username)!.password_hash,
  )
}

describe('keyhold init', () => {
  it('refuses an empty stdin as a usage error and creates nothing', async () => {
    const run = await cli(['init', '--admin', 'alice'], { input: '' })
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/^error: USAGE: no password on stdin/)
    expect(run.stderr).toContain('usage: keyhold init --admin NAME')
    expect(existsSync(dataDir)).toBe(false)
  })

  it('S1: refuses a short password with WEAK_PASSWORD and creates no account', async () => {
    const run = await cli(['init', '--admin', 'alice', '--json'], { input: 'short pass\n' })
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/^error: WEAK_PASSWORD: Password must be at least 15 characters/)
    expect(jsonOf(run)).toEqual({ error: { code: 'WEAK_PASSWORD', message: expect.stringContaining('15 characters') } })
    expect(withDatabase(dataDir, (db) => db.prepare('SELECT count(*) AS n FROM accounts').get())).toEqual({ n: 0 })
  })

  it('rejects an invalid username or email with VALIDATION', async () => {
    const badName = await cli(['init', '--admin', 'a b'], { input: `${password}\n` })
    expect(badName.code).toBe(1)
    expect(badName.stderr).toMatch(/^error: VALIDATION: username: /)
    const badEmail = await cli(['init', '--admin', 'alice', '--email', 'not-an-address'], { input: `${password}\n` })
    expect(badEmail.code).toBe(1)
    expect(badEmail.stderr).toMatch(/^error: VALIDATION: --email: Enter a valid email address/)
  })

  it('creates the first administrator from the password on stdin', async () => {
    const run = await cli(
      ['init', '--admin', 'alice', '--display-name', 'Alice Liddell', '--email', 'alice@example.org', '--json'],
      {
        input: `${password}\n`,
      },
    )
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    const account = jsonOf(run) as Record<string, unknown>
    expect(Object.keys(account)).toEqual([...accountKeys])
    expect(account).toMatchObject({
      username: 'alice',
      displayName: 'Alice Liddell',
      email: 'alice@example.org',
      phone: null,
      role: 'admin',
      disabled: false,
      locked: false,
      lastSignInAt: null,
    })
    expect(Date.parse(account.createdAt as string)).not.toBeNaN()
  })

  it('S1/S3: strips exactly one trailing newline from stdin and stores only an Argon2id hash', async () => {
    const hash = storedHash('alice')
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/)
    expect(hash).not.toContain(password)
    const hasher = createArgon2PasswordHasher()
    expect(hasher.verifySync(hash, password)).toBe(true)
    expect(hasher.verifySync(hash, `${password}\n`)).toBe(false)
  })

  it('refuses a second init with SETUP_DONE (exit 1) and leaves the one account', async () => {
    const run = await cli(['init', '--admin', 'mallory', '--json'], { input: `${password}\n` })
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/^error: SETUP_DONE: /)
    expect(jsonOf(run)).toEqual({
      error: { code: 'SETUP_DONE', message: 'Keyhold is already set up; sign in instead' },
    })
    const list = jsonOf(await cli(['account', 'list', '--json'])) as { total: number }
    expect(list.total).toBe(1)
  })

  it('prints a readable line without --json', async () => {
    const other = makeTempDir('init-human')
    try {
      const run = await cliFor(join(other.path, 'data'))(['init', '--admin', 'root-admin'], {
        input: `${password}\r\n`,
      })
      expect(run.code).toBe(0)
      expect(run.stdout).toBe(`Created the administrator "root-admin" in ${join(other.path, 'data')}.\n`)
    } finally {
      other.remove()
    }
  })

  it('S15: audits the setup with the actor cli:<os user>', () => {
    expect(auditRows(dataDir)).toEqual([{ actor: cliActor, event: 'setup.first-admin', account_id: 1 }])
  })
})
