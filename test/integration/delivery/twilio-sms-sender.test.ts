import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createConfiguredSenders } from '../../../electron/main/adapters/delivery/configured-senders'
import { startHttpPeer, type HttpPeer } from '../../peers/http-peer'
import { appErrorOf, openDeliveryFixture, type DeliveryFixture } from './delivery-fixture'

const accountSid = `AC${'a1b2c3d4e5f60718'.repeat(2)}`
const authToken = '9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a49'
const phone = '+15551234567'
const messagesPath = `/2010-04-01/Accounts/${accountSid}/Messages.json`

/** What Twilio answers for a created message (shortened). */
const created = JSON.stringify({ sid: 'SM0123', status: 'queued', to: phone })

let fixture: DeliveryFixture
let twilio: HttpPeer
beforeAll(async () => {
  twilio = await startHttpPeer()
})
afterAll(async () => {
  await twilio.close()
})
beforeEach(() => {
  fixture = openDeliveryFixture()
  twilio.respondWith({ status: 201, body: created, headers: { 'Content-Type': 'application/json' } })
})
afterEach(() => fixture.close())

function configure(from = '+15005550006'): void {
  // A trailing slash on the base URL must not double up in the path.
  fixture.providers.setSms({ kind: 'twilio', accountSid, authToken, from, baseUrl: `${twilio.url}/` })
}

describe('Twilio SMS sender: the Messages API request', () => {
  it('POSTs the form to Accounts/{AccountSid}/Messages.json with Basic auth', async () => {
    configure()
    const text = 'Your Acme code is 556677 & more'
    await createConfiguredSenders(fixture.providers).sms.send({ to: phone, text })
    const request = await twilio.waitForRequest()
    expect(request.method).toBe('POST')
    expect(request.url).toBe(messagesPath)
    expect(request.headers.authorization).toBe(`Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`)
    expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded')
    expect(Object.fromEntries(new URLSearchParams(request.body))).toEqual({
      To: phone,
      From: '+15005550006',
      Body: text,
    })
  })

  it('uses MessagingServiceSid when the sender is a Messaging Service (MG…)', async () => {
    configure('MG0123456789abcdef0123456789abcdef')
    await createConfiguredSenders(fixture.providers).sms.send({ to: phone, text: 'hi' })
    const form = new URLSearchParams((await twilio.waitForRequest()).body)
    expect(form.get('MessagingServiceSid')).toBe('MG0123456789abcdef0123456789abcdef')
    expect(form.has('From')).toBe(false)
  })
})

describe('Twilio SMS sender: errors', () => {
  it("maps Twilio's error document to its message, error code and HTTP status", async () => {
    configure()
    twilio.respondWith({
      status: 400,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        code: 21211,
        message: "The 'To' number +15551234567 is not a valid phone number.",
        more_info: 'https://www.twilio.com/docs/errors/21211',
        status: 400,
      }),
    })
    const error = await appErrorOf(createConfiguredSenders(fixture.providers).sms.send({ to: phone, text: 'x' }))
    expect(error.code).toBe('DELIVERY_FAILED')
    expect(error.message).toBe(
      "Twilio refused the message (400, error 21211): The 'To' number +15551234567 is not a valid phone number.",
    )
  })

  it('says when the Account SID or auth token is wrong', async () => {
    configure()
    twilio.respondWith({ status: 401, body: JSON.stringify({ code: 20003, message: 'Authenticate', status: 401 }) })
    const error = await appErrorOf(createConfiguredSenders(fixture.providers).sms.send({ to: phone, text: 'x' }))
    expect(error.message).toBe('Twilio refused the Account SID or auth token (401, error 20003): Authenticate')
  })

  it('handles an answer that is not JSON', async () => {
    configure()
    twilio.respondWith({ status: 502, body: '<html>Bad gateway</html>' })
    const error = await appErrorOf(createConfiguredSenders(fixture.providers).sms.send({ to: phone, text: 'x' }))
    expect(error.message).toBe('Twilio could not take the message (502): <html>Bad gateway</html>')
  })

  it('times out with the injected deadline', async () => {
    configure()
    twilio.respondWith('hang')
    const error = await appErrorOf(
      createConfiguredSenders(fixture.providers, { timeoutMs: 250 }).sms.send({ to: phone, text: 'x' }),
    )
    expect(error.message).toBe('Twilio did not answer within 0.25 seconds')
  })
})
