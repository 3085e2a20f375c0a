import { flushPromises, type DOMWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  createFakeBridge,
  fail,
  installBridge,
  ok,
  providersView,
  readyState,
  sessionFor,
  stepUpRequired,
  type FakeBridge,
} from './support/fake-bridge'
import { inputByLabel, mountApp, type MountedApp } from './support/mount-app'

/** Issue 5, "Providers": SMTP and SMS settings, write-only secrets (S20), test messages. */
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

function text(within: DOMWrapper<Element>): string {
  return within.text().replace(/\s+/g, ' ')
}

async function click(within: Pick<DOMWrapper<Element>, 'findAll'>, label: string): Promise<void> {
  const button = within.findAll('button').find((b) => b.text() === label)
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
      'Enter the password. A stored password is kept only while the server stays the same.',
    )
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
