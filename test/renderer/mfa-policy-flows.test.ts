import { flushPromises } from '@vue/test-utils'
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import type { AccountView, SessionView } from '../../electron/shared/schemas'
import {
  adminAccount,
  createFakeBridge,
  fail,
  installBridge,
  ok,
  readyState,
  sessionFor,
  type FakeBridge,
} from './support/fake-bridge'
import {
  buttonByText,
  hasButton,
  headingByText,
  inputByLabel,
  mountApp,
  pageText,
  type MountedApp,
} from './support/mount-app'

/** Issue 5, the policy as users meet it: Prompt (invited), Required within the grace period, and past it (S14). */
beforeAll(() => {
  vi.stubEnv('TZ', 'UTC')
})

const user: AccountView = { ...adminAccount, username: 'bob', displayName: 'Bob', role: 'user' }
const deadline = '2026-12-05T09:00:00.000Z'

function sessionWith(mfaSetup: SessionView['mfaSetup'], account: AccountView = user): SessionView {
  return { ...sessionFor(account), mfaSetup }
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

async function click(text: string): Promise<void> {
  await buttonByText(app.wrapper, text).trigger('click')
  await flushPromises()
}

async function signIn(): Promise<void> {
  await inputByLabel(app.wrapper, 'Username').setValue('bob')
  await inputByLabel(app.wrapper, 'Password').setValue('orbit lantern pebble quartz')
  await app.wrapper.get('form').trigger('submit')
  await flushPromises()
}

function prompt() {
  return app.wrapper.find('.mfa-prompt')
}

describe('Prompt: invited to set up MFA', () => {
  beforeEach(() => {
    bridge.signIn.mockResolvedValue(
      ok({ status: 'signed-in' as const, session: sessionWith({ state: 'invited', deadline: null }) }),
    )
  })

  it('after sign-in, invites with "Set up now" and "Later"; Later hides it for this session', async () => {
    app = await mountApp('/sign-in')
    await signIn()
    expect(app.router.currentRoute.value.name).toBe('account')
    expect(prompt().get('h2').text()).toBe('Protect your account with a second step')
    expect(hasButton(app.wrapper, 'Set up now')).toBe(true)
    await click('Later')
    expect(prompt().exists()).toBe(false)
    await app.router.push('/account/password')
    await flushPromises()
    expect(prompt().exists()).toBe(false)
  })

  it('"Set up now" offers the three types of method; choosing one opens its wizard', async () => {
    app = await mountApp('/sign-in')
    await signIn()
    await click('Set up now')
    expect(app.router.currentRoute.value.name).toBe('mfa-choose')
    expect(app.wrapper.get('h1').text()).toBe('Set up multi-factor authentication')
    expect(document.title).toBe('Set up multi-factor authentication – Keyhold')
    // The policy's prompt does not repeat itself over the page it leads to.
    expect(prompt().exists()).toBe(false)
    const choices = app.wrapper.findAll('.method-choice')
    expect(choices.map((c) => c.text())).toEqual(['Authenticator app', 'Email', 'Text message (SMS)'])
    expect(app.wrapper.get(`#${choices[0]!.attributes('aria-describedby')}`).text()).toBe(
      'Codes from an app on your phone. The most secure choice.',
    )
    expect(hasButton(app.wrapper, 'Later')).toBe(true)
    await click('Email')
    expect(app.router.currentRoute.value.fullPath).toBe('/account/mfa/setup/email')
    expect(app.wrapper.get('h1').text()).toBe('Set up codes by email')
  })
})

describe('Required, within the grace period', () => {
  it('shows the deadline at each sign-in, dismissable for that session only', async () => {
    bridge.signIn.mockResolvedValue(
      ok({ status: 'signed-in' as const, session: sessionWith({ state: 'grace', deadline }) }),
    )
    app = await mountApp('/sign-in')
    await signIn()
    expect(prompt().get('h2').text()).toBe('Set up multi-factor authentication by Dec 5, 2026, 9:00 AM')
    expect(prompt().text()).toContain('after that, you will have to set it up before you can do anything else')
    await click('Dismiss')
    expect(prompt().exists()).toBe(false)

    await click('Sign out')
    await signIn()
    expect(prompt().get('h2').text()).toBe('Set up multi-factor authentication by Dec 5, 2026, 9:00 AM')
    await click('Set up now')
    expect(app.router.currentRoute.value.name).toBe('mfa-choose')
    // In the grace period the way back is open.
    expect(app.wrapper.findAll('a').some((a) => a.text() === 'Back to My account')).toBe(true)
  })
})

describe('Required, past the deadline (S14)', () => {
  const required = sessionWith({ state: 'required', deadline: '2026-11-20T09:00:00.000Z' }, adminAccount)

  beforeEach(() => {
    bridge.getAppState.mockResolvedValue(ok(readyState({ session: required })))
  })

  it('goes straight to choosing a method and offers nothing else', async () => {
    app = await mountApp('/')
    expect(app.router.currentRoute.value.name).toBe('mfa-choose')
    expect(pageText(app.wrapper)).toContain(
      'Your site requires multi-factor authentication. Set up a method to continue. The deadline was Nov 20, 2026, 9:00 AM.',
    )
    // Not even an administrator's navigation; no way back, only Sign out.
    expect(app.wrapper.find('nav').exists()).toBe(false)
    expect(hasButton(app.wrapper, 'Later')).toBe(false)
    expect(app.wrapper.findAll('a').some((a) => a.text() === 'Back to My account')).toBe(false)
    expect(hasButton(app.wrapper, 'Sign out')).toBe(true)

    for (const path of ['/account', '/account/password', '/admin/accounts', '/sign-in']) {
      await app.router.push(path)
      await flushPromises()
      expect(app.router.currentRoute.value.name, path).toBe('mfa-choose')
    }
    expect(bridge.getMyAccount).not.toHaveBeenCalled()
    expect(bridge.adminListAccounts).not.toHaveBeenCalled()
  })

  it('shows the engine refusing a type the policy does not allow, and leads back to the choice', async () => {
    bridge.beginEnrollment.mockResolvedValue(
      fail({ code: 'FORBIDDEN', message: 'The site policy does not allow text-message codes' }),
    )
    app = await mountApp('/')
    await click('Text message (SMS)')
    expect(app.wrapper.get('h1').text()).toBe('Set up codes by text message (SMS)')
    await inputByLabel(app.wrapper, 'Password').setValue('orbit lantern pebble quartz')
    await click('Next Step')
    await inputByLabel(app.wrapper, 'Phone number').setValue('20 7946 0958')
    await app.wrapper.get('#wizard-phone-country').setValue('GB')
    await click('Send Code')
    expect(pageText(app.wrapper)).toContain("Your site's policy does not allow codes by text message.")
    expect(pageText(app.wrapper)).not.toContain('The site policy does not allow')
    await click('Choose another type')
    expect(app.router.currentRoute.value.name).toBe('mfa-choose')
  })

  it('Cancel in the wizard comes back to the choice, not to My account', async () => {
    app = await mountApp('/')
    await click('Authenticator app')
    expect(app.router.currentRoute.value.name).toBe('mfa-setup')
    await click('Cancel')
    expect(app.router.currentRoute.value.name).toBe('mfa-choose')
  })

  it('after "Enable", reads the session again and continues to My account', async () => {
    app = await mountApp('/')
    await click('Authenticator app')
    await inputByLabel(app.wrapper, 'Password').setValue('orbit lantern pebble quartz')
    await click('Next Step')
    await inputByLabel(app.wrapper, 'Enter your code').setValue('123456')
    await click('Next Step')
    await app.wrapper.get('#wizard-saved').setValue(true)
    // The main process now has a full session (the setup is done).
    bridge.getAppState.mockResolvedValue(ok(readyState({ session: sessionFor() })))
    const stateReads = bridge.getAppState.mock.calls.length
    await click('Enable')
    expect(bridge.getAppState.mock.calls.length).toBe(stateReads + 1)
    expect(app.router.currentRoute.value.name).toBe('account')
    expect(headingByText(app.wrapper, 'My account').exists()).toBe(true)
    expect(app.wrapper.find('nav').exists()).toBe(true)
  })
})

describe('the administration navigation', () => {
  it('is shown to an administrator, with the current page marked', async () => {
    bridge.getAppState.mockResolvedValue(ok(readyState({ session: sessionFor() })))
    app = await mountApp('/admin/policy')
    const nav = app.wrapper.get('nav')
    expect(nav.attributes('aria-label')).toBe('Main')
    expect(nav.findAll('a').map((a) => a.text())).toEqual([
      'My account',
      'Accounts',
      'Policy',
      'Providers',
      'Audit log',
      'Coverage',
      'Settings',
    ])
    expect(nav.get('[aria-current="page"]').text()).toBe('Policy')
    await app.router.push('/admin/accounts/bob')
    await flushPromises()
    expect(nav.get('[aria-current="page"]').text()).toBe('Accounts')
  })

  it('is not shown to a user, whose way to an administration page leads to their account', async () => {
    bridge.getAppState.mockResolvedValue(ok(readyState({ session: sessionFor(user) })))
    bridge.getMyAccount.mockResolvedValue(ok(user))
    app = await mountApp('/account')
    expect(app.wrapper.find('nav').exists()).toBe(false)
    expect(pageText(app.wrapper)).not.toContain('Audit log')
    for (const path of ['/admin/accounts', '/admin/policy', '/admin/providers', '/admin/audit', '/admin/coverage']) {
      await app.router.push(path)
      await flushPromises()
      expect(app.router.currentRoute.value.name, path).toBe('account')
    }
    expect(bridge.adminListAccounts).not.toHaveBeenCalled()
    expect(bridge.getPolicy).not.toHaveBeenCalled()
  })
})
