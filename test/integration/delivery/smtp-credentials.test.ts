import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createConfiguredSenders } from '../../../electron/main/adapters/delivery/configured-senders'
import { emailSettingKey } from '../../../electron/main/adapters/delivery/provider-settings'
import type { EmailProviderInput } from '../../../electron/shared/provider-schemas'
import { startSmtpPeer, type SmtpPeer } from '../../peers/smtp-peer'
import { appErrorOf, openDeliveryFixture, type DeliveryFixture } from './delivery-fixture'

/**
 * S34 against a real SMTP server that takes AUTH without TLS (as a careless
 * server would): the stored password never follows a change of host, port,
 * user or transport security, and it never goes over an unencrypted connection
 * unless the administrator said so for this server.
 */
const password = 'right-password'
const outgoing = { to: 'bob@example.org', subject: 'Acme security code', text: 'Your code is 482913.' }

let fixture: DeliveryFixture
let peer: SmtpPeer
beforeAll(async () => {
  peer = await startSmtpPeer({ auth: { user: 'keyhold', pass: password } })
})
afterAll(() => peer.close())
beforeEach(() => {
  fixture = openDeliveryFixture()
})
afterEach(() => fixture.close())

const server = (extra: Partial<EmailProviderInput>): EmailProviderInput => ({
  host: peer.host,
  port: peer.port,
  security: 'tls',
  username: 'keyhold',
  from: 'keyhold@acme.example',
  ...extra,
})
const send = () => createConfiguredSenders(fixture.providers).email.send(outgoing)
const inClear = () => peer.authAttempts.filter((a) => !a.secure)
const refusal = (action: () => unknown) => {
  try {
    action()
  } catch (error) {
    return error as { code: string; message: string; extra: { fields?: { field: string }[] } }
  }
  throw new Error('expected a refusal')
}

describe('S34: SMTP credentials', () => {
  it('S34: a switch from TLS to no encryption does not keep the password, and no AUTH goes out in clear', async () => {
    const before = inClear().length
    fixture.providers.setEmail(server({ password }))
    const moved = refusal(() => fixture.providers.setEmail(server({ security: 'none' })))
    expect(moved).toMatchObject({ code: 'VALIDATION', extra: { fields: [{ field: 'password' }] } })
    expect(moved.message).toMatch(/Enter it again/)
    // Even said knowingly, a stored password does not follow: it must be typed for the new settings.
    expect(
      refusal(() => fixture.providers.setEmail(server({ security: 'none', unencryptedSignIn: true }))),
    ).toMatchObject({ code: 'VALIDATION', extra: { fields: [{ field: 'password' }] } })
    expect(fixture.providers.getEmail()).toMatchObject({ security: 'tls', passwordSet: true })
    // The stored settings still say TLS: the send fails on TLS, before any sign-in.
    await appErrorOf(send())
    expect(inClear()).toHaveLength(before)
  })

  it('S34: a password typed for a server without encryption is refused unless "no encryption" is chosen for it', async () => {
    const refused = refusal(() => fixture.providers.setEmail(server({ security: 'none', password })))
    expect(refused).toMatchObject({ code: 'VALIDATION', extra: { fields: [{ field: 'unencryptedSignIn' }] } })
    expect(fixture.providers.getEmail()).toBeNull()
    // Said knowingly, for this server: it signs in, in clear, as chosen.
    const view = fixture.providers.setEmail(server({ security: 'none', password, unencryptedSignIn: true }))
    expect(view).toMatchObject({ security: 'none', unencryptedSignIn: true, passwordSet: true })
    const before = inClear().length
    await send()
    expect((await peer.waitForMessage('bob@example.org')).user).toBe('keyhold')
    expect(inClear()).toHaveLength(before + 1)
    // Any other server (here another port) is a new choice: the consent does not carry over, nor the password.
    expect(
      refusal(() =>
        fixture.providers.setEmail(server({ security: 'none', port: peer.port + 1, unencryptedSignIn: true })),
      ),
    ).toMatchObject({ extra: { fields: [{ field: 'password' }] } })
  })

  it('S34: a new user name, host or port drops the stored password unless it is entered again', () => {
    fixture.providers.setEmail(server({ password }))
    for (const change of [
      { username: 'other' },
      { host: 'LOCALHOST' },
      { port: peer.port + 1 },
      { security: 'starttls' as const },
    ]) {
      expect(refusal(() => fixture.providers.setEmail(server(change)))).toMatchObject({
        extra: { fields: [{ field: 'password' }] },
      })
    }
    // The same settings (host in another case) keep it.
    expect(fixture.providers.setEmail(server({ host: peer.host.toUpperCase() }))).toMatchObject({ passwordSet: true })
    // Entered again, the change is taken.
    expect(fixture.providers.setEmail(server({ username: 'other', password: 'new-one' }))).toMatchObject({
      username: 'other',
      passwordSet: true,
    })
  })

  it('S34: settings stored before the choice existed (no encryption, with a password) never sign in in clear', async () => {
    fixture.settings.set(
      emailSettingKey,
      JSON.stringify({
        host: peer.host,
        port: peer.port,
        security: 'none',
        username: 'keyhold',
        password: fixture.cipher.encrypt(password, `${emailSettingKey}:password`),
        from: 'keyhold@acme.example',
        subject: '{site} code',
        text: '{code}',
      }),
    )
    const before = inClear().length
    const error = await appErrorOf(send())
    expect(error.code).toBe('DELIVERY_FAILED')
    expect(error.message).toMatch(/without encryption/)
    expect(inClear()).toHaveLength(before)
  })
})
