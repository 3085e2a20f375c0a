import { flushPromises } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import {
  adminAccount,
  challengeFor,
  deferred,
  fail,
  ok,
  sessionFor,
  totpMethod,
  type FakeBridge,
} from './support/fake-bridge'
import { alertTexts, buttonByText, fieldError, inputByLabel, mountApp, type MountedApp } from './support/mount-app'
import { withFakeBridge } from './support/renderer-test'

let bridge: FakeBridge
let app: MountedApp

async function signIn(username: string, password: string) {
  await inputByLabel(app.wrapper, 'Username').setValue(username)
  await inputByLabel(app.wrapper, 'Password').setValue(password)
  await app.wrapper.get('form').trigger('submit')
  await flushPromises()
}

/** The form's own error message (the NoticeMessage), as opposed to per-field alerts. */
function formError(): string {
  return app.wrapper.get('.notice--error').text().replace(/\s+/g, ' ')
}

withFakeBridge(
  async (fake) => {
    bridge = fake
    app = await mountApp('/')
  },
  { utc: true },
)

describe('sign-in', () => {
  it('is where a set-up app goes when nobody is signed in', () => {
    expect(app.router.currentRoute.value.name).toBe('sign-in')
    expect(app.wrapper.get('h1').text()).toBe('Sign in')
    expect(inputByLabel(app.wrapper, 'Username').attributes('autocomplete')).toBe('username')
    expect(inputByLabel(app.wrapper, 'Password').attributes('autocomplete')).toBe('current-password')
    expect(inputByLabel(app.wrapper, 'Password').attributes('type')).toBe('password')
  })

  it('signs in and shows My account', async () => {
    await signIn('ada', 'orbit lantern pebble quartz')
    expect(bridge.signIn).toHaveBeenCalledWith({ username: 'ada', password: 'orbit lantern pebble quartz' })
    expect(app.router.currentRoute.value.name).toBe('account')
    expect(app.wrapper.get('h1').text()).toBe('My account')
  })

  it('asks for a username and a password before calling the main process', async () => {
    await signIn('', '')
    expect(fieldError(app.wrapper, 'Username')).toBe('Enter your username.')
    expect(fieldError(app.wrapper, 'Password')).toBe('Enter your password.')
    expect(document.activeElement).toBe(inputByLabel(app.wrapper, 'Username').element)
    expect(bridge.signIn).not.toHaveBeenCalled()
  })

  it('S13: says the password is wrong and how many attempts are left, and clears the password', async () => {
    bridge.signIn.mockResolvedValue(fail({ code: 'INVALID_CREDENTIALS', message: 'x', attemptsLeft: 2 }))
    await signIn('ada', 'wrong password')
    expect(formError()).toBe('Wrong username or password. 2 attempts left before the account is locked.')
    // No field is to blame (that would say which usernames exist): focus goes to the form's message.
    expect(document.activeElement).toBe(app.wrapper.get('.notice--error').element)
    expect(app.router.currentRoute.value.name).toBe('sign-in')
    expect((inputByLabel(app.wrapper, 'Password').element as HTMLInputElement).value).toBe('')
    expect((inputByLabel(app.wrapper, 'Username').element as HTMLInputElement).value).toBe('ada')
  })

  it('S13: says until when a locked account is locked, in local time', async () => {
    bridge.signIn.mockResolvedValue(fail({ code: 'LOCKED', message: 'x', lockedUntil: '2026-11-28T15:45:00.000Z' }))
    await signIn('ada', 'whatever')
    expect(formError()).toBe(
      'This account is locked after too many failed attempts. Try again after Nov 28, 2026, 3:45 PM.',
    )
    expect(alertTexts(app.wrapper).length).toBeGreaterThan(0)
  })

  it('S13: says when only an administrator can unlock the account', async () => {
    bridge.signIn.mockResolvedValue(fail({ code: 'LOCKED', message: 'x', lockedUntil: null }))
    await signIn('ada', 'whatever')
    expect(formError()).toBe('This account is locked after too many failed attempts. An administrator must unlock it.')
  })

  it('says when the account is disabled', async () => {
    bridge.signIn.mockResolvedValue(fail({ code: 'ACCOUNT_DISABLED', message: 'x' }))
    await signIn('ada', 'orbit lantern pebble quartz')
    expect(formError()).toBe('This account is disabled. Ask an administrator to enable it.')
  })

  it('S14: a password that opens a second-factor challenge is not signed in: the challenge page comes next', async () => {
    bridge.signIn.mockResolvedValue(ok({ status: 'mfa-required', challenge: challengeFor([totpMethod]) }))
    await signIn('ada', 'orbit lantern pebble quartz')
    expect(app.router.currentRoute.value.name).toBe('sign-in-challenge')
    expect(app.wrapper.get('h1').text()).toBe('Two-step verification')
    await app.router.push('/account')
    await flushPromises()
    expect(app.router.currentRoute.value.name).toBe('sign-in-challenge')
  })

  it('disables "Sign in" while signing in', async () => {
    const answer = deferred<Awaited<ReturnType<FakeBridge['signIn']>>>()
    bridge.signIn.mockReturnValue(answer.promise)
    await signIn('ada', 'orbit lantern pebble quartz')
    expect(buttonByText(app.wrapper, 'Sign in').attributes('disabled')).toBeDefined()
    expect(app.wrapper.text()).toContain('Signing in…')
    answer.resolve(ok({ status: 'signed-in', session: sessionFor() }))
    await flushPromises()
    expect(app.router.currentRoute.value.name).toBe('account')
  })

  it('a signed-in person asking for sign-in gets their account instead', async () => {
    await signIn('ada', 'orbit lantern pebble quartz')
    await app.router.push('/sign-in')
    await flushPromises()
    expect(app.router.currentRoute.value.name).toBe('account')
    await app.router.push('/setup')
    await flushPromises()
    expect(app.router.currentRoute.value.name).toBe('account')
    expect(adminAccount.username).toBe('ada')
  })
})
