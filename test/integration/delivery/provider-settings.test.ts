import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { emailSettingKey, smsSettingKey } from '../../../electron/main/adapters/delivery/provider-settings'
import type { EmailProviderInput, SmsProviderInput } from '../../../electron/shared/provider-schemas'
import { appErrorOfSync, openDeliveryFixture, type DeliveryFixture } from './delivery-fixture'

const smtpPassword = 'smtp-Pa55word-violet-kettle'
const kannelPassword = 'kannel-Pa55word-harbour-lamp'
const twilioToken = 'f3a9c0d1e2b34c5d6e7f8091a2b3c4d5'
const apiKey = 'api-key-9f8e7d6c5b4a-secret'
const accountSid = `AC${'0123456789abcdef'.repeat(2)}`

const email: EmailProviderInput = {
  host: 'smtp.example.org',
  port: 587,
  security: 'starttls',
  username: 'keyhold',
  password: smtpPassword,
  from: 'Keyhold <keyhold@example.org>',
}
const kannel: SmsProviderInput = {
  kind: 'kannel',
  url: 'http://127.0.0.1:13013/cgi-bin/sendsms',
  username: 'keyhold',
  password: kannelPassword,
  from: 'Keyhold',
}
const twilio: SmsProviderInput = { kind: 'twilio', accountSid, authToken: twilioToken, from: '+15005550006' }
const http: SmsProviderInput = {
  kind: 'http',
  method: 'POST',
  url: 'https://sms.example.org/api/send',
  headers: { 'X-Client': 'keyhold' },
  secretHeaders: { 'X-Api-Key': apiKey },
  body: '{"to":"{to}","text":"{text}"}',
  bodyEncoding: 'json',
}

let fixture: DeliveryFixture
beforeEach(() => {
  fixture = openDeliveryFixture()
})
afterEach(() => fixture.close())

describe('provider settings: secrets at rest (S20)', () => {
  it('S20: stores the SMTP password, Kannel password, Twilio token and secret header values only encrypted', () => {
    const { providers } = fixture
    providers.setEmail(email)
    providers.setSms(kannel)
    const kannelRow = fixture.settings.get(smsSettingKey)!
    providers.setSms(twilio)
    const twilioRow = fixture.settings.get(smsSettingKey)!
    providers.setSms(http)

    // The rows hold AES-GCM ciphertexts (v1.<keyId>.…) where the secrets would be.
    expect(JSON.parse(fixture.settings.get(emailSettingKey)!).password).toMatch(/^v1\.[0-9a-f]{16}\./)
    expect(JSON.parse(kannelRow).password).toMatch(/^v1\./)
    expect(JSON.parse(twilioRow).authToken).toMatch(/^v1\./)
    expect(JSON.parse(fixture.settings.get(smsSettingKey)!).secretHeaders['X-Api-Key']).toMatch(/^v1\./)

    // A scan of every file of the database (main file, WAL, shared memory) finds none of them in clear.
    fixture.db.pragma('wal_checkpoint(PASSIVE)')
    const bytes = fixture.bytes()
    expect(bytes.includes(Buffer.from('keyhold@example.org'))).toBe(true) // the scan does see the settings
    for (const secret of [smtpPassword, kannelPassword, twilioToken, apiKey]) {
      expect(bytes.includes(Buffer.from(secret))).toBe(false)
    }
  })

  it('S20: decrypts for the senders only, and a ciphertext moved to another field does not decrypt', () => {
    const { providers, settings } = fixture
    providers.setEmail(email)
    providers.setSms(kannel)
    expect(providers.resolved.email()).toMatchObject({ username: 'keyhold', password: smtpPassword })
    expect(providers.resolved.sms()).toMatchObject({ kind: 'kannel', password: kannelPassword })

    // Someone with write access to the database copies the SMTP password's ciphertext into the SMS row.
    const sealedSmtpPassword = JSON.parse(settings.get(emailSettingKey)!).password as string
    const row = JSON.parse(settings.get(smsSettingKey)!)
    settings.set(smsSettingKey, JSON.stringify({ ...row, password: sealedSmtpPassword }))
    const error = appErrorOfSync(() => providers.resolved.sms())
    expect(error.code).toBe('NOT_CONFIGURED')
    expect(error.message).toContain('cannot be decrypted')
  })

  it('views never contain a secret, only whether it is set', () => {
    const { providers } = fixture
    const emailView = providers.setEmail(email)
    expect(emailView).toEqual({
      host: 'smtp.example.org',
      port: 587,
      security: 'starttls',
      username: 'keyhold',
      passwordSet: true,
      unencryptedSignIn: false,
      from: 'Keyhold <keyhold@example.org>',
      subject: '{site} security code',
      text: 'Your {site} security code is {code}. It expires in {minutes} minutes.',
    })
    expect(providers.getEmail()).toEqual(emailView)

    expect(providers.setSms(kannel)).toEqual({
      kind: 'kannel',
      url: 'http://127.0.0.1:13013/cgi-bin/sendsms',
      username: 'keyhold',
      passwordSet: true,
      from: 'Keyhold',
    })
    expect(providers.setSms(twilio)).toEqual({
      kind: 'twilio',
      accountSid,
      authTokenSet: true,
      from: '+15005550006',
      baseUrl: 'https://api.twilio.com',
    })
    const httpView = providers.setSms(http)
    expect(httpView).toEqual({
      kind: 'http',
      method: 'POST',
      url: 'https://sms.example.org/api/send',
      headers: { 'X-Client': 'keyhold' },
      secretHeaderNames: ['X-Api-Key'],
      body: '{"to":"{to}","text":"{text}"}',
      bodyEncoding: 'json',
    })
    const everything = JSON.stringify([providers.getEmail(), providers.getSms(), emailView, httpView])
    for (const secret of [smtpPassword, kannelPassword, twilioToken, apiKey]) expect(everything).not.toContain(secret)
  })
})

describe('provider settings: write-only secrets', () => {
  it('keeps the stored SMTP password when it is omitted, and clears it with null', () => {
    const { providers } = fixture
    providers.setEmail(email)
    const { password: _omitted, ...withoutPassword } = email
    expect(providers.setEmail({ ...withoutPassword, from: 'other@example.org' })).toMatchObject({
      passwordSet: true,
      from: 'other@example.org',
    })
    expect(providers.resolved.email()?.password).toBe(smtpPassword)

    expect(providers.setEmail({ ...email, password: 'a-new-password' }).passwordSet).toBe(true)
    expect(providers.resolved.email()?.password).toBe('a-new-password')

    expect(providers.setEmail({ ...email, password: null }).passwordSet).toBe(false)
    expect(providers.resolved.email()?.password).toBeNull()
  })

  it('drops the password when the user name is removed, and refuses a password without a user name', () => {
    const { providers } = fixture
    providers.setEmail(email)
    const { password: _omitted, ...withoutPassword } = email
    expect(providers.setEmail({ ...withoutPassword, username: null }).passwordSet).toBe(false)
    const error = appErrorOfSync(() => providers.setEmail({ ...email, username: null }))
    expect(error.code).toBe('VALIDATION')
    expect(error.extra.fields).toEqual([
      { field: 'username', message: 'Enter the user name that goes with the password' },
    ])
  })

  it('keeps the Kannel password and the Twilio token when omitted', () => {
    const { providers } = fixture
    providers.setSms(kannel)
    const { password: _p, ...kannelWithoutPassword } = kannel as Extract<SmsProviderInput, { kind: 'kannel' }>
    expect(providers.setSms({ ...kannelWithoutPassword, from: 'Other' })).toMatchObject({ passwordSet: true })
    expect(providers.resolved.sms()).toMatchObject({ from: 'Other', password: kannelPassword })
    // S34: another user is another secret: it must be typed again.
    const otherUser = appErrorOfSync(() => providers.setSms({ ...kannelWithoutPassword, username: 'other' }))
    expect(otherUser.extra.fields?.[0]?.field).toBe('password')
    expect(providers.resolved.sms()).toMatchObject({ username: 'keyhold', password: kannelPassword })

    providers.setSms(twilio)
    const { authToken: _t, ...twilioWithoutToken } = twilio as Extract<SmsProviderInput, { kind: 'twilio' }>
    expect(providers.setSms({ ...twilioWithoutToken, from: 'MG0123' })).toMatchObject({ authTokenSet: true })
    expect(providers.resolved.sms()).toMatchObject({ from: 'MG0123', authToken: twilioToken })
    const otherSid = appErrorOfSync(() =>
      providers.setSms({ ...twilioWithoutToken, accountSid: `AC${'f'.repeat(32)}` }),
    )
    expect(otherSid.extra.fields?.[0]?.field).toBe('authToken')
  })

  it('keeps secret headers when omitted, and replaces the whole set when given', () => {
    const { providers } = fixture
    providers.setSms(http)
    const { secretHeaders: _s, ...httpWithoutSecrets } = http as Extract<SmsProviderInput, { kind: 'http' }>
    expect(providers.setSms(httpWithoutSecrets)).toMatchObject({ secretHeaderNames: ['X-Api-Key'] })
    expect(providers.resolved.sms()).toMatchObject({ secretHeaders: { 'X-Api-Key': apiKey } })
    expect(providers.setSms({ ...httpWithoutSecrets, secretHeaders: {} })).toMatchObject({ secretHeaderNames: [] })
    expect(providers.resolved.sms()).toMatchObject({ secretHeaders: {} })
  })

  it('keeps a stored secret only for the same server, so a changed host cannot receive it', () => {
    const { providers } = fixture
    providers.setEmail(email)
    const { password: _p, ...emailWithoutPassword } = email
    const moved = appErrorOfSync(() => providers.setEmail({ ...emailWithoutPassword, host: 'attacker.example.net' }))
    expect(moved.code).toBe('VALIDATION')
    expect(moved.extra.fields?.[0]?.field).toBe('password')
    expect(providers.resolved.email()?.host).toBe('smtp.example.org') // nothing changed
    // Entering the password again for the new server is fine.
    expect(providers.setEmail({ ...email, host: 'smtp2.example.org' }).passwordSet).toBe(true)

    providers.setSms(kannel)
    const { password: _k, ...kannelWithoutPassword } = kannel as Extract<SmsProviderInput, { kind: 'kannel' }>
    const kannelMoved = appErrorOfSync(() =>
      providers.setSms({ ...kannelWithoutPassword, url: 'http://203.0.113.7:13013/cgi-bin/sendsms' }),
    )
    expect(kannelMoved.extra.fields?.[0]?.field).toBe('password')
    // Another path on the same server keeps it.
    expect(providers.setSms({ ...kannelWithoutPassword, url: 'http://127.0.0.1:13013/sendsms' }).kind).toBe('kannel')
    expect(providers.resolved.sms()).toMatchObject({ password: kannelPassword })
  })

  it('needs the secret when an SMS provider is set up for the first time or changes kind', () => {
    const { providers } = fixture
    const { password: _k, ...kannelWithoutPassword } = kannel as Extract<SmsProviderInput, { kind: 'kannel' }>
    expect(appErrorOfSync(() => providers.setSms(kannelWithoutPassword)).extra.fields?.[0]?.field).toBe('password')
    providers.setSms(kannel)
    const { authToken: _t, ...twilioWithoutToken } = twilio as Extract<SmsProviderInput, { kind: 'twilio' }>
    expect(appErrorOfSync(() => providers.setSms(twilioWithoutToken)).extra.fields?.[0]?.field).toBe('authToken')
  })
})

describe('provider settings: validation and clearing', () => {
  it('refuses invalid input with the field that is wrong', () => {
    const { providers } = fixture
    const badPort = appErrorOfSync(() => providers.setEmail({ ...email, port: 0 }))
    expect(badPort.code).toBe('VALIDATION')
    expect(badPort.extra.fields?.[0]?.field).toBe('port')
    const badSid = appErrorOfSync(() => providers.setSms({ ...twilio, accountSid: 'XX1' } as SmsProviderInput))
    expect(badSid.extra.fields?.[0]).toEqual({
      field: 'accountSid',
      message: 'A Twilio Account SID starts with AC and has 34 characters',
    })
    const getWithBody = appErrorOfSync(() => providers.setSms({ ...http, method: 'GET' } as SmsProviderInput))
    expect(getWithBody.extra.fields?.[0]?.field).toBe('body')
    const twice = appErrorOfSync(() =>
      providers.setSms({ ...http, headers: { 'x-api-key': 'plain' } } as SmsProviderInput),
    )
    expect(twice.extra.fields?.[0]?.field).toBe('secretHeaders')
    expect(providers.getEmail()).toBeNull()
    expect(providers.getSms()).toBeNull()
  })

  it('clears the email and SMS providers', () => {
    const { providers } = fixture
    providers.setEmail(email)
    providers.setSms(kannel)
    providers.clearEmail()
    providers.clearSms()
    expect(providers.getEmail()).toBeNull()
    expect(providers.getSms()).toBeNull()
    expect(providers.resolved.email()).toBeNull()
    expect(providers.resolved.sms()).toBeNull()
  })

  it('has a default SMS text and stores a new one', () => {
    const { providers } = fixture
    expect(providers.getSmsText()).toBe('{code} is your {site} security code. It expires in {minutes} minutes.')
    expect(providers.setSmsText('{site}: {code}')).toBe('{site}: {code}')
    expect(providers.getSmsText()).toBe('{site}: {code}')
    expect(appErrorOfSync(() => providers.setSmsText('')).code).toBe('VALIDATION')
  })
})
