import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSmtpPeer, type SmtpPeer } from '../peers/smtp-peer'
import { codeIn, okJson, requireOathtool } from './support/mfa-cli'
import { addTotp, authHarness, expectExit, oathtoolCodeAt, setPolicy } from './support/operators'
import { cliActor, jsonOf, requireBuiltCli, siteFor } from './support/run-cli'
import { emailProviderArgs, initSite } from './support/site-setup'

/**
 * `keyhold auth NAME` with a second factor (S14): the window's sign-in
 * challenge on the pending session, then sign-out. TOTP codes come from
 * oathtool; an email method is confirmed through a real SMTP server.
 */
const { temp, dataDir } = siteFor('auth-mfa')
const { cli, auth, failures, auditOf, liveSessions } = authHarness(dataDir)
const strong = 'Orbit lantern 7 meadow'
let smtp: SmtpPeer
let tina: { secret: string; recoveryCodes: string[] }
let tom: { secret: string; recoveryCodes: string[] }

beforeAll(async () => {
  requireBuiltCli({ keyring: true })
  requireOathtool()
  smtp = await startSmtpPeer()
  await initSite(cli, strong, 'alice', ['tina', 'tom', 'emma'])
  expect((await cli(emailProviderArgs(smtp))).code).toBe(0)
  // S13: three failures lock, so the lockout case is short.
  await setPolicy(cli, { lockoutThreshold: 3 })
  tina = await addTotp(cli, 'tina')
  tom = await addTotp(cli, 'tom')
}, 60_000)
afterAll(async () => {
  await smtp?.close()
  temp.remove()
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
    // S7: the same code is refused the second time, named as a replay rather than as wrong (exit 1 all the same).
    const replay = await auth('tina', `${strong}\n${code}\n`)
    expectExit(replay, 1, 'CODE_REUSED')
    expect(replay.stderr).toContain('This code was just used. Wait for the next one.')
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
