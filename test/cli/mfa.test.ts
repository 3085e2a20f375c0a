import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHttpPeer, type HttpPeer } from '../peers/http-peer'
import { startSmtpPeer, type SmtpPeer } from '../peers/smtp-peer'
import {
  codeIn,
  expectFailure,
  methodKeys,
  oathtoolCode,
  okJson,
  requireOathtool,
  totpSetupOf,
  type TotpSetup,
} from './support/mfa-cli'
import { auditRows, cliActor, jsonOf, requireBuiltCli, siteFor, withDatabase } from './support/run-cli'
import { emailProviderArgs, initSite } from './support/site-setup'

/**
 * `keyhold mfa …`, `recovery regenerate` and `account contact` against the
 * real built CLI, a real SMTP server and a loopback HTTP SMS API. TOTP codes
 * come from Debian's oathtool, an implementation independent of Keyhold's.
 */
const { temp, dataDir, cli } = siteFor('mfa')
const strong = 'Orbit lantern 7 meadow'
const bobMail = 'bob.codes@example.org'
const bobPhone = '+44 20 7946 0958'
const bobPhoneE164 = '+442079460958'

let smtp: SmtpPeer
let sms: HttpPeer

interface MethodJson {
  id: number
  type: string
  label: string
  destination: string | null
  preferred: boolean
  createdAt: string
  lastUsedAt: string | null
}
interface Overview {
  methods: MethodJson[]
  recoveryCodesRemaining: number
}

async function overview(name: string): Promise<Overview> {
  return okJson<Overview>(await cli(['mfa', 'list', name, '--json']))
}

async function beginTotp(name: string, extra: string[] = []): Promise<TotpSetup> {
  return totpSetupOf(await cli(['mfa', 'enroll', 'begin', name, '--type', 'totp', ...extra, '--json']))
}

/** Begin → verify with oathtool's code → enable; returns the new method and the recovery codes verify printed. */
async function addTotp(name: string): Promise<{ method: MethodJson; recoveryCodes: string[] | null }> {
  const setup = await beginTotp(name)
  const verified = okJson<{ recoveryCodes: string[] | null }>(
    await cli(['mfa', 'enroll', 'verify', setup.enrollmentId, '--code', oathtoolCode(setup.secret), '--json']),
  )
  const method = okJson<MethodJson>(await cli(['mfa', 'enroll', 'enable', setup.enrollmentId, '--json']))
  return { method, recoveryCodes: verified.recoveryCodes }
}

function smsCodeOf(request: { body: string }): { to: string; code: string } {
  const body = JSON.parse(request.body) as { to: string; text: string }
  return { to: body.to, code: codeIn(body.text) }
}

beforeAll(async () => {
  requireBuiltCli({ keyring: true })
  requireOathtool()
  ;[smtp, sms] = await Promise.all([startSmtpPeer(), startHttpPeer({ status: 200, body: 'queued' })])
  await initSite(cli, strong, 'alice', ['bob', 'carol', 'dave'])
  expect((await cli(emailProviderArgs(smtp))).code).toBe(0)
  const httpApi = ['--kind', 'http', '--method', 'POST', '--url', `${sms.url}/send`]
  const body = ['--body', '{"to":"{to}","text":"{text}"}']
  expect((await cli(['provider', 'set', 'sms', ...httpApi, ...body])).code).toBe(0)
})
afterAll(async () => {
  await Promise.all([smtp?.close(), sms?.close()])
  temp.remove()
})

describe('keyhold mfa list', () => {
  it('prints {methods: [], recoveryCodesRemaining: 0} for an account without methods', async () => {
    const run = await cli(['mfa', 'list', 'bob', '--json'])
    expect(okJson(run)).toEqual({ methods: [], recoveryCodesRemaining: 0 })
    const human = await cli(['mfa', 'list', 'bob'])
    expect(human.stdout).toBe('"bob" has no sign-in methods: multi-factor authentication is off.\n')
  })

  it('answers NOT_FOUND for an unknown account', async () => {
    const run = await cli(['mfa', 'list', 'nobody', '--json'])
    expectFailure(run, 'NOT_FOUND', /No account named "nobody"/)
    expect(jsonOf(run)).toEqual({ error: { code: 'NOT_FOUND', message: 'No account named "nobody"' } })
  })
})

describe('keyhold mfa enroll: authenticator app', () => {
  let setup: TotpSetup

  it('begin --json prints {enrollmentId, type, otpauthUri, secret, expiresAt} (S5: a 160-bit secret)', async () => {
    const run = await cli(['mfa', 'enroll', 'begin', 'bob', '--type', 'totp', '--json'])
    setup = totpSetupOf(run)
    const json = jsonOf(run) as Record<string, unknown>
    expect(Object.keys(json)).toEqual(['enrollmentId', 'type', 'otpauthUri', 'secret', 'expiresAt'])
    expect(json.type).toBe('totp')
    expect(setup.enrollmentId).toMatch(/^[0-9a-f]{32}$/)
    // S5: 20 random bytes for SHA1 are 32 Base32 characters.
    expect(setup.secret).toMatch(/^[A-Z2-7]{32}$/)
    expect(decodeURIComponent(setup.uri.pathname)).toBe('/Keyhold:bob')
    expect(setup.uri.searchParams.get('issuer')).toBe('Keyhold')
    expect(Date.parse(json.expiresAt as string)).toBeGreaterThan(Date.now())
  })

  it('S18: a pending setup is not a method', async () => {
    expect(await overview('bob')).toEqual({ methods: [], recoveryCodesRemaining: 0 })
  })

  it('a wrong code is INVALID_CODE, exit 1', async () => {
    const right = oathtoolCode(setup.secret)
    const wrong = String((Number(right) + 500_000) % 1_000_000).padStart(6, '0')
    const run = await cli(['mfa', 'enroll', 'verify', setup.enrollmentId, '--code', wrong, '--json'])
    expectFailure(run, 'INVALID_CODE', /That code is not right/)
  })

  it('S11: verify with the code oathtool computes prints the 10 recovery codes once', async () => {
    const run = await cli([
      'mfa',
      'enroll',
      'verify',
      setup.enrollmentId,
      '--code',
      oathtoolCode(setup.secret),
      '--json',
    ])
    const json = okJson<{ enrollmentId: string; recoveryCodes: string[] }>(run)
    expect(Object.keys(json)).toEqual(['enrollmentId', 'recoveryCodes'])
    expect(json.enrollmentId).toBe(setup.enrollmentId)
    expect(json.recoveryCodes).toHaveLength(10)
    expect(new Set(json.recoveryCodes).size).toBe(10)
    // S11: not valid before the method is enabled.
    expect((await overview('bob')).recoveryCodesRemaining).toBe(0)
  })

  it('enable prints the method; the first one is preferred, and the setup id is spent', async () => {
    const run = await cli(['mfa', 'enroll', 'enable', setup.enrollmentId, '--json'])
    const method = okJson<MethodJson>(run)
    expect(Object.keys(method)).toEqual([...methodKeys])
    expect(method).toMatchObject({
      type: 'totp',
      label: 'Authenticator app',
      destination: null,
      preferred: true,
      lastUsedAt: null,
    })
    const list = await overview('bob')
    expect(Object.keys(list)).toEqual(['methods', 'recoveryCodesRemaining'])
    expect(list.recoveryCodesRemaining).toBe(10)
    expect(list.methods).toEqual([method])
    for (const m of list.methods) expect(Object.keys(m)).toEqual([...methodKeys])
    expectFailure(await cli(['mfa', 'enroll', 'enable', setup.enrollmentId]), 'NOT_FOUND')
  })

  it('--algorithm sha512 --digits 8 --label: a 64-byte secret, and oathtool agrees on the 8-digit code', async () => {
    const sha = await beginTotp('dave', ['--algorithm', 'sha512', '--digits', '8', '--label', 'Work phone'])
    expect(sha.algorithm).toBe('SHA512')
    expect(sha.digits).toBe(8)
    // S5: 64 bytes are 103 Base32 characters without padding.
    expect(sha.secret).toHaveLength(103)
    const code = oathtoolCode(sha.secret, { algorithm: 'sha512', digits: 8 })
    expect(code).toMatch(/^\d{8}$/)
    okJson(await cli(['mfa', 'enroll', 'verify', sha.enrollmentId, '--code', code, '--json']))
    expect(okJson<MethodJson>(await cli(['mfa', 'enroll', 'enable', sha.enrollmentId, '--json']))).toMatchObject({
      label: 'Work phone',
      preferred: true,
    })
  })

  it('without --json prints a terminal QR code, the key in groups, and the next command', async () => {
    const run = await cli(['mfa', 'enroll', 'begin', 'carol', '--type', 'totp'])
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/[▄▀█]{7}/)
    const key = /^Key: +((?:[A-Z2-7]{4} )+[A-Z2-7]{1,4})$/m.exec(run.stdout)
    expect(key).not.toBeNull()
    expect(run.stdout).toMatch(/^Account: +Keyhold:carol$/m)
    expect(run.stdout).toMatch(/^Type: +time-based, SHA1, 6 digits, every 30 s$/m)
    const id = /keyhold mfa enroll verify ([0-9a-f]{32}) --code CODE/.exec(run.stdout)![1]!
    // The key as printed is enough to enroll (manual entry).
    const code = oathtoolCode(key![1]!.replaceAll(' ', ''))
    const verify = await cli(['mfa', 'enroll', 'verify', id, '--code', code])
    expect(verify.code).toBe(0)
    expect(verify.stdout).toContain(`make the method active with: keyhold mfa enroll enable ${id}`)
    expect(verify.stdout.match(/^ {2}\S+$/gm)).toHaveLength(10)
    const cancel = await cli(['mfa', 'enroll', 'cancel', id, '--json'])
    expect(okJson(cancel)).toEqual({ cancelled: id })
    // S18: a cancelled setup leaves no method and no recovery codes.
    expect(await overview('carol')).toEqual({ methods: [], recoveryCodesRemaining: 0 })
  })

  it('an unknown setup id is NOT_FOUND for send, verify, enable and cancel', async () => {
    const id = '0123456789abcdef0123456789abcdef'
    for (const args of [
      ['send', id],
      ['verify', id, '--code', '123456'],
      ['enable', id],
      ['cancel', id],
    ]) {
      const run = await cli(['mfa', 'enroll', ...args, '--json'])
      expectFailure(run, 'NOT_FOUND', /No setup has this id/)
      expect(run.stderr).toContain('fix: Start again with: keyhold mfa enroll begin NAME')
    }
  })

  it('refuses no --type, a bad --type, options of another type, a bad --digits or --algorithm', async () => {
    const none = await cli(['mfa', 'enroll', 'begin', 'bob'])
    expect(none.code).toBe(2)
    expect(none.stderr).toMatch(/^error: USAGE: mfa enroll begin needs --type totp, --type email or --type sms$/m)
    expect(none.stderr).toContain('usage: keyhold mfa enroll begin NAME --type totp')
    expect((await cli(['mfa', 'enroll', 'begin', 'bob', '--type', 'fax'])).stderr).toMatch(
      /^error: USAGE: --type must be totp, email or sms, not "fax"$/m,
    )
    const mixed = await cli(['mfa', 'enroll', 'begin', 'bob', '--type', 'totp', '--phone', bobPhone])
    expect(mixed.code).toBe(2)
    expect(mixed.stderr).toMatch(/^error: USAGE: --phone does not go with --type totp$/m)
    const digits = await cli(['mfa', 'enroll', 'begin', 'bob', '--type', 'totp', '--digits', '7'])
    expectFailure(digits, 'VALIDATION', /--digits: an authenticator app shows 6 or 8 digits/)
    const algorithm = await cli(['mfa', 'enroll', 'begin', 'bob', '--type', 'totp', '--algorithm', 'md5'])
    expectFailure(algorithm, 'VALIDATION', /--algorithm: /)
  })
})

describe('keyhold mfa enroll: email and SMS', () => {
  let emailMethod: MethodJson
  let smsMethod: MethodJson

  it('email: begin sends the code at once and prints {enrollmentId, type, sentTo, expiresAt, codeExpiresAt}', async () => {
    const run = await cli(['mfa', 'enroll', 'begin', 'bob', '--type', 'email', '--email', bobMail, '--json'])
    const json = okJson<Record<string, string>>(run)
    expect(Object.keys(json)).toEqual(['enrollmentId', 'type', 'sentTo', 'expiresAt', 'codeExpiresAt'])
    expect(json).toMatchObject({ type: 'email', sentTo: 'b••••••s@example.org' })
    expect(run.stdout).not.toContain('otpauth')
    const mail = await smtp.waitForMessage(bobMail)
    const code = codeIn(mail.text)
    // S9: the code is never printed by the CLI, only sent.
    expect(run.stdout).not.toContain(code)

    // S10: a resend within the cooldown is refused, and says when to try again.
    expectFailure(await cli(['mfa', 'enroll', 'send', json.enrollmentId!, '--json']), 'RATE_LIMITED')

    const verified = okJson(await cli(['mfa', 'enroll', 'verify', json.enrollmentId!, '--code', code, '--json']))
    // The account already has recovery codes: none are made again.
    expect(verified).toEqual({ enrollmentId: json.enrollmentId, recoveryCodes: null })
    emailMethod = okJson<MethodJson>(await cli(['mfa', 'enroll', 'enable', json.enrollmentId!, '--json']))
    expect(emailMethod).toMatchObject({
      type: 'email',
      label: 'Email',
      destination: 'b••••••s@example.org',
      preferred: false,
    })
  })

  it('sms: begin sends the code through the gateway; the number is stored as E.164', async () => {
    const run = await cli(['mfa', 'enroll', 'begin', 'bob', '--type', 'sms', '--phone', bobPhone, '--json'])
    const json = okJson<Record<string, string>>(run)
    expect(Object.keys(json)).toEqual(['enrollmentId', 'type', 'sentTo', 'expiresAt', 'codeExpiresAt'])
    expect(json.sentTo).toBe('+44 •••••••958')
    const { to, code } = smsCodeOf(await sms.waitForRequest())
    expect(to).toBe(bobPhoneE164)
    okJson(await cli(['mfa', 'enroll', 'verify', json.enrollmentId!, '--code', code, '--json']))
    smsMethod = okJson<MethodJson>(await cli(['mfa', 'enroll', 'enable', json.enrollmentId!, '--json']))
    expect(smsMethod).toMatchObject({ type: 'sms', label: 'Text message', destination: '+44 •••••••958' })
  })

  it('an invalid phone number is VALIDATION before anything is sent or stored', async () => {
    const before = sms.requests.length
    const run = await cli(['mfa', 'enroll', 'begin', 'bob', '--type', 'sms', '--phone', '12345', '--json'])
    expectFailure(run, 'VALIDATION', /--phone: Start the number with \+ and the country code/)
    const tooShort = await cli(['mfa', 'enroll', 'begin', 'bob', '--type', 'sms', '--phone', '+44 20 79'])
    expectFailure(tooShort, 'VALIDATION', /--phone: /)
    expect(sms.requests.length).toBe(before)
    const pending = withDatabase(dataDir, (db) =>
      db.prepare("SELECT count(*) AS n FROM mfa_enrollments WHERE type = 'sms'").get(),
    ) as { n: number }
    expect(pending.n).toBe(0)
  })

  it('an invalid email address is VALIDATION naming --email', async () => {
    expectFailure(
      await cli(['mfa', 'enroll', 'begin', 'bob', '--type', 'email', '--email', 'bob@']),
      'VALIDATION',
      /--email: Enter a valid email address/,
    )
  })

  it('mfa preferred makes another method preferred; exactly one is', async () => {
    const run = await cli(['mfa', 'preferred', 'bob', String(smsMethod.id), '--json'])
    expect(okJson<MethodJson>(run)).toMatchObject({ id: smsMethod.id, preferred: true })
    const list = await overview('bob')
    expect(list.methods.filter((m) => m.preferred).map((m) => m.id)).toEqual([smsMethod.id])
    const human = await cli(['mfa', 'list', 'bob'])
    expect(human.stdout).toMatch(/^ID +TYPE +LABEL +DESTINATION +PREFERRED +ADDED +LAST USED$/m)
    expect(human.stdout).toMatch(new RegExp(`^${smsMethod.id} +sms +Text message +\\+44 •••••••958 +yes `, 'm'))
    expect(human.stdout).toContain('10 recovery codes left.')
  })

  it('mfa rename changes the label; bad input is refused', async () => {
    const run = await cli(['mfa', 'rename', 'bob', String(emailMethod.id), 'Work mail', '--json'])
    expect(okJson<MethodJson>(run)).toMatchObject({ id: emailMethod.id, label: 'Work mail' })
    expectFailure(
      await cli(['mfa', 'rename', 'bob', String(emailMethod.id), '  ']),
      'VALIDATION',
      /LABEL: Enter a name/,
    )
    const notNumber = await cli(['mfa', 'rename', 'bob', 'first', 'x'])
    expect(notNumber.code).toBe(2)
    expect(notNumber.stderr).toMatch(/^error: USAGE: METHOD_ID must be the number of a method/m)
    expectFailure(await cli(['mfa', 'rename', 'bob', '9999', 'x']), 'NOT_FOUND', /This method was not found/)
    // Another account's method is not found either.
    expectFailure(await cli(['mfa', 'rename', 'carol', String(emailMethod.id), 'x']), 'NOT_FOUND')
  })

  it('S12: recovery regenerate prints a new set of 10 and the count is back to 10', async () => {
    const run = await cli(['recovery', 'regenerate', 'bob', '--json'])
    const json = okJson<{ recoveryCodes: string[] }>(run)
    expect(Object.keys(json)).toEqual(['recoveryCodes'])
    expect(json.recoveryCodes).toHaveLength(10)
    expect((await overview('bob')).recoveryCodesRemaining).toBe(10)
    // No method, no recovery codes.
    expectFailure(await cli(['recovery', 'regenerate', 'carol']), 'VALIDATION', /add one first/)
  })

  it('mfa remove: removing the preferred method promotes another', async () => {
    const run = await cli(['mfa', 'remove', 'bob', String(smsMethod.id), '--json'])
    expect(okJson(run)).toEqual({ removed: smsMethod.id, mfaEnabled: true })
    const list = await overview('bob')
    expect(list.methods.map((m) => m.id)).not.toContain(smsMethod.id)
    expect(list.methods.filter((m) => m.preferred)).toHaveLength(1)
  })

  it('mfa reset removes every method and recovery code (admin reset, audited)', async () => {
    const run = await cli(['mfa', 'reset', 'bob', '--json'])
    expect(okJson(run)).toEqual({ username: 'bob', removed: 2 })
    expect(await overview('bob')).toEqual({ methods: [], recoveryCodesRemaining: 0 })
  })
})

describe('keyhold mfa remove: the last method (S1)', () => {
  it('a short password must be replaced, from stdin, when the last method goes', async () => {
    const { method } = await addTotp('carol')
    // With MFA on, 8 characters are enough (S1).
    expect((await cli(['account', 'passwd', 'carol', '--password-stdin'], { input: 'Tulip#42x\n' })).code).toBe(0)

    const refused = await cli(['mfa', 'remove', 'carol', String(method.id), '--json'])
    expectFailure(refused, 'WEAK_PASSWORD', /at least 15 characters/)
    expect(refused.stderr).toContain(
      `fix: Pipe in a new password: keyhold mfa remove carol ${method.id} --new-password-stdin`,
    )
    expect((await overview('carol')).methods).toHaveLength(1)

    const weak = await cli(['mfa', 'remove', 'carol', String(method.id), '--new-password-stdin'], {
      input: 'still short\n',
    })
    expectFailure(weak, 'WEAK_PASSWORD')
    const done = await cli(['mfa', 'remove', 'carol', String(method.id), '--new-password-stdin', '--json'], {
      input: 'Granite whistle 88 ocean\n',
    })
    expect(okJson(done)).toEqual({ removed: method.id, mfaEnabled: false })
    expect(await overview('carol')).toEqual({ methods: [], recoveryCodesRemaining: 0 })
    const row = withDatabase(dataDir, (db) =>
      db.prepare("SELECT password_short FROM accounts WHERE username = 'carol'").get(),
    ) as { password_short: number }
    expect(row.password_short).toBe(0)
  })

  it('refuses --new-password-stdin when the method is not the last one, changing nothing', async () => {
    const first = await addTotp('dave')
    const run = await cli(['mfa', 'remove', 'dave', String(first.method.id), '--new-password-stdin'], {
      input: 'Granite whistle 88 ocean\n',
    })
    expectFailure(run, 'VALIDATION', /only for removing the last method/)
    expect((await overview('dave')).methods).toHaveLength(2)
  })

  it('--new-password on the command line is a usage error that does not repeat it', async () => {
    const run = await cli(['mfa', 'remove', 'dave', '1', '--new-password=Hunter2-secret'])
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/^error: USAGE: secrets are never taken from the command line; use --new-password-stdin/)
    expect(run.stderr).not.toContain('Hunter2')
  })
})

describe('keyhold account contact', () => {
  it('changes the contact email only with the code sent to the new address', async () => {
    const address = 'bob.new@example.org'
    const run = await cli(['account', 'contact', 'bob', '--email', address, '--json'])
    const json = okJson<Record<string, string>>(run)
    expect(Object.keys(json)).toEqual(['sentTo', 'expiresAt', 'resendAvailableAt'])
    expect(json.sentTo).toBe('b•••••w@example.org')
    const code = codeIn((await smtp.waitForMessage(address)).text)
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0')
    expectFailure(await cli(['account', 'contact', 'bob', '--code', wrong]), 'INVALID_CODE')
    expect(jsonOf(await cli(['account', 'show', 'bob', '--json']))).toMatchObject({ email: null })
    const done = await cli(['account', 'contact', 'bob', '--code', code, '--json'])
    expect(okJson(done)).toMatchObject({ username: 'bob', email: address })
  })

  it('changes the phone with a code sent by SMS to the new number; a bad number is refused first', async () => {
    const before = sms.requests.length
    expectFailure(await cli(['account', 'contact', 'dave', '--phone', '555']), 'VALIDATION', /--phone: /)
    expect(sms.requests.length).toBe(before)
    // dave, not bob: S10's cooldown is per account's pending change, and bob just had one.
    okJson(await cli(['account', 'contact', 'dave', '--phone', '+44 20 7946 0959', '--json']))
    const { to, code } = smsCodeOf(await sms.waitForRequest())
    expect(to).toBe('+442079460959')
    expect(okJson(await cli(['account', 'contact', 'dave', '--code', code, '--json']))).toMatchObject({
      phone: '+442079460959',
    })
  })

  it('takes exactly one of --email, --phone, --code', async () => {
    for (const args of [[], ['--email', 'a@example.org', '--code', '123456']]) {
      const run = await cli(['account', 'contact', 'bob', ...args])
      expect(run.code).toBe(2)
      expect(run.stderr).toContain(
        'usage: keyhold account contact NAME --email ADDRESS | --phone +NUMBER | --code CODE',
      )
    }
  })
})

describe('the audit trail of the MFA commands', () => {
  it('S15, S22: every step is audited as cli:<os user>, never with a code or secret in it', async () => {
    const rows = auditRows(dataDir)
    const events = new Set(rows.map((r) => r.event))
    for (const event of [
      'mfa.enrollment-started',
      'mfa.enrollment-code-failed',
      'mfa.enrollment-verified',
      'mfa.method-added',
      'mfa.enrollment-cancelled',
      'mfa.preferred-changed',
      'mfa.method-renamed',
      'recovery-codes.regenerated',
      'mfa.method-removed',
      'mfa.reset',
      'code.sent',
      'contact.email-changed',
      'contact.phone-changed',
    ]) {
      expect(events, event).toContain(event)
    }
    for (const row of rows.filter((r) => r.event.startsWith('mfa.'))) expect(row.actor).toBe(cliActor)
    const audit = await cli(['audit', 'list', '--account', 'bob', '--limit', '1000', '--json'])
    expect(audit.code).toBe(0)
    expect(audit.stdout).not.toMatch(/otpauth|secret=|\b\d{6}\b/)
    expect(okJson(await cli(['audit', 'verify', '--json']))).toMatchObject({ ok: true, problem: null })
  })
})
