import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createConfiguredSenders } from '../../../electron/main/adapters/delivery/configured-senders'
import { startHttpPeer, type HttpPeer } from '../../peers/http-peer'
import { appErrorOf, openDeliveryFixture, type DeliveryFixture } from './delivery-fixture'

const phone = '+15551234567'

let fixture: DeliveryFixture
let gateway: HttpPeer
beforeAll(async () => {
  gateway = await startHttpPeer((request) =>
    request.url.includes('/2010-04-01/') ? { status: 201, body: '{"sid":"SM1"}' } : { status: 200, body: 'OK' },
  )
})
afterAll(async () => {
  await gateway.close()
})
beforeEach(() => {
  fixture = openDeliveryFixture()
})
afterEach(() => fixture.close())

describe('configured senders', () => {
  it('SMS not configured: isConfigured() is false and send throws NOT_CONFIGURED', async () => {
    const senders = createConfiguredSenders(fixture.providers)
    expect(senders.sms.isConfigured()).toBe(false)
    const error = await appErrorOf(senders.sms.send({ to: phone, text: 'x' }))
    expect(error.code).toBe('NOT_CONFIGURED')
    expect(error.message).toBe('No SMS gateway is set up; an administrator can set one up')
  })

  it('sends through whichever adapter is configured at the moment of sending', async () => {
    const senders = createConfiguredSenders(fixture.providers)
    fixture.providers.setSms({ kind: 'http', method: 'GET', url: `${gateway.url}/generic?to={to}`, body: null })
    expect(senders.sms.isConfigured()).toBe(true)
    await senders.sms.send({ to: phone, text: 'one' })
    expect((await gateway.waitForRequest()).parsedUrl.pathname).toBe('/generic')

    fixture.providers.setSms({
      kind: 'twilio',
      accountSid: `AC${'0'.repeat(32)}`,
      authToken: 'token',
      from: '+15005550006',
      baseUrl: gateway.url,
    })
    await senders.sms.send({ to: phone, text: 'two' })
    const twilio = await gateway.waitForRequest()
    expect(twilio.url).toBe(`/2010-04-01/Accounts/AC${'0'.repeat(32)}/Messages.json`)
    expect(new URLSearchParams(twilio.body).get('Body')).toBe('two')

    fixture.providers.clearSms()
    expect(senders.sms.isConfigured()).toBe(false)
    expect((await appErrorOf(senders.sms.send({ to: phone, text: 'three' }))).code).toBe('NOT_CONFIGURED')
  })
})
