import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createConfiguredSenders } from '../../../electron/main/adapters/delivery/configured-senders'
import type { SmsProviderInput } from '../../../electron/shared/provider-schemas'
import { startHttpPeer, type HttpPeer } from '../../peers/http-peer'
import { appErrorOf, openDeliveryFixture, type DeliveryFixture } from './delivery-fixture'

const phone = '+15551234567'
/** Everything that breaks naive templating: URL and form delimiters, JSON quotes and escapes, non-ASCII. */
const trickyText = 'Code 123456: a&b=c+d %20 "quoted" back\\slash\nnew line – ü 验证 😀'

type HttpInput = Extract<SmsProviderInput, { kind: 'http' }>

let fixture: DeliveryFixture
let peer: HttpPeer
beforeAll(async () => {
  peer = await startHttpPeer()
})
afterAll(async () => {
  await peer.close()
})
beforeEach(() => {
  fixture = openDeliveryFixture()
  peer.respondWith({ status: 200, body: 'OK' })
})
afterEach(() => fixture.close())

function configure(input: Omit<HttpInput, 'kind'>): void {
  fixture.providers.setSms({ kind: 'http', ...input })
}

describe('generic HTTP SMS sender: request shapes', () => {
  it('GET: {to} and {text} are URL-encoded into the URL; plain and secret headers are sent', async () => {
    configure({
      method: 'GET',
      url: `${peer.url}/send?to={to}&msg={text}&account=acme`,
      headers: { 'X-Client': 'keyhold' },
      secretHeaders: { 'X-Api-Key': 'api-key-secret-1' },
      body: null,
    })
    await createConfiguredSenders(fixture.providers).sms.send({ to: phone, text: trickyText })
    const request = await peer.waitForRequest()
    expect(request.method).toBe('GET')
    expect(request.parsedUrl.pathname).toBe('/send')
    expect(request.parsedUrl.searchParams.get('to')).toBe(phone)
    expect(request.parsedUrl.searchParams.get('msg')).toBe(trickyText)
    expect(request.parsedUrl.searchParams.get('account')).toBe('acme')
    expect(request.headers['x-client']).toBe('keyhold')
    expect(request.headers['x-api-key']).toBe('api-key-secret-1')
    expect(request.body).toBe('')
  })

  it('POST json: values are JSON-escaped inside the template, Content-Type application/json', async () => {
    configure({
      method: 'POST',
      url: `${peer.url}/api/messages`,
      headers: {},
      secretHeaders: { Authorization: 'Bearer token-xyz' },
      body: '{"recipient":"{to}","message":"{text}","tag":"keyhold"}',
      bodyEncoding: 'json',
    })
    await createConfiguredSenders(fixture.providers).sms.send({ to: phone, text: trickyText })
    const request = await peer.waitForRequest()
    expect(request.method).toBe('POST')
    expect(request.url).toBe('/api/messages')
    expect(request.headers['content-type']).toBe('application/json')
    expect(request.headers.authorization).toBe('Bearer token-xyz')
    expect(JSON.parse(request.body)).toEqual({ recipient: phone, message: trickyText, tag: 'keyhold' })
  })

  it('POST url: values are form-encoded, Content-Type application/x-www-form-urlencoded', async () => {
    configure({
      method: 'POST',
      url: `${peer.url}/sms`,
      headers: {},
      body: 'to={to}&text={text}&sender=Keyhold',
      bodyEncoding: 'url',
    })
    await createConfiguredSenders(fixture.providers).sms.send({ to: phone, text: trickyText })
    const request = await peer.waitForRequest()
    expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded')
    expect(Object.fromEntries(new URLSearchParams(request.body))).toEqual({
      to: phone,
      text: trickyText,
      sender: 'Keyhold',
    })
  })

  it('keeps a Content-Type the administrator set', async () => {
    configure({
      method: 'POST',
      url: `${peer.url}/sms`,
      headers: { 'Content-Type': 'application/vnd.gateway+json' },
      body: '{"to":"{to}"}',
      bodyEncoding: 'json',
    })
    await createConfiguredSenders(fixture.providers).sms.send({ to: phone, text: 'x' })
    expect((await peer.waitForRequest()).headers['content-type']).toBe('application/vnd.gateway+json')
  })
})

describe('generic HTTP SMS sender: failures', () => {
  const simple = (): void =>
    configure({ method: 'POST', url: `${peer.url}/sms`, headers: {}, body: '{"t":"{text}"}', bodyEncoding: 'json' })

  it('a non-2xx answer names the status and the answer, with the code masked (S9)', async () => {
    simple()
    peer.respondWith((request) => ({ status: 422, body: `invalid destination for ${JSON.parse(request.body).t}` }))
    const error = await appErrorOf(
      createConfiguredSenders(fixture.providers).sms.send({ to: phone, text: 'Your code is 918273' }),
    )
    expect(error.code).toBe('DELIVERY_FAILED')
    expect(error.message).toBe('the SMS gateway refused the message (422: invalid destination for [message])')

    peer.respondWith({ status: 503, body: 'maintenance, retry 918273 later' })
    const unavailable = await appErrorOf(
      createConfiguredSenders(fixture.providers).sms.send({ to: phone, text: 'Your code is 918273' }),
    )
    expect(unavailable.message).toBe('the SMS gateway could not take the message (503: maintenance, retry *** later)')
  })

  it('a slow gateway times out with the injected deadline (10 s by default)', async () => {
    simple()
    peer.respondWith('hang')
    const senders = createConfiguredSenders(fixture.providers, { timeoutMs: 300 })
    const error = await appErrorOf(senders.sms.send({ to: phone, text: 'x' }))
    expect(error.message).toBe('the SMS gateway did not answer within 0.3 seconds')
  })

  it('a gateway that hangs up', async () => {
    simple()
    peer.respondWith('reset')
    const error = await appErrorOf(createConfiguredSenders(fixture.providers).sms.send({ to: phone, text: 'x' }))
    expect(error.message).toBe(`the SMS gateway at 127.0.0.1:${peer.port} closed the connection without answering`)
  })

  it('does not follow a redirect (it could carry the secret headers elsewhere)', async () => {
    configure({
      method: 'GET',
      url: `${peer.url}/send?to={to}`,
      headers: {},
      secretHeaders: { 'X-Api-Key': 'api-key-secret-2' },
      body: null,
    })
    peer.respondWith({ status: 302, headers: { Location: `${peer.url}/elsewhere` } })
    const before = peer.requests.length
    const error = await appErrorOf(createConfiguredSenders(fixture.providers).sms.send({ to: phone, text: 'x' }))
    expect(error.message).toBe(
      'the SMS gateway answered with a redirect (302); enter the final URL, redirects are not followed',
    )
    expect(peer.requests.slice(before).map((request) => request.parsedUrl.pathname)).toEqual(['/send'])
  })
})
