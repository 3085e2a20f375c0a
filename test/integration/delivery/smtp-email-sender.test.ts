import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createConfiguredSenders } from '../../../electron/main/adapters/delivery/configured-senders'
import type { EmailProviderInput } from '../../../electron/shared/provider-schemas'
import { fillTemplate } from '../../../electron/main/services/delivery-ports'
import { closedPort } from '../../peers/free-port'
import { startSilentPeer } from '../../peers/silent-peer'
import { startSmtpPeer, type SmtpPeer } from '../../peers/smtp-peer'
import { appErrorOf, openDeliveryFixture, type DeliveryFixture } from './delivery-fixture'

const code = '482913'
const outgoing = {
  to: 'bob@example.org',
  subject: 'Acme security code',
  text: fillTemplate('Your {site} security code is {code}. It expires in {minutes} minutes.', {
    site: 'Acme',
    code,
    minutes: '5',
  }),
}

function smtp(peer: { host: string; port: number }, extra: Partial<EmailProviderInput> = {}): EmailProviderInput {
  // The peers take AUTH without TLS: S34 wants "no encryption" chosen knowingly for a server that signs in.
  return {
    host: peer.host,
    port: peer.port,
    security: 'none',
    username: null,
    unencryptedSignIn: true,
    from: 'keyhold@acme.example',
    ...extra,
  }
}

let fixture: DeliveryFixture
beforeEach(() => {
  fixture = openDeliveryFixture()
})
afterEach(() => fixture.close())

describe('SMTP email sender against a real SMTP server', () => {
  let plain: SmtpPeer
  let authed: SmtpPeer
  beforeAll(async () => {
    plain = await startSmtpPeer()
    authed = await startSmtpPeer({ auth: { user: 'keyhold', pass: 'right-password' } })
  })
  afterAll(async () => {
    await plain.close()
    await authed.close()
  })

  it('delivers an email code over plain SMTP (security none)', async () => {
    fixture.providers.setEmail(smtp(plain))
    const senders = createConfiguredSenders(fixture.providers)
    expect(senders.email.isConfigured()).toBe(true)
    await senders.email.send(outgoing)
    const received = await plain.waitForMessage('bob@example.org')
    expect(received).toMatchObject({ from: 'keyhold@acme.example', to: ['bob@example.org'], subject: outgoing.subject })
    expect(received.text).toContain(`Your Acme security code is ${code}.`)
    expect(received.secure).toBe(false)
  })

  it('signs in with the stored (encrypted) password when a user name is set', async () => {
    fixture.providers.setEmail(smtp(authed, { username: 'keyhold', password: 'right-password' }))
    await createConfiguredSenders(fixture.providers).email.send(outgoing)
    const received = await authed.waitForMessage('bob@example.org')
    expect(received.user).toBe('keyhold')
    expect(received.text).toContain(code)
  })

  it('reports a wrong password as DELIVERY_FAILED with the 535 reply, without the message text', async () => {
    fixture.providers.setEmail(smtp(authed, { username: 'keyhold', password: 'wrong-password' }))
    const before = authed.messages.length
    const error = await appErrorOf(createConfiguredSenders(fixture.providers).email.send(outgoing))
    expect(error.code).toBe('DELIVERY_FAILED')
    expect(error.message).toBe('the SMTP server refused the username or password (535)')
    expect(authed.messages).toHaveLength(before)
  })

  it('reports a missing sign-in as such (530)', async () => {
    fixture.providers.setEmail(smtp(authed))
    const error = await appErrorOf(createConfiguredSenders(fixture.providers).email.send(outgoing))
    expect(error.message).toBe('the SMTP server needs a user name and password (530)')
  })

  it('applies a changed configuration at the next send', async () => {
    const senders = createConfiguredSenders(fixture.providers)
    fixture.providers.setEmail(smtp(authed, { username: 'keyhold', password: 'wrong-password' }))
    expect((await appErrorOf(senders.email.send(outgoing))).code).toBe('DELIVERY_FAILED')
    fixture.providers.setEmail(smtp(authed, { username: 'keyhold', password: 'right-password' }))
    await senders.email.send({ ...outgoing, to: 'carol@example.org' })
    expect((await authed.waitForMessage('carol@example.org')).user).toBe('keyhold')
  })

  it('sends the fixed test message for `provider test`', async () => {
    fixture.providers.setEmail(smtp(plain))
    await createConfiguredSenders(fixture.providers).testEmail('admin@acme.example', 'Acme')
    const received = await plain.waitForMessage('admin@acme.example')
    expect(received.subject).toBe('Acme test message')
    expect(received.text.trim()).toBe('Keyhold test message: your Acme email settings work.')
    const bad = await appErrorOf(createConfiguredSenders(fixture.providers).testEmail('not an address', 'Acme'))
    expect(bad.code).toBe('VALIDATION')
  })
})

describe('SMTP failures give specific messages', () => {
  it('not configured: isConfigured() is false and send throws NOT_CONFIGURED', async () => {
    const senders = createConfiguredSenders(fixture.providers)
    expect(senders.email.isConfigured()).toBe(false)
    const error = await appErrorOf(senders.email.send(outgoing))
    expect(error.code).toBe('NOT_CONFIGURED')
    expect(error.message).toBe('No email server is set up; an administrator can set one up')
  })

  it('server down: the connection is refused', async () => {
    const port = await closedPort()
    fixture.providers.setEmail(smtp({ host: '127.0.0.1', port }))
    const error = await appErrorOf(createConfiguredSenders(fixture.providers).email.send(outgoing))
    expect(error.code).toBe('DELIVERY_FAILED')
    expect(error.message).toBe(`the SMTP server at 127.0.0.1:${port} refused the connection`)
  })

  it('server silent: times out (the deadline is injectable; 10 s by default)', async () => {
    const silent = await startSilentPeer()
    try {
      fixture.providers.setEmail(smtp(silent))
      const senders = createConfiguredSenders(fixture.providers, { timeoutMs: 500 })
      const error = await appErrorOf(senders.email.send(outgoing))
      expect(error.code).toBe('DELIVERY_FAILED')
      expect(error.message).toBe(`the SMTP server at 127.0.0.1:${silent.port} did not answer within 0.5 seconds`)
      expect(silent.connections()).toBe(1)
    } finally {
      await silent.close()
    }
  })

  it('recipient refused: names the SMTP reply code and hides the code from the message (S9)', async () => {
    const peer = await startSmtpPeer({ failWith: { stage: 'rcpt', code: 550, message: 'No such user here' } })
    const dataPeer = await startSmtpPeer({ failWith: { stage: 'data', code: 554, message: `Rejected: ${code}` } })
    try {
      fixture.providers.setEmail(smtp(peer))
      const error = await appErrorOf(createConfiguredSenders(fixture.providers).email.send(outgoing))
      expect(error.message).toBe('the SMTP server refused the recipient address (550 No such user here)')

      // A server that echoes the code back: the error message (shown and audited) must not carry it.
      fixture.providers.setEmail(smtp(dataPeer))
      const echoed = await appErrorOf(createConfiguredSenders(fixture.providers).email.send(outgoing))
      expect(echoed.message).toBe('the SMTP server refused the message (554 Rejected: ***)')
      expect(echoed.message).not.toContain(code)
    } finally {
      await peer.close()
      await dataPeer.close()
    }
  })

  it('STARTTLS required but not offered: fails instead of sending in clear', async () => {
    const peer = await startSmtpPeer({ tls: false })
    try {
      fixture.providers.setEmail(smtp(peer, { security: 'starttls' }))
      const error = await appErrorOf(createConfiguredSenders(fixture.providers).email.send(outgoing))
      expect(error.message).toMatch(
        new RegExp(`^the SMTP server at 127\\.0\\.0\\.1:${peer.port} does not offer STARTTLS \\(5\\d\\d\\)$`),
      )
      expect(peer.messages).toHaveLength(0)
    } finally {
      await peer.close()
    }
  })

  it('TLS errors: an untrusted certificate and a port that does not speak TLS', async () => {
    // smtp-server's built-in certificate is self-signed for localhost (and expired): never trusted.
    const implicit = await startSmtpPeer({ tls: 'implicit' })
    const starttls = await startSmtpPeer({ tls: 'starttls' })
    const plainPeer = await startSmtpPeer()
    try {
      fixture.providers.setEmail(smtp(implicit, { security: 'tls' }))
      const untrusted = await appErrorOf(createConfiguredSenders(fixture.providers).email.send(outgoing))
      expect(untrusted.message).toMatch(
        /^the SMTP server at 127\.0\.0\.1:\d+ presented a certificate that is not trusted \(\w+\)$/,
      )

      fixture.providers.setEmail(smtp(starttls, { security: 'starttls' }))
      const upgraded = await appErrorOf(createConfiguredSenders(fixture.providers).email.send(outgoing))
      expect(upgraded.message).toMatch(/presented a certificate that is not trusted/)

      fixture.providers.setEmail(smtp(plainPeer, { security: 'tls' }))
      const notTls = await appErrorOf(createConfiguredSenders(fixture.providers).email.send(outgoing))
      expect(notTls.message).toMatch(
        /^the SMTP server at 127\.0\.0\.1:\d+ does not speak TLS on this port \(\w+\); check the port and security$/,
      )
      expect(implicit.messages.length + starttls.messages.length + plainPeer.messages.length).toBe(0)

      // security none means plain text even when the server offers STARTTLS (the administrator's choice).
      fixture.providers.setEmail(smtp(starttls, { security: 'none' }))
      await createConfiguredSenders(fixture.providers).email.send(outgoing)
      expect((await starttls.waitForMessage('bob@example.org')).secure).toBe(false)
    } finally {
      await implicit.close()
      await starttls.close()
      await plainPeer.close()
    }
  })
})
