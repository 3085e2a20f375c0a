import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSmtpPeer, type SmtpPeer } from '../peers/smtp-peer'
import { codeIn, okJson, requireOathtool } from './support/mfa-cli'
import { addTotp, oathtoolCodeAt, setPolicy } from './support/operators'
import { cliActor, cliFor, jsonOf, makeTempDir, requireBuiltCli, withDatabase, type CliRun } from './support/run-cli'

/**
 * `keyhold auth NAME`, Keyhold as the machine's authenticator: every exit
 * status it promises (0 right, 1 wrong, 2 usage, 3 locked out, 4 MFA required
 * but not set up), through the real built CLI, with TOTP codes from oathtool
 * and an email method confirmed through a real SMTP server.
 */
const temp = makeTempDir('auth')
const dataDir = join(temp.path, 'data')
const cli = cliFor(dataDir)
const strong = 'Orbit lantern 7 meadow'
let smtp: SmtpPeer
let tina: { secret: string; recoveryCodes: string[] }
let tom: { secret: string; recoveryCodes: string[] }

function auth(name: string, input: string, json = true): Promise<CliRun> {
  return cli(['auth', name, ...(json ? ['--json'] : [])], { input })
}

function failures(name: string): number {
  return withDatabase(dataDir, (db) =>
    db.prepare<[string], { n: number }>('SELECT failed_attempts AS n FROM accounts WHERE username = ?').get(name),
  )!.n
}

function auditOf(name: string): { actor: string; event: string }[] {
  return withDatabase(dataDir, (db) =>
    db
      .prepare<[string], { actor: string; event: string }>(
        'SELECT actor, event FROM audit_log WHERE account_id = (SELECT id FROM accounts WHERE username = ?) ORDER BY id',
      )
      .all(name),
  )
}

function liveSessions(name: string): number {
  return withDatabase(dataDir, (db) =>
    db
      .prepare<[string], { n: number }>(
        'SELECT count(*) AS n FROM sessions WHERE ended_at IS NULL AND account_id = (SELECT id FROM accounts WHERE username = ?)',
      )
      .get(name),
  )!.n
}

function expectExit(run: CliRun, code: number, error?: string): void {
  expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(code)
  if (error !== undefined) {
    expect(run.stderr).toMatch(new RegExp(`^error: ${error}: `))
    expect(jsonOf(run)).toMatchObject({ error: { code: error } })
  }
}

beforeAll(async () => {
  requireBuiltCli({ keyring: true })
  requireOathtool()
  smtp = await startSmtpPeer()
  expect((await cli(['init', '--admin', 'alice'], { input: `${strong}\n` })).code).toBe(0)
  for (const name of ['paula', 'tina', 'tom', 'lars', 'emma', 'dora']) {
    expect((await cli(['account', 'create', name, '--password-stdin'], { input: `${strong}\n` })).code).toBe(0)
  }
  const email = ['provider', 'set', 'email', '--host', smtp.host, '--port', String(smtp.port)]
  expect((await cli([...email, '--security', 'none', '--from', 'keyhold@example.org'])).code).toBe(0)
  // S13: three failures lock, so the lockout cases are short.
  await setPolicy(cli, { lockoutThreshold: 3 })
  tina = await addTotp(cli, 'tina')
  tom = await addTotp(cli, 'tom')
}, 60_000)
afterAll(async () => {
  await smtp?.close()
  temp.remove()
})

describe('keyhold auth: the password', () => {
  it('exit 0 for the right password of an account without MFA; the session is signed out again', async () => {
    const run = await auth('paula', `${strong}\n`)
    expect(run.stderr).toBe('')
    expectExit(run, 0)
    expect(jsonOf(run)).toEqual({ authenticated: true, username: 'paula', factor: 'password' })
    expect(liveSessions('paula')).toBe(0)
    // S15/S22: audited as the OS user who ran it, and the account it was for, through the window's events.
    const rows = auditOf('paula').filter((r) => r.event.startsWith('sign-'))
    expect(rows).toEqual([
      { actor: `${cliActor}:paula`, event: 'sign-in.succeeded' },
      { actor: `${cliActor}:paula`, event: 'sign-out' },
    ])
    const human = await auth('paula', `${strong}\n`, false)
    expect(human.stdout).toBe('"paula" is authenticated (password).\n')
  })

  it('exit 1 for a wrong password (S13: it counts) or an unknown account', async () => {
    const before = failures('paula')
    expectExit(await auth('paula', 'not the password\n'), 1, 'INVALID_CREDENTIALS')
    expect(failures('paula')).toBe(before + 1)
    expectExit(await auth('nobody', `${strong}\n`), 1, 'INVALID_CREDENTIALS')
    // The right password clears the count of an account without MFA.
    expectExit(await auth('paula', `${strong}\n`), 0)
    expect(failures('paula')).toBe(0)
  })

  it('exit 2 without a password on stdin, or with more lines than a password and a code', async () => {
    const none = await auth('paula', '', false)
    expect(none.code).toBe(2)
    expect(none.stderr).toMatch(/^error: USAGE: no password: put it on the first line of stdin/)
    expect((await auth('paula', `${strong}\n123456\nextra\n`, false)).code).toBe(2)
    expect((await cli(['auth'])).code).toBe(2)
  })

  it('exit 1 for a disabled account, even with the right password', async () => {
    expect((await cli(['account', 'disable', 'dora'])).code).toBe(0)
    expectExit(await auth('dora', `${strong}\n`), 1, 'ACCOUNT_DISABLED')
    expect((await cli(['account', 'enable', 'dora'])).code).toBe(0)
  })

  it('S13: exit 3 once the account is locked, also for the right password afterwards', async () => {
    expectExit(await auth('lars', 'wrong 1\n'), 1, 'INVALID_CREDENTIALS')
    expectExit(await auth('lars', 'wrong 2\n'), 1, 'INVALID_CREDENTIALS')
    const locking = await auth('lars', 'wrong 3\n')
    expectExit(locking, 3, 'LOCKED')
    expectExit(await auth('lars', `${strong}\n`), 3, 'LOCKED')
    expect(auditOf('lars').map((r) => r.event)).toContain('account.locked')
    expect((await cli(['account', 'unlock', 'lars'])).code).toBe(0)
    expectExit(await auth('lars', `${strong}\n`), 0)
  })
})

describe('keyhold auth: the second factor (S14: the sign-in challenge, then sign-out)', () => {
  it('exit 0 for the password and a code from the authenticator app', async () => {
    // One step ahead: the setup consumed the current step (S7).
    const code = oathtoolCodeAt(tina.secret, 30)
    const run = await auth('tina', `${strong}\n${code}\n`)
    expectExit(run, 0)
    expect(jsonOf(run)).toEqual({ authenticated: true, username: 'tina', factor: 'totp' })
    expect(liveSessions('tina')).toBe(0)
    const events = auditOf('tina').slice(-3)
    expect(events).toEqual([
      { actor: `${cliActor}:tina`, event: 'sign-in.password-accepted' },
      { actor: `${cliActor}:tina`, event: 'sign-in.succeeded' },
      { actor: `${cliActor}:tina`, event: 'sign-out' },
    ])
    // S7: the same code is refused the second time.
    expectExit(await auth('tina', `${strong}\n${code}\n`), 1, 'INVALID_CODE')
  })

  it('exit 1 with the right password alone: the code is owed, and nothing stays signed in', async () => {
    const run = await auth('tina', `${strong}\n`)
    expectExit(run, 1, 'INVALID_CODE')
    expect(run.stderr).toContain(
      'give a code from the authenticator app or a recovery code on the line after the password',
    )
    expect(liveSessions('tina')).toBe(0)
  })

  it('exit 1 for a wrong code, counted once in the shared failure counter (S13)', async () => {
    // The replayed code above counted as a failure; start from zero, with the lockout three failures away.
    expect((await cli(['account', 'unlock', 'tina'])).code).toBe(0)
    const before = failures('tina')
    expect(before).toBe(0)
    expectExit(await auth('tina', `${strong}\n000000\n`), 1, 'INVALID_CODE')
    expect(failures('tina')).toBe(before + 1)
    expectExit(await auth('tina', 'wrong password\n000000\n'), 1, 'INVALID_CREDENTIALS')
    expect(failures('tina')).toBe(before + 2)
  })

  it('exit 0 for a recovery code (any case, with or without dashes); it works once (S12)', async () => {
    const [first] = tina.recoveryCodes
    const run = await auth('tina', `${strong}\n${first!.toLowerCase().replaceAll('-', ' ')}\n`)
    expectExit(run, 0)
    expect(jsonOf(run)).toEqual({
      authenticated: true,
      username: 'tina',
      factor: 'recovery-code',
      recoveryCodesRemaining: 9,
    })
    expect(failures('tina')).toBe(0)
    expectExit(await auth('tina', `${strong}\n${first}\n`), 1, 'INVALID_CODE')
  })

  it('S13: wrong codes after the right password lock the account: exit 3', async () => {
    expectExit(await auth('tom', `${strong}\n111111\n`), 1, 'INVALID_CODE')
    expectExit(await auth('tom', `${strong}\n222222\n`), 1, 'INVALID_CODE')
    expectExit(await auth('tom', `${strong}\n333333\n`), 3, 'LOCKED')
    // Locked: even the right code does not get in.
    expectExit(await auth('tom', `${strong}\n${oathtoolCodeAt(tom.secret, 30)}\n`), 3, 'LOCKED')
    expect(liveSessions('tom')).toBe(0)
  })

  it('exit 4 when the account has only email codes, which auth cannot check; a recovery code still works', async () => {
    const begin = okJson<{ enrollmentId: string }>(
      await cli(['mfa', 'enroll', 'begin', 'emma', '--type', 'email', '--email', 'emma@example.org', '--json']),
    )
    const code = codeIn((await smtp.waitForMessage('emma@example.org')).text)
    const verified = okJson<{ recoveryCodes: string[] }>(
      await cli(['mfa', 'enroll', 'verify', begin.enrollmentId, '--code', code, '--json']),
    )
    okJson(await cli(['mfa', 'enroll', 'enable', begin.enrollmentId, '--json']))
    const run = await auth('emma', `${strong}\n123456\n`)
    expectExit(run, 4, 'MFA_NOT_SET_UP')
    expect(run.stderr).toContain('fix: Add an authenticator app to "emma"')
    expectExit(await auth('emma', `${strong}\n${verified.recoveryCodes[0]}\n`), 0)
  })
})

describe('keyhold auth and the policy', () => {
  it('exit 4 when the policy requires MFA, the grace period is over and the account has none', async () => {
    await setPolicy(cli, {}, { user: { enforcement: 'required', gracePeriodDays: 0 } })
    const run = await auth('paula', `${strong}\n`)
    expectExit(run, 4, 'MFA_NOT_SET_UP')
    expect(run.stderr).toMatch(/requires multi-factor authentication, and "paula" has not set it up/)
    expect(liveSessions('paula')).toBe(0)
    // An account with MFA is not affected.
    expectExit(await auth('tina', `${strong}\n${tina.recoveryCodes[1]}\n`), 0)
  })

  it('during the grace period the password alone still passes (as in the window), with the deadline', async () => {
    await setPolicy(cli, {}, { user: { enforcement: 'required', gracePeriodDays: 7 } })
    const run = await auth('paula', `${strong}\n`)
    expectExit(run, 0)
    expect(jsonOf(run)).toMatchObject({
      factor: 'password',
      notice: expect.stringMatching(/^Multi-factor authentication is required from /),
    })
  })
})
