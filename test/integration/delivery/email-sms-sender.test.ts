import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createConfiguredSenders } from '../../../electron/main/adapters/delivery/configured-senders'
import type { OutgoingSms } from '../../../electron/main/services/delivery-ports'
import { fakeClock } from '../../unit/support/core-fixture'
import { startSmtpPeer, type SmtpPeer } from '../../peers/smtp-peer'
import { appErrorOf, appErrorOfSync, openDeliveryFixture, type DeliveryFixture } from './delivery-fixture'

/**
 * Issue 5: the email-to-SMS adapter. Text messages go as plain email through
 * the configured SMTP provider (here a real SMTP server) to an address made of
 * a template: `{number}@sms.example.net` with the E.164 digits without +.
 */
const number = '+447400123456'
const digits = '447400123456'
const gatewayAddress = `${digits}@sms.example.net`
const smtpPassword = 'smtp-Secret-4711'

let fixture: DeliveryFixture
beforeEach(() => {
  fixture = openDeliveryFixture()
})
afterEach(() => fixture.close())

function useEmail(peer: SmtpPeer, signIn = true): void {
  fixture.providers.setEmail({
    host: peer.host,
    port: peer.port,
    security: 'none',
    username: signIn ? 'keyhold' : null,
    ...(signIn ? { password: smtpPassword } : {}),
    // This peer takes AUTH without TLS; S34 wants that chosen knowingly.
    unencryptedSignIn: signIn,
    from: 'keyhold@example.org',
  })
}

describe('email-to-SMS through a real SMTP server', () => {
  let smtp: SmtpPeer
  beforeAll(async () => {
    smtp = await startSmtpPeer({ auth: { user: 'keyhold', pass: smtpPassword } })
  })
  afterAll(async () => {
    await smtp.close()
  })

  it('sends the text as the body of a plain email to the gateway address, signed in to the SMTP server', async () => {
    useEmail(smtp)
    const view = fixture.providers.setSms({ kind: 'email', addressTemplate: '{number}@sms.example.net' })
    expect(view).toEqual({ kind: 'email', addressTemplate: '{number}@sms.example.net' })
    const senders = createConfiguredSenders(fixture.providers)
    expect(senders.sms.isConfigured()).toBe(true)
    await senders.sms.send({ to: number, text: '730512 is your Acme code' })
    const mail = await smtp.waitForMessage(gatewayAddress)
    expect(mail.envelopeTo).toEqual([gatewayAddress])
    expect(mail.text.trim()).toBe('730512 is your Acme code')
    // Gateways put the subject in front of the text: there is none.
    expect(mail.subject).toBe('')
    expect(mail.user).toBe('keyhold')
    expect(mail.from).toBe('keyhold@example.org')
  })

  it('`provider test` sends the fixed test text, and records the last send with the number masked', async () => {
    useEmail(smtp)
    fixture.providers.setSms({ kind: 'email', addressTemplate: 'sms+{number}@gateway.example.org' })
    const clock = fakeClock(Date.parse('2026-11-28T09:00:00.000Z'))
    await createConfiguredSenders(fixture.providers, {}, clock).testSms('+44 7400 123456', 'Acme')
    const mail = await smtp.waitForMessage(`sms+${digits}@gateway.example.org`)
    expect(mail.text.trim()).toBe('Keyhold test message: your Acme SMS settings work.')
    expect(fixture.providers.lastSend('sms')).toEqual({
      at: '2026-11-28T09:00:00.000Z',
      ok: true,
      purpose: 'test',
      to: '+44 •••••••456',
      detail: null,
    })
    // The email provider's own last send is untouched: this was an SMS.
    expect(fixture.providers.lastSend('email')).toBeNull()
  })

  it('without an email provider: NOT_CONFIGURED, saying to set up the email provider first', async () => {
    fixture.providers.setSms({ kind: 'email', addressTemplate: '{number}@sms.example.net' })
    const before = smtp.messages.length
    // A code send, as the code delivery makes it: the purpose rides along with the message.
    const code: OutgoingSms = { to: number, text: 'x', purpose: 'code' }
    const error = await appErrorOf(createConfiguredSenders(fixture.providers).sms.send(code))
    expect(error.code).toBe('NOT_CONFIGURED')
    expect(error.message).toBe(
      'Text messages go out as email through the email provider, which is not set up; set up the email provider first',
    )
    expect(smtp.messages).toHaveLength(before)
    expect(fixture.providers.lastSend('sms')).toMatchObject({ ok: false, purpose: 'code', detail: error.message })
  })
})

describe('email-to-SMS refusals', () => {
  it('S9: a recipient refusal names neither the number nor the gateway address in full', async () => {
    const refusing = await startSmtpPeer({
      failWith: { stage: 'rcpt', code: 550, message: `<${gatewayAddress}>: Recipient address rejected` },
    })
    try {
      useEmail(refusing, false)
      fixture.providers.setSms({ kind: 'email', addressTemplate: '{number}@sms.example.net' })
      const senders = createConfiguredSenders(fixture.providers)
      const error = await appErrorOf(senders.testSms(number, 'Acme'))
      expect(error.code).toBe('DELIVERY_FAILED')
      expect(error.message).toMatch(/^the SMTP server refused the recipient address \(550 /)
      expect(error.message).toContain('+44 •••••••456@sms.example.net')
      expect(error.message).not.toContain(digits)
      const last = fixture.providers.lastSend('sms')
      expect(last).toMatchObject({ ok: false, purpose: 'test', to: '+44 •••••••456', detail: error.message })
      expect(JSON.stringify(last)).not.toContain(digits)
    } finally {
      await refusing.close()
    }
  })

  it('the address template must hold {number} and make an address', () => {
    const missing = appErrorOfSync(() =>
      fixture.providers.setSms({ kind: 'email', addressTemplate: 'sms@gateway.example.org' }),
    )
    expect(missing.code).toBe('VALIDATION')
    expect(missing.extra.fields).toEqual([
      {
        field: 'addressTemplate',
        message: 'Put {number} where the phone number goes, e.g. {number}@sms.example.net',
      },
    ])
    const shape = appErrorOfSync(() => fixture.providers.setSms({ kind: 'email', addressTemplate: '{number} at gw' }))
    expect(shape.extra.fields).toEqual([
      {
        field: 'addressTemplate',
        message: 'This does not make an email address; write it like {number}@sms.example.net',
      },
    ])
    // It has no secret of its own: nothing else may be given.
    const extra = appErrorOfSync(() =>
      fixture.providers.setSms({ kind: 'email', addressTemplate: '{number}@sms.example.net', password: 'x' } as never),
    )
    expect(extra.code).toBe('VALIDATION')
    expect(fixture.providers.getSms()).toBeNull()
  })
})
