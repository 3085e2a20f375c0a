import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { requireOathtool } from './support/mfa-cli'
import { addTotp, authHarness, expectExit, setPolicy } from './support/operators'
import { cliActor, jsonOf, requireBuiltCli, siteFor } from './support/run-cli'
import { initSite } from './support/site-setup'

/**
 * `keyhold auth NAME`, Keyhold as the machine's authenticator: the password
 * cases and the policy. Exit 0 right, 1 wrong, 2 usage, 3 locked out, 4 MFA
 * required but not set up; the second factor is in operators-auth-mfa.test.ts.
 */
const { temp, dataDir } = siteFor('auth')
const { cli, auth, failures, auditOf, liveSessions } = authHarness(dataDir)
const strong = 'Orbit lantern 7 meadow'
let tina: { secret: string; recoveryCodes: string[] }

beforeAll(async () => {
  requireBuiltCli({ keyring: true })
  requireOathtool()
  await initSite(cli, strong, 'alice', ['paula', 'lars', 'dora', 'tina'])
  // S13: three failures lock, so the lockout case is short.
  await setPolicy(cli, { lockoutThreshold: 3 })
  tina = await addTotp(cli, 'tina')
}, 60_000)
afterAll(() => temp.remove())

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

  it('S26: an unknown name answers as a known one, and locks after as many tries, each a new process', async () => {
    for (const attempt of [1, 2]) {
      const known = await auth('lars', `wrong ${attempt}\n`)
      const unknown = await auth('nobody-here', `wrong ${attempt}\n`)
      expectExit(unknown, 1, 'INVALID_CREDENTIALS')
      expect(unknown.stderr).toBe(known.stderr)
      expect(jsonOf(unknown)).toEqual(jsonOf(known))
    }
    const knownLock = await auth('lars', 'wrong 3\n')
    const unknownLock = await auth('nobody-here', 'wrong 3\n')
    expectExit(unknownLock, 3, 'LOCKED')
    expect(unknownLock.stderr.split(' until ')[0]).toBe(knownLock.stderr.split(' until ')[0])
    // Locked: exit 3 whatever was typed, for both.
    expectExit(await auth('lars', `${strong}\n`), 3, 'LOCKED')
    expectExit(await auth('nobody-here', `${strong}\n`), 3, 'LOCKED')
    expect((await cli(['account', 'unlock', 'lars'])).code).toBe(0)
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
