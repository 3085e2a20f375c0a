import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startKannelPeer, type KannelPeer } from '../peers/kannel-peer'
import { startSmtpPeer, type SmtpPeer } from '../peers/smtp-peer'
import { codeIn, methodKeys, oathtoolCode, okJson, requireOathtool, totpSetupOf } from './support/mfa-cli'
import { requireBuiltCli, siteFor } from './support/run-cli'
import { emailProviderArgs, kannelProviderArgs } from './support/site-setup'

/**
 * Issue 3's "Done when", using only the CLI and real peers: a script creates an
 * account, enrolls TOTP with a code Debian's oathtool computes from the printed
 * otpauth URI, enrolls email with the code a real SMTP server received and SMS
 * with the code a real Kannel gateway's fakesmsc logged, and sets the preferred
 * method. Nothing here calls Keyhold's code in-process.
 */
const { temp, cli } = siteFor('done-when')
const password = 'Quartz meadow 42 lantern'
const mfaMail = 'erin.codes@example.org'
const phone = '+44 20 7946 0958'
const phoneE164 = '+442079460958'

let smtp: SmtpPeer
let kannel: KannelPeer

interface MethodJson {
  id: number
  type: string
  preferred: boolean
}

/** verify → enable for one setup; returns what verify printed and the new method. */
async function finish(enrollmentId: string, code: string) {
  const verified = okJson<{ enrollmentId: string; recoveryCodes: string[] | null }>(
    await cli(['mfa', 'enroll', 'verify', enrollmentId, '--code', code, '--json']),
  )
  expect(verified.enrollmentId).toBe(enrollmentId)
  const method = okJson<MethodJson>(await cli(['mfa', 'enroll', 'enable', enrollmentId, '--json']))
  expect(Object.keys(method)).toEqual([...methodKeys])
  return { recoveryCodes: verified.recoveryCodes, method }
}

beforeAll(async () => {
  requireBuiltCli({ keyring: true })
  requireOathtool()
  ;[smtp, kannel] = await Promise.all([startSmtpPeer(), startKannelPeer()])
})
afterAll(async () => {
  await Promise.all([smtp?.close(), kannel?.close()])
  temp.remove()
})

describe('Done when: a script using only the CLI', () => {
  const methods: Record<'totp' | 'email' | 'sms', MethodJson | undefined> = {
    totp: undefined,
    email: undefined,
    sms: undefined,
  }

  it('sets up Keyhold, the SMTP server and the Kannel gateway, and creates an account', async () => {
    expect((await cli(['init', '--admin', 'admin'], { input: `${password}\n` })).code).toBe(0)
    expect((await cli(emailProviderArgs(smtp))).code).toBe(0)
    expect((await cli(kannelProviderArgs(kannel), { input: `${kannel.password}\n` })).code).toBe(0)
    const account = await cli(
      ['account', 'create', 'erin', '--email', 'erin@example.org', '--password-stdin', '--json'],
      {
        input: `${password}\n`,
      },
    )
    expect(okJson(account)).toMatchObject({ username: 'erin', email: 'erin@example.org' })
  })

  it('S4: enrolls TOTP with the code oathtool computes from the printed otpauth URI', async () => {
    const setup = totpSetupOf(await cli(['mfa', 'enroll', 'begin', 'erin', '--type', 'totp', '--json']))
    expect(setup.algorithm).toBe('SHA1')
    const { recoveryCodes, method } = await finish(setup.enrollmentId, oathtoolCode(setup.secret))
    // S11: the first method brings the recovery codes.
    expect(recoveryCodes).toHaveLength(10)
    expect(method).toMatchObject({ type: 'totp', preferred: true })
    methods.totp = method
  })

  it('enrolls email with the code read from the SMTP server', async () => {
    const begin = okJson<{ enrollmentId: string }>(
      await cli(['mfa', 'enroll', 'begin', 'erin', '--type', 'email', '--email', mfaMail, '--json']),
    )
    const mail = await smtp.waitForMessage(mfaMail)
    expect(mail.subject).toBe('Keyhold security code')
    const { recoveryCodes, method } = await finish(begin.enrollmentId, codeIn(mail.text))
    expect(recoveryCodes).toBeNull()
    expect(method).toMatchObject({ type: 'email', preferred: false })
    methods.email = method
  })

  it("enrolls SMS with the code read from Kannel's fakesmsc log", async () => {
    const begin = okJson<{ enrollmentId: string }>(
      await cli(['mfa', 'enroll', 'begin', 'erin', '--type', 'sms', '--phone', phone, '--json']),
    )
    const sms = await kannel.waitForSms(phoneE164)
    expect(sms.text).toMatch(/^\d{6} is your Keyhold security code\. It expires in 5 minutes\.$/)
    const { method } = await finish(begin.enrollmentId, codeIn(sms.text))
    expect(method).toMatchObject({ type: 'sms', preferred: false })
    methods.sms = method
  })

  it('sets the preferred method, and mfa list shows it preferred', async () => {
    const preferred = okJson<MethodJson>(await cli(['mfa', 'preferred', 'erin', String(methods.sms!.id), '--json']))
    expect(preferred).toMatchObject({ id: methods.sms!.id, preferred: true })
    const list = okJson<{ methods: MethodJson[]; recoveryCodesRemaining: number }>(
      await cli(['mfa', 'list', 'erin', '--json']),
    )
    expect(list.recoveryCodesRemaining).toBe(10)
    expect(list.methods.map((m) => [m.type, m.preferred])).toEqual([
      ['totp', false],
      ['email', false],
      ['sms', true],
    ])
  })

  it('S22: the audit log verifies', async () => {
    const audit = okJson<{ ok: boolean; rows: number; problem: string | null }>(
      await cli(['audit', 'verify', '--json']),
    )
    expect(audit).toMatchObject({ ok: true, problem: null })
    expect(audit.rows).toBeGreaterThan(10)
  })

  it('S4: a SHA256 authenticator (32-byte secret) agrees with oathtool --totp=SHA256', async () => {
    const setup = totpSetupOf(
      await cli([
        'mfa',
        'enroll',
        'begin',
        'erin',
        '--type',
        'totp',
        '--algorithm',
        'sha256',
        '--label',
        'Tablet',
        '--json',
      ]),
    )
    expect(setup.algorithm).toBe('SHA256')
    // S5: 32 bytes are 52 Base32 characters without padding.
    expect(setup.secret).toMatch(/^[A-Z2-7]{52}$/)
    const { method } = await finish(setup.enrollmentId, oathtoolCode(setup.secret, { algorithm: 'sha256' }))
    expect(method).toMatchObject({ type: 'totp', preferred: false })
  })
})
