import { flushPromises } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { challengeFor, emailMethod, fail, ok, readyState, totpMethod, type FakeBridge } from './support/fake-bridge'
import { alertTexts, fieldError, inputByLabel, mountApp, pageText, type MountedApp } from './support/mount-app'
import { withFakeBridge } from './support/renderer-test'

/** Issue 5: first sign-in with a setup code, and a second-factor step that survives a reload. */
let bridge: FakeBridge
let app: MountedApp

withFakeBridge((fake) => {
  bridge = fake
})

async function openRedeem(): Promise<void> {
  app = await mountApp('/sign-in')
  const link = app.wrapper.findAll('a').find((a) => a.text() === 'Have a setup code?')
  expect(link).toBeDefined()
  await link!.trigger('click')
  await flushPromises()
  expect(app.router.currentRoute.value.name).toBe('redeem-setup-code')
  expect(app.wrapper.get('h1').text()).toBe('Set your password with a setup code')
}

async function fill(values: { username: string; code: string; password: string; repeat: string }): Promise<void> {
  await inputByLabel(app.wrapper, 'Username').setValue(values.username)
  await inputByLabel(app.wrapper, 'Setup code').setValue(values.code)
  await inputByLabel(app.wrapper, 'New password').setValue(values.password)
  await inputByLabel(app.wrapper, 'Repeat new password').setValue(values.repeat)
  await app.wrapper.get('form').trigger('submit')
  await flushPromises()
}

const password = 'orbit lantern pebble quartz'

describe('redeeming a setup code', () => {
  it('sets the password and signs in, like a sign-in', async () => {
    await openRedeem()
    expect(inputByLabel(app.wrapper, 'Setup code').attributes('autocomplete')).toBe('one-time-code')
    expect(inputByLabel(app.wrapper, 'New password').attributes('autocomplete')).toBe('new-password')
    await fill({ username: ' bob ', code: 'qwer-tyui-opas-dfgh', password, repeat: password })
    expect(bridge.redeemSetupCode).toHaveBeenCalledWith({
      username: 'bob',
      setupCode: 'qwer-tyui-opas-dfgh',
      newPassword: password,
    })
    expect(app.router.currentRoute.value.name).toBe('account')
  })

  it('S14: leads to the second-factor step when the account has MFA', async () => {
    bridge.redeemSetupCode.mockResolvedValue(
      ok({ status: 'mfa-required' as const, challenge: challengeFor([totpMethod]) }),
    )
    await openRedeem()
    await fill({ username: 'bob', code: 'QWER-TYUI-OPAS-DFGH', password, repeat: password })
    expect(app.router.currentRoute.value.name).toBe('sign-in-challenge')
    expect(app.wrapper.get('h1').text()).toBe('Two-step verification')
  })

  it('checks the form first, then says what the main process refused', async () => {
    await openRedeem()
    await fill({ username: '', code: '', password: password, repeat: 'something else' })
    expect(fieldError(app.wrapper, 'Username')).toBe('Enter your username.')
    expect(fieldError(app.wrapper, 'Setup code')).toBe('Enter your setup code.')
    expect(fieldError(app.wrapper, 'Repeat new password')).toBe('The passwords do not match.')
    expect(bridge.redeemSetupCode).not.toHaveBeenCalled()

    bridge.redeemSetupCode.mockResolvedValueOnce(
      fail({ code: 'INVALID_CODE', message: 'This setup code is not right or has expired', attemptsLeft: 4 }),
    )
    await fill({ username: 'bob', code: 'AAAA-BBBB-CCCC-DDDD', password, repeat: password })
    expect(fieldError(app.wrapper, 'Setup code')).toBe(
      'This setup code is not right or has expired. Ask your administrator for a new one. 4 attempts left before the account is locked.',
    )
    // Passwords are never kept after a refusal; the code is, to fix a typo.
    expect((inputByLabel(app.wrapper, 'New password').element as HTMLInputElement).value).toBe('')
    expect((inputByLabel(app.wrapper, 'Setup code').element as HTMLInputElement).value).toBe('AAAA-BBBB-CCCC-DDDD')

    bridge.redeemSetupCode.mockResolvedValueOnce(
      fail({ code: 'WEAK_PASSWORD', message: 'x', reason: 'too-short', minLength: 15 }),
    )
    await fill({ username: 'bob', code: 'AAAA-BBBB-CCCC-DDDD', password: 'short one', repeat: 'short one' })
    expect(fieldError(app.wrapper, 'New password')).toBe('Use at least 15 characters.')
  })

  it('goes back to sign-in', async () => {
    await openRedeem()
    await app.wrapper
      .findAll('a')
      .find((a) => a.text() === 'Back to sign-in')!
      .trigger('click')
    await flushPromises()
    expect(app.router.currentRoute.value.name).toBe('sign-in')
  })
})

describe('a second-factor step after a reload', () => {
  it('S14: resumes the waiting challenge the app state announces', async () => {
    bridge.getAppState.mockResolvedValue(ok(readyState({ challengePending: true })))
    bridge.getChallenge.mockResolvedValue(ok(challengeFor([totpMethod, emailMethod])))
    app = await mountApp('/account')
    expect(bridge.getChallenge).toHaveBeenCalledTimes(1)
    expect(app.router.currentRoute.value.name).toBe('sign-in-challenge')
    expect(app.wrapper.get('h1').text()).toBe('Two-step verification')
    expect(app.wrapper.get('h2').text()).toBe('Authenticator app')

    await inputByLabel(app.wrapper, 'Enter your code').setValue('123456')
    await app.wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(bridge.verifySignInCode).toHaveBeenCalledWith({ methodId: totpMethod.id, code: '123456' })
    expect(app.router.currentRoute.value.name).toBe('account')
    // Asked once: a later page does not fetch a challenge that is over.
    expect(bridge.getChallenge).toHaveBeenCalledTimes(1)
  })

  it('goes to sign-in, saying why, when the challenge ended meanwhile', async () => {
    bridge.getAppState.mockResolvedValue(ok(readyState({ challengePending: true })))
    bridge.getChallenge.mockResolvedValue(fail({ code: 'SESSION_EXPIRED', message: 'x' }))
    app = await mountApp('/')
    await flushPromises()
    expect(app.router.currentRoute.value.name).toBe('sign-in')
    expect(pageText(app.wrapper)).toContain('That sign-in took too long and has ended. Sign in again.')
    expect(alertTexts(app.wrapper)).toEqual([])
  })

  it('does not ask for a challenge when none is waiting', async () => {
    app = await mountApp('/')
    expect(app.router.currentRoute.value.name).toBe('sign-in')
    expect(bridge.getChallenge).not.toHaveBeenCalled()
  })
})
