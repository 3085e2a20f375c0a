import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createConfiguredSenders } from '../../../electron/main/adapters/delivery/configured-senders'
import { fillTemplate } from '../../../electron/main/services/delivery-ports'
import type { SmsProviderInput } from '../../../electron/shared/provider-schemas'
import { closedPort } from '../../peers/free-port'
import { startKannelPeer, type KannelPeer } from '../../peers/kannel-peer'
import { startSilentPeer } from '../../peers/silent-peer'
import { appErrorOf, openDeliveryFixture, type DeliveryFixture } from './delivery-fixture'

const phone = '+15551234567'

function kannelConfig(peer: KannelPeer, extra: Partial<Extract<SmsProviderInput, { kind: 'kannel' }>> = {}) {
  return {
    kind: 'kannel' as const,
    url: peer.sendsmsUrl,
    username: peer.username,
    password: peer.password,
    from: 'Keyhold',
    ...extra,
  }
}

let fixture: DeliveryFixture
beforeEach(() => {
  fixture = openDeliveryFixture()
})
afterEach(() => fixture.close())

describe('Kannel SMS sender against a real Kannel (bearerbox + smsbox + fakesmsc)', () => {
  let kannel: KannelPeer
  beforeAll(async () => {
    kannel = await startKannelPeer()
  })
  afterAll(async () => {
    await kannel.close()
  })

  it('delivers a code, read back from the fake operator', async () => {
    fixture.providers.setSms(kannelConfig(kannel))
    const senders = createConfiguredSenders(fixture.providers)
    expect(senders.sms.isConfigured()).toBe(true)
    const text = fillTemplate(fixture.providers.getSmsText(), { code: '730512', site: 'Acme', minutes: '5' })
    await senders.sms.send({ to: phone, text })
    const sms = await kannel.waitForSms(phone)
    expect(sms).toEqual({
      from: 'Keyhold',
      to: phone,
      text: '730512 is your Acme security code. It expires in 5 minutes.',
      coding: 'text',
    })
  })

  it('keeps spaces and URL-special characters intact', async () => {
    fixture.providers.setSms(kannelConfig(kannel))
    const text = 'Code 1+1=2 & 100% sure; a/b?c#d "q" <x>'
    await createConfiguredSenders(fixture.providers).sms.send({ to: phone, text })
    expect((await kannel.waitForSms(phone)).text).toBe(text)
  })

  it('sends non-ASCII text as UCS-2 so it arrives intact', async () => {
    fixture.providers.setSms(kannelConfig(kannel))
    const text = 'Café Zürich: 123456 — 验证码 ✓ 😀'
    await createConfiguredSenders(fixture.providers).sms.send({ to: phone, text })
    const sms = await kannel.waitForSms(phone)
    expect(sms.coding).toBe('ucs-2')
    expect(sms.text).toBe(text)
  })

  it('a wrong password: smsbox answers 403, and the message says the credentials were refused; nothing sent', async () => {
    fixture.providers.setSms(kannelConfig(kannel, { password: 'not-the-password' }))
    const before = kannel.messages.length
    const error = await appErrorOf(createConfiguredSenders(fixture.providers).sms.send({ to: phone, text: 'x 111111' }))
    expect(error.code).toBe('DELIVERY_FAILED')
    expect(error.message).toBe(
      'the SMS gateway refused the username or password (403); check the credentials in the SMS provider settings',
    )
    expect(kannel.messages).toHaveLength(before)
    // A wrong user name is refused the same way.
    fixture.providers.setSms(kannelConfig(kannel, { username: 'nobody' }))
    const user = await appErrorOf(createConfiguredSenders(fixture.providers).sms.send({ to: phone, text: 'x 111111' }))
    expect(user.message).toMatch(/^the SMS gateway refused the username or password \(403\)/)
    expect(kannel.messages).toHaveLength(before)
  })

  it('sends the fixed test message for `provider test`, normalising the number', async () => {
    fixture.providers.setSms(kannelConfig(kannel))
    // (+1 555 123 4567 is not a valid number for libphonenumber-js/max; 201-555-01xx is a reserved fictional range.)
    await createConfiguredSenders(fixture.providers).testSms('+1 (201) 555-0123', 'Acme')
    expect((await kannel.waitForSms('+12015550123')).text).toBe('Keyhold test message: your Acme SMS settings work.')
    const invalid = await appErrorOf(createConfiguredSenders(fixture.providers).testSms('12', 'Acme'))
    expect(invalid.code).toBe('VALIDATION')
  })
})

describe('Kannel failures and queueing', () => {
  it('Kannel down: "the SMS gateway at host:port is not reachable"', async () => {
    const port = await closedPort()
    fixture.providers.setSms({
      kind: 'kannel',
      url: `http://127.0.0.1:${port}/cgi-bin/sendsms`,
      username: 'keyhold',
      password: 'secret',
      from: null,
    })
    const error = await appErrorOf(createConfiguredSenders(fixture.providers).sms.send({ to: phone, text: 'hi' }))
    expect(error.code).toBe('DELIVERY_FAILED')
    expect(error.message).toBe(`the SMS gateway at 127.0.0.1:${port} is not reachable`)
  })

  it('Kannel silent: times out with the injected deadline', async () => {
    const silent = await startSilentPeer()
    try {
      fixture.providers.setSms({
        kind: 'kannel',
        url: `http://127.0.0.1:${silent.port}/cgi-bin/sendsms`,
        username: 'keyhold',
        password: 'secret',
        from: null,
      })
      const senders = createConfiguredSenders(fixture.providers, { timeoutMs: 400 })
      const error = await appErrorOf(senders.sms.send({ to: phone, text: 'hi' }))
      expect(error.message).toBe('the SMS gateway did not answer within 0.4 seconds')
    } finally {
      await silent.close()
    }
  })

  it('operator link down: "3: Queued for later delivery" counts as sent; a missing sender is refused with its reason', async () => {
    const queued = await startKannelPeer({ smsc: false, defaultSender: null })
    try {
      fixture.providers.setSms(kannelConfig(queued))
      await createConfiguredSenders(fixture.providers).sms.send({ to: phone, text: 'queued 222222' })
      const status = await (await fetch(queued.statusUrl)).text()
      expect(status).toMatch(/SMS: received \d+ \(\d+ queued\), sent 0 \(1 queued\)/)

      fixture.providers.setSms(kannelConfig(queued, { from: null }))
      const error = await appErrorOf(createConfiguredSenders(fixture.providers).sms.send({ to: phone, text: 'x' }))
      expect(error.message).toBe(
        'the SMS gateway refused the message (400: Sender missing and no global set, rejected)',
      )
    } finally {
      await queued.close()
    }
  })
})
