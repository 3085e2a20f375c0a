import { flushPromises, type DOMWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  createFakeBridge,
  fail,
  installBridge,
  isoAt,
  ok,
  providersView,
  readyState,
  sessionFor,
  stepUpRequired,
  type FakeBridge,
} from './support/fake-bridge'
import { inputByLabel, mountApp, type MountedApp } from './support/mount-app'

/**
 * Issue 5, "Providers": SMTP and SMS settings, write-only secrets (S20), test
 * messages, the result of the last send, the SMS country allow-list and the
 * email-to-SMS gateway.
 */
let bridge: FakeBridge
let app: MountedApp

beforeEach(() => {
  bridge = createFakeBridge()
  bridge.getAppState.mockResolvedValue(ok(readyState({ session: sessionFor() })))
  installBridge(bridge)
})

afterEach(() => {
  expect(app.missingKeys).toEqual([])
  app.unmount()
  installBridge(undefined)
})

/** A section of the page (a region named by its heading). */
function region(name: string): DOMWrapper<Element> {
  const found = app.wrapper
    .findAll('section[aria-labelledby]')
    .find((s) => app.wrapper.get(`#${s.attributes('aria-labelledby')}`).text() === name)
  if (!found) throw new Error(`No region "${name}"`)
  return found
}

function text(within: Pick<DOMWrapper<Element>, 'text'>): string {
  return within.text().replace(/\s+/g, ' ')
}

/** A button by its text or, for an icon button, its aria-label. */
async function click(within: Pick<DOMWrapper<Element>, 'findAll'>, label: string): Promise<void> {
  const button = within
    .findAll('button')
    .find((b) => b.text().replace(/\s+/g, ' ').trim() === label || b.attributes('aria-label') === label)
  if (!button) throw new Error(`No button "${label}"`)
  await button.trigger('click')
  await flushPromises()
}

function value(id: string): string {
  return (app.wrapper.get(`#${id}`).element as HTMLInputElement).value
}

describe('the email provider', () => {
  it('S20: shows the stored password only as "Set", and keeps it when no new one is typed', async () => {
    app = await mountApp('/admin/providers')
    expect(app.wrapper.get('h1').text()).toBe('Providers')
    const email = region('Email (SMTP)')
    expect(text(email)).toContain('Set up')
    expect(value('email-host')).toBe('smtp.example.org')
    expect(value('email-port')).toBe('587')
    // Nothing to read back: a badge and "Change", no field with a value.
    expect(email.find('#email-password').exists()).toBe(false)
    expect(app.wrapper.get('#email-password-state').text()).toBe('Set')
    expect(email.findAll('input[type="password"]')).toHaveLength(0)

    await inputByLabel(app.wrapper, 'SMTP host').setValue('mail.example.org')
    await click(email, 'Save email settings')
    const sent = bridge.setEmailProvider.mock.calls[0]![0]
    expect(sent).toEqual({
      host: 'mail.example.org',
      port: 587,
      security: 'starttls',
      username: 'keyhold',
      unencryptedSignIn: false,
      from: 'Keyhold <keyhold@example.org>',
      subject: '{site} security code',
      text: 'Your {site} security code is {code}. It expires in {minutes} minutes.',
    })
    expect('password' in sent).toBe(false)
    expect(text(email)).toContain('The email settings were saved.')
  })

  it('S15, S20: "Change" reveals an empty field; the new password is sent once, after step-up, and not kept', async () => {
    bridge.setEmailProvider.mockResolvedValueOnce(stepUpRequired())
    app = await mountApp('/admin/providers')
    const email = region('Email (SMTP)')
    await click(email, 'Change SMTP password')
    const field = inputByLabel(app.wrapper, 'SMTP password')
    expect((field.element as HTMLInputElement).value).toBe('')
    expect(field.attributes('type')).toBe('password')
    expect(field.attributes('autocomplete')).toBe('new-password')
    expect(document.activeElement).toBe(field.element)

    // Revealed but left empty: the page asks for a value or the stored one.
    await click(email, 'Save email settings')
    expect(bridge.setEmailProvider).not.toHaveBeenCalled()
    expect(text(email)).toContain('Type the new value, or keep the stored one.')

    await inputByLabel(app.wrapper, 'SMTP password').setValue('smtp secret 1')
    await click(email, 'Save email settings')
    await inputByLabel(app.wrapper, 'Password').setValue('orbit lantern pebble quartz')
    await click(app.wrapper.get('dialog'), 'Confirm')
    expect(bridge.setEmailProvider).toHaveBeenCalledTimes(2)
    expect(bridge.setEmailProvider.mock.calls[1]![0].password).toBe('smtp secret 1')
    // Back to "Set": the typed password is gone from the page.
    expect(app.wrapper.find('#email-password').exists()).toBe(false)
    expect(app.wrapper.html()).not.toContain('smtp secret 1')

    await click(email, 'Change SMTP password')
    await inputByLabel(app.wrapper, 'SMTP password').setValue('half typed')
    await click(email, 'Keep the stored one SMTP password')
    await click(email, 'Save email settings')
    expect('password' in bridge.setEmailProvider.mock.calls[2]![0]).toBe(false)
  })

  it('shows a field the main process refused beside it', async () => {
    bridge.setEmailProvider.mockResolvedValue(
      fail({
        code: 'VALIDATION',
        message: 'x',
        fields: [
          {
            field: 'password',
            message: 'Enter it again: a stored secret is only kept while the server stays the same',
          },
        ],
      }),
    )
    app = await mountApp('/admin/providers')
    await inputByLabel(app.wrapper, 'SMTP host').setValue('other.example.org')
    await click(region('Email (SMTP)'), 'Save email settings')
    expect(app.wrapper.get('#email-password-error').text()).toBe(
      'Enter the password. A stored password is kept only while the server, the user name and the security stay the same.',
    )
  })

  it('S34: "no encryption" with a user name asks for the choice to be ticked, and sends it only then', async () => {
    app = await mountApp('/admin/providers')
    const email = region('Email (SMTP)')
    expect(email.find('#email-unencryptedSignIn').exists()).toBe(false)
    await inputByLabel(app.wrapper, 'Security').setValue('none')
    const box = inputByLabel(app.wrapper, 'Sign in without encryption on this server')
    await click(email, 'Save email settings')
    expect(bridge.setEmailProvider).not.toHaveBeenCalled()
    expect(app.wrapper.get('#email-unencryptedSignIn-error').text()).toBe(
      'Without encryption the user name and password cross the network in clear: choose STARTTLS or TLS, or tick “Sign in without encryption”.',
    )
    await box.setValue(true)
    await click(email, 'Save email settings')
    expect(bridge.setEmailProvider.mock.calls[0]![0]).toMatchObject({ security: 'none', unencryptedSignIn: true })
    // Without a user name there is nothing to send in clear, and nothing to ask.
    await inputByLabel(app.wrapper, 'SMTP username').setValue('')
    expect(email.find('#email-unencryptedSignIn').exists()).toBe(false)
  })

  it('with nothing set up, offers an empty form and no "Clear"', async () => {
    bridge.getProviders.mockResolvedValue(ok(providersView({ email: null, sms: null })))
    app = await mountApp('/admin/providers')
    const email = region('Email (SMTP)')
    expect(text(email)).toContain('Not set up')
    expect(value('email-password')).toBe('')
    expect(text(email)).toContain('Not set')
    expect(email.findAll('button').some((b) => b.text() === 'Clear email settings')).toBe(false)
  })

  it('clears the settings once confirmed', async () => {
    app = await mountApp('/admin/providers')
    await click(region('Email (SMTP)'), 'Clear email settings')
    const dialog = app.wrapper.get('dialog')
    expect(dialog.get('h2').text()).toBe('Clear the email settings?')
    await click(dialog, 'Clear')
    expect(bridge.clearProvider).toHaveBeenCalledWith({ kind: 'email' })
    expect(text(region('Email (SMTP)'))).toContain('The email settings were cleared.')
    expect(text(region('Email (SMTP)'))).toContain('Not set up')
  })

  it('S35: a refused clear says how many accounts it would lock out, in the dialog, and nothing is cleared', async () => {
    bridge.clearProvider.mockResolvedValue(
      fail({ code: 'CONFLICT', message: 'Removing the email server would lock people out', affectedAccounts: 3 }),
    )
    app = await mountApp('/admin/providers')
    await click(region('Email (SMTP)'), 'Clear email settings')
    const dialog = app.wrapper.get('dialog')
    await click(dialog, 'Clear')
    expect(text(app.wrapper.get('dialog'))).toContain(
      'This would lock people out: 3 accounts could no longer sign in or meet the Required policy.',
    )
    expect(text(region('Email (SMTP)'))).not.toContain('The email settings were cleared.')
  })
})

describe('"Send test message"', () => {
  it('sends to the address typed and says it was sent', async () => {
    app = await mountApp('/admin/providers')
    const email = region('Email (SMTP)')
    await inputByLabel(app.wrapper, 'Test email address').setValue(' ops@example.org ')
    await click(email, 'Send test message')
    expect(bridge.testProvider).toHaveBeenCalledWith({ kind: 'email', to: 'ops@example.org' })
    expect(text(email)).toContain('The test message was sent to ops@example.org.')
  })

  it("shows the provider's own words when the message could not be sent", async () => {
    bridge.testProvider.mockResolvedValue(
      fail({ code: 'DELIVERY_FAILED', message: 'the SMS gateway refused the message (403)' }),
    )
    app = await mountApp('/admin/providers')
    const sms = region('Text messages (SMS)')
    await inputByLabel(app.wrapper, 'Test phone number').setValue('+44 20 7946 0958')
    await click(sms, 'Send test message')
    expect(bridge.testProvider).toHaveBeenCalledWith({ kind: 'sms', to: '+44 20 7946 0958' })
    const alert = sms.findAll('[role="alert"]').map((a) => a.text())
    expect(alert).toContain(
      'The test message could not be sent. The provider said: the SMS gateway refused the message (403)',
    )
  })

  it('asks for an address first, and says when the provider is not set up', async () => {
    bridge.testProvider.mockResolvedValue(fail({ code: 'NOT_CONFIGURED', message: 'x' }))
    app = await mountApp('/admin/providers')
    const email = region('Email (SMTP)')
    await click(email, 'Send test message')
    expect(bridge.testProvider).not.toHaveBeenCalled()
    expect(text(email)).toContain('Enter an email address to send the test to.')
    await inputByLabel(app.wrapper, 'Test email address').setValue('ops@example.org')
    await click(email, 'Send test message')
    expect(text(email)).toContain('This provider is not set up yet. Save its settings first.')
  })
})

describe('the SMS provider', () => {
  it('S20: Kannel with its password kept, then Twilio, whose token must be typed', async () => {
    app = await mountApp('/admin/providers')
    const sms = region('Text messages (SMS)')
    expect(value('sms-kind')).toBe('kannel')
    expect(app.wrapper.get('#sms-password-state').text()).toBe('Set')
    await click(sms, 'Save SMS settings')
    expect(bridge.setSmsProvider).toHaveBeenLastCalledWith({
      provider: { kind: 'kannel', url: 'http://127.0.0.1:13013/cgi-bin/sendsms', username: 'keyhold', from: null },
      text: '{code} is your {site} security code. It expires in {minutes} minutes.',
    })

    // Another gateway has no stored secret to keep.
    await inputByLabel(app.wrapper, 'SMS gateway').setValue('twilio')
    expect(value('sms-authToken')).toBe('')
    await inputByLabel(app.wrapper, 'Account SID').setValue(`AC${'0'.repeat(32)}`)
    await inputByLabel(app.wrapper, 'From number').setValue('+15005550006')
    await click(sms, 'Save SMS settings')
    expect(bridge.setSmsProvider).toHaveBeenCalledTimes(1)
    expect(text(sms)).toContain('Type the new value, or keep the stored one.')
    await inputByLabel(app.wrapper, 'Auth token').setValue('twilio token')
    await click(sms, 'Save SMS settings')
    expect(bridge.setSmsProvider).toHaveBeenLastCalledWith({
      provider: {
        kind: 'twilio',
        accountSid: `AC${'0'.repeat(32)}`,
        authToken: 'twilio token',
        from: '+15005550006',
        baseUrl: 'https://api.twilio.com',
      },
      text: '{code} is your {site} security code. It expires in {minutes} minutes.',
    })
  })

  it('S20: a generic HTTP API with plain headers, and secret headers shown by name only', async () => {
    const http = {
      kind: 'http' as const,
      method: 'POST' as const,
      url: 'https://sms.example.org/send',
      headers: { 'X-Client': 'keyhold' },
      secretHeaderNames: ['Authorization'],
      body: '{"to":"{to}","text":"{text}"}',
      bodyEncoding: 'json' as const,
    }
    bridge.getProviders.mockResolvedValue(ok(providersView({ sms: http })))
    bridge.setSmsProvider.mockImplementation(async (input) =>
      ok({ ...http, headers: input.provider.kind === 'http' ? (input.provider.headers ?? {}) : {} }),
    )
    app = await mountApp('/admin/providers')
    const sms = region('Text messages (SMS)')
    expect(value('sms-kind')).toBe('http')
    expect(app.wrapper.get('#sms-secretHeaders-state').text()).toBe('Set: Authorization')
    await click(sms, 'Add header')
    await inputByLabel(app.wrapper, 'Header 2 name').setValue('Accept')
    await inputByLabel(app.wrapper, 'Header 2 value').setValue('application/json')
    await click(sms, 'Save SMS settings')
    const first = bridge.setSmsProvider.mock.calls[0]![0].provider
    expect(first).toEqual({
      kind: 'http',
      method: 'POST',
      url: 'https://sms.example.org/send',
      headers: { 'X-Client': 'keyhold', Accept: 'application/json' },
      body: '{"to":"{to}","text":"{text}"}',
      bodyEncoding: 'json',
    })

    await click(sms, 'Change Secret headers')
    // The names come back for editing; the values never do.
    expect((inputByLabel(app.wrapper, 'Secret header 1 name').element as HTMLInputElement).value).toBe('Authorization')
    expect((inputByLabel(app.wrapper, 'Secret header 1 value').element as HTMLInputElement).value).toBe('')
    await inputByLabel(app.wrapper, 'Secret header 1 value').setValue('Bearer abc')
    await click(sms, 'Save SMS settings')
    expect(bridge.setSmsProvider.mock.calls[1]![0].provider).toMatchObject({
      secretHeaders: { Authorization: 'Bearer abc' },
    })
  })
})

const lastSendText = (kind: 'email' | 'sms') =>
  app.wrapper.get(`#provider-${kind}-last-send`).text().replace(/\s+/g, ' ')

describe('the last send per provider', () => {
  it('says when nothing was sent yet, when a message went, and why one did not', async () => {
    bridge.getProviders.mockResolvedValue(
      ok(
        providersView({
          lastSend: {
            email: { at: isoAt(-180), ok: true, purpose: 'test', to: 'o•s@example.org', detail: null },
            sms: null,
          },
        }),
      ),
    )
    app = await mountApp('/admin/providers')
    expect(lastSendText('email')).toMatch(/^Last send: sent 3 minutes ago\. Test message to o•s@example\.org, /)
    expect(app.wrapper.get('#provider-email-last-send time').attributes('datetime')).toBe(isoAt(-180))
    expect(lastSendText('sms')).toBe('Last send: nothing sent yet.')

    // Time moves on, and so does the text.
    app.clock.advance(2 * 3600_000)
    await flushPromises()
    expect(lastSendText('email')).toMatch(/^Last send: sent 2 hours ago\./)
  })

  it("a failure shows the provider's words, and a test message updates it without touching the forms", async () => {
    app = await mountApp('/admin/providers')
    const sms = region('Text messages (SMS)')
    // Something typed into the form, not saved: the refresh after the test must not wipe it.
    await inputByLabel(app.wrapper, 'Kannel username').setValue('typed-not-saved')
    const reason = 'the SMS gateway refused the username or password (403); check the credentials'
    bridge.testProvider.mockResolvedValue(fail({ code: 'DELIVERY_FAILED', message: reason }))
    bridge.getProviders.mockResolvedValue(
      ok(
        providersView({
          lastSend: {
            email: null,
            sms: { at: isoAt(-120), ok: false, purpose: 'test', to: '+44 •••••••958', detail: reason },
          },
        }),
      ),
    )
    await inputByLabel(app.wrapper, 'Test phone number').setValue('+44 20 7946 0958')
    await click(sms, 'Send test message')
    expect(lastSendText('sms')).toMatch(
      /^Last send failed 2 minutes ago: the SMS gateway refused the username or password \(403\); check the credentials Test message to \+44 •••••••958, /,
    )
    expect(app.wrapper.get('#provider-sms-last-send').classes()).toContain('provider-last-send--failed')
    expect((inputByLabel(app.wrapper, 'Kannel username').element as HTMLInputElement).value).toBe('typed-not-saved')
  })

  it('a code sent by the engine is shown as such, in Chinese too', async () => {
    bridge.getProviders.mockResolvedValue(
      ok(
        providersView({
          lastSend: {
            email: null,
            sms: { at: isoAt(-60), ok: true, purpose: 'code', to: '+44 •••••••958', detail: null },
          },
        }),
      ),
    )
    app = await mountApp('/admin/providers', { locale: 'zh-CN' })
    expect(lastSendText('sms')).toMatch(/^上次发送：1分钟前已发送。 发送到 \+44 •••••••958 的验证码，/)
  })
})

describe('Allowed countries', () => {
  const chipNames = () => app.wrapper.findAll('.country-chip__name').map((c) => c.text())

  it('any country by default; a list is built with the searchable picker and saved after the password check', async () => {
    bridge.setSmsCountries.mockResolvedValueOnce(stepUpRequired())
    app = await mountApp('/admin/providers')
    const form = app.wrapper.get('form[aria-labelledby="sms-countries-title"]')
    expect((app.wrapper.get('#sms-countries-any').element as HTMLInputElement).checked).toBe(true)
    expect(form.find('#sms-countries-add').exists()).toBe(false)

    await app.wrapper.get('#sms-countries-list').setValue(true)
    const picker = inputByLabel(app.wrapper, 'Add a country')
    expect(picker.attributes('role')).toBe('combobox')
    await picker.setValue('germ')
    await picker.trigger('keydown', { key: 'Enter' })
    await click(form, 'Add country')
    await picker.setValue('+44')
    expect(app.wrapper.findAll('[role="option"]').map((o) => o.text().replace(/\s+/g, ' '))).toContain(
      '🇬🇧 United Kingdom +44',
    )
    await picker.setValue('united k')
    await picker.trigger('keydown', { key: 'Enter' })
    await click(form, 'Add country')
    expect(chipNames()).toEqual(['Germany', 'United Kingdom'])
    expect(app.wrapper.get('[role="status"][aria-live="polite"]').text()).toBe('United Kingdom added.')
    // Listed countries are no longer offered.
    await picker.setValue('germ')
    expect(app.wrapper.findAll('[role="option"]').map((o) => o.text())).toEqual(['No country matches.'])
    await picker.trigger('keydown', { key: 'Escape' })

    await click(form, 'Save allowed countries')
    await inputByLabel(app.wrapper, 'Password').setValue('orbit lantern pebble quartz')
    await click(app.wrapper.get('dialog'), 'Confirm')
    expect(bridge.setSmsCountries).toHaveBeenCalledTimes(2)
    expect(bridge.setSmsCountries).toHaveBeenLastCalledWith({ countries: ['DE', 'GB'] })
    expect(text(form)).toContain('The allowed countries were saved.')
  })

  it('each chip has a remove button named for its country; removing keeps focus in the list', async () => {
    bridge.getProviders.mockResolvedValue(ok(providersView({ smsCountries: ['GB', 'IE', 'FR'] })))
    app = await mountApp('/admin/providers')
    expect((app.wrapper.get('#sms-countries-list').element as HTMLInputElement).checked).toBe(true)
    expect(app.wrapper.get('.country-chips').attributes('aria-label')).toBe('Countries text messages may go to')
    expect(chipNames()).toEqual(['United Kingdom', 'Ireland', 'France'])
    const remove = app.wrapper.findAll('.country-chip__remove').map((b) => b.attributes('aria-label'))
    expect(remove).toEqual(['Remove United Kingdom', 'Remove Ireland', 'Remove France'])

    await click(app.wrapper, 'Remove Ireland')
    expect(chipNames()).toEqual(['United Kingdom', 'France'])
    expect(document.activeElement?.getAttribute('aria-label')).toBe('Remove France')
    expect(app.wrapper.get('[role="status"][aria-live="polite"]').text()).toBe('Ireland removed.')

    await click(app.wrapper, 'Save allowed countries')
    expect(bridge.setSmsCountries).toHaveBeenLastCalledWith({ countries: ['GB', 'FR'] })

    // Back to any country: null, not an empty list.
    await app.wrapper.get('#sms-countries-any').setValue(true)
    await click(app.wrapper, 'Save allowed countries')
    expect(bridge.setSmsCountries).toHaveBeenLastCalledWith({ countries: null })
  })

  it('an empty list is not saved: the page asks for a country or "Any country"', async () => {
    bridge.getProviders.mockResolvedValue(ok(providersView({ smsCountries: ['GB'] })))
    app = await mountApp('/admin/providers')
    await click(app.wrapper, 'Remove United Kingdom')
    expect(app.wrapper.find('.country-chips').exists()).toBe(false)
    expect(document.activeElement?.id).toBe('sms-countries-add')
    await click(app.wrapper, 'Save allowed countries')
    expect(bridge.setSmsCountries).not.toHaveBeenCalled()
    expect(app.wrapper.get('#sms-countries-error').text()).toBe('Add at least one country, or choose "Any country".')
  })
})

describe('the email-to-SMS gateway', () => {
  it('is a kind of SMS gateway with an address template; it warns while no email provider is set up', async () => {
    bridge.getProviders.mockResolvedValue(ok(providersView({ email: null })))
    bridge.setSmsProvider.mockImplementation(async (input) =>
      ok({
        kind: 'email' as const,
        addressTemplate: input.provider.kind === 'email' ? input.provider.addressTemplate : '',
      }),
    )
    app = await mountApp('/admin/providers')
    const sms = region('Text messages (SMS)')
    await inputByLabel(app.wrapper, 'SMS gateway').setValue('email')
    expect(text(sms)).toContain(
      'Text messages go out as email through the email provider above, which is not set up yet. Set it up first.',
    )
    const address = inputByLabel(app.wrapper, 'Gateway address')
    expect(app.wrapper.get(`#${address.attributes('aria-describedby')!.split(' ')[0]}`).text()).toBe(
      '{number} is replaced with the phone number in digits, without +; for example {number}@sms.example.net.',
    )

    await click(sms, 'Save SMS settings')
    expect(bridge.setSmsProvider).not.toHaveBeenCalled()
    expect(app.wrapper.get('#sms-addressTemplate-error').text()).toBe('Enter the gateway address.')
    expect(document.activeElement?.id).toBe('sms-addressTemplate')
    await address.setValue('sms@gateway.example.org')
    await click(sms, 'Save SMS settings')
    expect(bridge.setSmsProvider).not.toHaveBeenCalled()
    expect(app.wrapper.get('#sms-addressTemplate-error').text()).toBe(
      'Put the placeholder for the number where the phone number goes, as in the example.',
    )

    await address.setValue(' {number}@gateway.example.org ')
    await click(sms, 'Save SMS settings')
    expect(bridge.setSmsProvider).toHaveBeenLastCalledWith({
      provider: { kind: 'email', addressTemplate: '{number}@gateway.example.org' },
      text: '{code} is your {site} security code. It expires in {minutes} minutes.',
    })
    expect(text(sms)).toContain('The SMS settings were saved.')
  })

  it('a stored email-to-SMS gateway is shown as such, with no warning while email is set up', async () => {
    bridge.getProviders.mockResolvedValue(
      ok(providersView({ sms: { kind: 'email', addressTemplate: '{number}@sms.example.net' } })),
    )
    app = await mountApp('/admin/providers')
    expect((app.wrapper.get('#sms-kind').element as HTMLSelectElement).value).toBe('email')
    expect((inputByLabel(app.wrapper, 'Gateway address').element as HTMLInputElement).value).toBe(
      '{number}@sms.example.net',
    )
    expect(text(region('Text messages (SMS)'))).not.toContain('Set it up first')
  })
})
