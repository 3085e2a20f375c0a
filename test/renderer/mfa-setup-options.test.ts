import { flushPromises } from '@vue/test-utils'
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import type { AccountView, SessionView } from '../../electron/shared/schemas'
import {
  adminAccount,
  createFakeBridge,
  installBridge,
  ok,
  readyState,
  sessionFor,
  type FakeBridge,
} from './support/fake-bridge'
import { buttonByText, fieldError, inputByLabel, mountApp, pageText, type MountedApp } from './support/mount-app'

/**
 * Issue 5: the setup pages offer what the policy for this account's role
 * allows (the session's mfaOptions), and the SMS wizard's country selector
 * lists only the countries the site texts. The main process refuses the rest
 * anyway; these tests are about the window not offering it.
 */
beforeAll(() => {
  vi.stubEnv('TZ', 'UTC')
})

/** A user with no phone of their own, so the country selector's start is the site's choice. */
const user: AccountView = { ...adminAccount, username: 'bob', displayName: 'Bob', role: 'user', phone: null }

function sessionWith(options: Partial<SessionView['mfaOptions']>, extra: Partial<SessionView> = {}): SessionView {
  const base = sessionFor(user)
  return { ...base, ...extra, mfaOptions: { ...base.mfaOptions, ...options } }
}

let bridge: FakeBridge
let app: MountedApp

beforeEach(() => {
  bridge = createFakeBridge()
  installBridge(bridge)
})

afterEach(() => {
  expect(app.missingKeys).toEqual([])
  app.unmount()
  installBridge(undefined)
})

function signedIn(session: SessionView): void {
  bridge.getAppState.mockResolvedValue(ok(readyState({ session })))
  bridge.getMyAccount.mockResolvedValue(ok(session.account))
}

async function click(text: string): Promise<void> {
  await buttonByText(app.wrapper, text).trigger('click')
  await flushPromises()
}

function choices(): string[] {
  return app.wrapper.findAll('.method-choice').map((c) => c.text())
}

function options(): string[] {
  return app.wrapper.findAll('[role="option"]').map((o) => o.text().replace(/\s+/g, ' '))
}

async function toPhoneStep(): Promise<void> {
  app = await mountApp('/account/mfa/setup/sms')
  await inputByLabel(app.wrapper, 'Password').setValue('orbit lantern pebble quartz')
  await click('Next Step')
  expect(app.wrapper.get('h2').text()).toBe('Enter your phone number')
}

describe('the choice of a method', () => {
  it('S8: under "strong methods only" offers the authenticator app alone, and says why', async () => {
    signedIn(sessionWith({ methods: ['totp'] }))
    app = await mountApp('/account/mfa/setup')
    expect(app.router.currentRoute.value.name).toBe('mfa-choose')
    expect(choices()).toEqual(['Authenticator app'])
    expect(pageText(app.wrapper)).toContain("Your site's policy allows only this type of method.")
  })

  it("lists the allowed types in the usual order, whatever order the policy's list has", async () => {
    signedIn(sessionWith({ methods: ['sms', 'totp'] }))
    app = await mountApp('/account/mfa/setup')
    expect(choices()).toEqual(['Authenticator app', 'Text message (SMS)'])
    expect(pageText(app.wrapper)).toContain("Your site's policy allows only these types of method.")
  })

  it('with every type allowed, offers all three and no note', async () => {
    signedIn(sessionWith({}))
    app = await mountApp('/account/mfa/setup')
    expect(choices()).toEqual(['Authenticator app', 'Email', 'Text message (SMS)'])
    expect(pageText(app.wrapper)).not.toContain("Your site's policy allows only")
  })

  it('leaves text messages out when the site texts no country at all', async () => {
    signedIn(sessionWith({ smsCountries: [] }))
    app = await mountApp('/account/mfa/setup')
    expect(choices()).toEqual(['Authenticator app', 'Email'])
  })

  it('S14: past the deadline, the only page left offers only what the policy allows', async () => {
    signedIn(
      sessionWith(
        { methods: ['totp'] },
        { account: adminAccount, mfaSetup: { state: 'required', deadline: '2026-11-20T09:00:00.000Z' } },
      ),
    )
    app = await mountApp('/')
    expect(app.router.currentRoute.value.name).toBe('mfa-choose')
    expect(choices()).toEqual(['Authenticator app'])
    await click('Authenticator app')
    expect(app.router.currentRoute.value.fullPath).toBe('/account/mfa/setup/totp')
  })
})

describe('"Add" on My account', () => {
  it('offers on the new line only the types the policy allows, starting on the first of them', async () => {
    signedIn(sessionWith({ methods: ['sms', 'email'] }))
    app = await mountApp('/account')
    await click('Add')
    const type = inputByLabel(app.wrapper, 'Type of the new method')
    expect(type.findAll('option').map((o) => o.text())).toEqual(['Email', 'Text message (SMS)'])
    expect((type.element as HTMLSelectElement).value).toBe('email')
  })
})

describe('the wizard for a type the policy does not allow', () => {
  it('explains instead of starting, asks for nothing, and leads back to the choice', async () => {
    signedIn(sessionWith({ methods: ['totp'] }))
    app = await mountApp('/account/mfa/setup/sms')
    expect(app.wrapper.get('h1').text()).toBe('Set up codes by text message (SMS)')
    const notice = app.wrapper.get('.notice--error')
    expect(notice.text()).toBe("Your site's policy does not allow codes by text message.")
    expect(document.activeElement).toBe(notice.element)
    expect(app.wrapper.find('input[type="password"]').exists()).toBe(false)
    expect(app.wrapper.find('form').exists()).toBe(false)
    const link = app.wrapper.findAll('a').find((a) => a.text() === 'Choose another type')
    expect(link).toBeDefined()
    await link!.trigger('click')
    await flushPromises()
    expect(app.router.currentRoute.value.name).toBe('mfa-choose')
    expect(bridge.confirmPassword).not.toHaveBeenCalled()
    expect(bridge.beginEnrollment).not.toHaveBeenCalled()
  })

  it('starts normally for an allowed type', async () => {
    signedIn(sessionWith({ methods: ['totp'] }))
    app = await mountApp('/account/mfa/setup/totp')
    expect(app.wrapper.get('h2').text()).toBe('Confirm your password')
    expect(app.wrapper.find('.notice--error').exists()).toBe(false)
  })
})

describe("the SMS wizard's country selector", () => {
  it('with one country, starts on it and lists nothing else', async () => {
    signedIn(sessionWith({ smsCountries: ['IE'] }))
    await toPhoneStep()
    const country = inputByLabel(app.wrapper, 'Country code')
    expect((country.element as HTMLInputElement).value).toBe('Ireland (+353)')
    expect(pageText(app.wrapper)).toContain('This site sends text messages only to numbers in Ireland.')
    await country.trigger('click')
    expect(options()).toEqual(['🇮🇪 Ireland +353'])
    // Searching cannot find a country outside the list.
    await country.setValue('united')
    expect(options()).toEqual(['No country matches.'])
  })

  it("with several, lists those (by name), starting on the account's own country when it is one of them", async () => {
    signedIn(sessionWith({ smsCountries: ['IE', 'GB'] }, { account: { ...user, phone: '+442079460958' } }))
    await toPhoneStep()
    const country = inputByLabel(app.wrapper, 'Country code')
    expect((country.element as HTMLInputElement).value).toBe('United Kingdom (+44)')
    expect(pageText(app.wrapper)).toContain(
      'This site sends text messages only to numbers in these countries: Ireland and United Kingdom.',
    )
    await country.trigger('click')
    expect(options()).toEqual(['🇮🇪 Ireland +353', '🇬🇧 United Kingdom +44'])
  })

  it('a number typed with the code of another country is refused beside the field, and nothing is sent', async () => {
    signedIn(sessionWith({ smsCountries: ['GB', 'IE'] }))
    await toPhoneStep()
    const country = inputByLabel(app.wrapper, 'Country code')
    const before = (country.element as HTMLInputElement).value
    await inputByLabel(app.wrapper, 'Phone number').setValue('+1 201 555 0123')
    await flushPromises()
    // The picker does not move to a country it does not list.
    expect((country.element as HTMLInputElement).value).toBe(before)
    expect(app.wrapper.get('#wizard-phone-number-status').text()).toBe(
      'This site does not send text messages to numbers in United States. Use a number from a country in the list.',
    )
    await click('Send Code')
    expect(fieldError(app.wrapper, 'Phone number')).toBe(
      'This site does not send text messages to numbers in United States. Use a number from a country in the list.',
    )
    expect(bridge.beginEnrollment).not.toHaveBeenCalled()

    await inputByLabel(app.wrapper, 'Phone number').setValue('+44 20 7946 0958')
    await flushPromises()
    expect((country.element as HTMLInputElement).value).toBe('United Kingdom (+44)')
    await click('Send Code')
    expect(bridge.beginEnrollment).toHaveBeenCalledWith({ type: 'sms', phone: '+442079460958', label: 'Text message' })
  })

  it('without a list, offers every country as before', async () => {
    signedIn(sessionWith({ smsCountries: null }))
    await toPhoneStep()
    expect(pageText(app.wrapper)).toContain('Type a country name or a dial code such as +44 to find it.')
    await inputByLabel(app.wrapper, 'Country code').setValue('+1')
    expect(options()).toContain('🇺🇸 United States +1')
  })

  it('reads the same in Chinese', async () => {
    signedIn(sessionWith({ smsCountries: ['GB'] }))
    app = await mountApp('/account/mfa/setup/sms', { locale: 'zh-CN' })
    await inputByLabel(app.wrapper, '密码').setValue('orbit lantern pebble quartz')
    await click('下一步')
    expect(pageText(app.wrapper)).toContain('本站点只向英国的号码发送短信。')
  })
})
