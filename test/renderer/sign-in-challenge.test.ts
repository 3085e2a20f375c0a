import { flushPromises } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import type { MethodView } from '../../electron/shared/mfa-schemas'
import { paste } from './support/dom-events'
import {
  challengeFor,
  emailMethod,
  fail,
  isoAt,
  ok,
  sessionFor,
  smsMethod,
  totpMethod,
  type FakeBridge,
} from './support/fake-bridge'
import {
  buttonByText,
  fieldError,
  hasButton,
  headingByText,
  inputByLabel,
  mountApp,
  pageText,
  type MountedApp,
} from './support/mount-app'
import { withFakeBridge } from './support/renderer-test'

/** The second step of signing in (issue 4, screen 1), against a stubbed bridge. */

let bridge: FakeBridge
let app: MountedApp

async function reachChallenge(methods: readonly MethodView[], recoveryCodesAvailable = true): Promise<void> {
  bridge.signIn.mockResolvedValue(
    ok({ status: 'mfa-required', challenge: challengeFor(methods, recoveryCodesAvailable) }),
  )
  await inputByLabel(app.wrapper, 'Username').setValue('ada')
  await inputByLabel(app.wrapper, 'Password').setValue('orbit lantern pebble quartz')
  await app.wrapper.get('form').trigger('submit')
  await flushPromises()
  expect(app.router.currentRoute.value.name).toBe('sign-in-challenge')
}

async function enterCode(code: string, label = 'Enter your code'): Promise<void> {
  await inputByLabel(app.wrapper, label).setValue(code)
  await buttonByText(app.wrapper, 'Verify').trigger('click')
  await flushPromises()
}

withFakeBridge(
  async (fake) => {
    bridge = fake
    app = await mountApp('/')
  },
  { utc: true },
)

describe('the second-factor challenge', () => {
  it('S14: opens only after a right password; without a challenge the page sends you to sign-in', async () => {
    await app.router.push('/sign-in/verify')
    await flushPromises()
    expect(app.router.currentRoute.value.name).toBe('sign-in')
  })

  it('asks the preferred method first: an authenticator app gets a code field', async () => {
    await reachChallenge([{ ...emailMethod, preferred: false }, totpMethod])
    expect(app.wrapper.get('h1').text()).toBe('Two-step verification')
    expect(headingByText(app.wrapper, 'Authenticator app').exists()).toBe(true)
    const field = inputByLabel(app.wrapper, 'Enter your code')
    expect(field.attributes('inputmode')).toBe('numeric')
    expect(field.attributes('autocomplete')).toBe('one-time-code')
    expect(hasButton(app.wrapper, 'Send Code')).toBe(false)
    expect(document.activeElement).toBe(field.element)
  })

  it('S7: a pasted "123 456" is taken as the code, and a right code signs in', async () => {
    await reachChallenge([totpMethod])
    const field = inputByLabel(app.wrapper, 'Enter your code')
    await paste(field, ' 123 456 ')
    expect((field.element as HTMLInputElement).value).toBe('123456')
    await buttonByText(app.wrapper, 'Verify').trigger('click')
    await flushPromises()
    expect(bridge.verifySignInCode).toHaveBeenCalledWith({ methodId: totpMethod.id, code: '123456' })
    expect(app.router.currentRoute.value.name).toBe('account')
  })

  it('asks for a code before calling the main process', async () => {
    await reachChallenge([totpMethod])
    await buttonByText(app.wrapper, 'Verify').trigger('click')
    await flushPromises()
    expect(fieldError(app.wrapper, 'Enter your code')).toBe('Enter the code.')
    expect(bridge.verifySignInCode).not.toHaveBeenCalled()
  })

  it('S13: a wrong code says so and how many tries are left, announced and tied to the field', async () => {
    await reachChallenge([totpMethod])
    bridge.verifySignInCode.mockResolvedValue(fail({ code: 'INVALID_CODE', message: 'x', attemptsLeft: 3 }))
    await enterCode('000000')
    expect(fieldError(app.wrapper, 'Enter your code')).toBe(
      'That code is not right. Check it and try again. 3 tries left.',
    )
    const field = inputByLabel(app.wrapper, 'Enter your code')
    expect(field.attributes('aria-invalid')).toBe('true')
    expect((field.element as HTMLInputElement).value).toBe('')
    expect(app.router.currentRoute.value.name).toBe('sign-in-challenge')

    bridge.verifySignInCode.mockResolvedValue(fail({ code: 'INVALID_CODE', message: 'x', attemptsLeft: 1 }))
    await enterCode('111111')
    expect(fieldError(app.wrapper, 'Enter your code')).toBe(
      'That code is not right. Check it and try again. 1 try left.',
    )
  })

  it('S7: a replayed code is named as such (wait for the next one), with the tries left, by the field', async () => {
    await reachChallenge([totpMethod])
    bridge.verifySignInCode.mockResolvedValue(fail({ code: 'CODE_REUSED', message: 'x', attemptsLeft: 2 }))
    await enterCode('123456')
    expect(fieldError(app.wrapper, 'Enter your code')).toBe(
      'This code was just used. Wait for the next one. 2 tries left.',
    )
    expect(inputByLabel(app.wrapper, 'Enter your code').attributes('aria-invalid')).toBe('true')
    expect(app.router.currentRoute.value.name).toBe('sign-in-challenge')
  })

  it('S13: the fifth wrong code ends the challenge: back to sign-in, which says why', async () => {
    await reachChallenge([totpMethod])
    bridge.verifySignInCode.mockResolvedValue(fail({ code: 'SESSION_EXPIRED', message: 'x', attemptsLeft: 0 }))
    await enterCode('222222')
    expect(app.router.currentRoute.value.name).toBe('sign-in')
    expect(pageText(app.wrapper)).toContain('Too many wrong codes, so that sign-in has ended. Sign in again.')
    // The old challenge is gone: the second-factor page is closed again.
    await app.router.push('/sign-in/verify')
    await flushPromises()
    expect(app.router.currentRoute.value.name).toBe('sign-in')
  })

  it('a challenge that timed out also goes back to sign-in, saying so', async () => {
    await reachChallenge([totpMethod])
    bridge.verifySignInCode.mockResolvedValue(fail({ code: 'SESSION_EXPIRED', message: 'x' }))
    await enterCode('222222')
    expect(app.router.currentRoute.value.name).toBe('sign-in')
    expect(pageText(app.wrapper)).toContain('That sign-in took too long and has ended. Sign in again.')
  })

  it('S13: a lock says until when, and leaves only the way back to sign-in', async () => {
    await reachChallenge([totpMethod])
    bridge.verifySignInCode.mockResolvedValue(
      fail({ code: 'LOCKED', message: 'x', lockedUntil: '2026-11-28T15:45:00.000Z' }),
    )
    await enterCode('333333')
    expect(app.wrapper.get('.notice--error').text().replace(/\s+/g, ' ')).toBe(
      'This account is locked after too many failed attempts. Try again after Nov 28, 2026, 3:45 PM.',
    )
    expect(app.wrapper.find('#challenge-code').exists()).toBe(false)
    bridge.signOut.mockResolvedValue(fail({ code: 'UNAUTHENTICATED', message: 'gone' }))
    await buttonByText(app.wrapper, 'Back to sign-in').trigger('click')
    await flushPromises()
    expect(app.router.currentRoute.value.name).toBe('sign-in')
  })

  it('email: shows the masked address and a "Send Code" button, then a resend countdown from the main process', async () => {
    await reachChallenge([{ ...emailMethod, preferred: true }])
    expect(headingByText(app.wrapper, 'Email').exists()).toBe(true)
    expect(pageText(app.wrapper)).toContain('we will email a code to a•••a@example.org')
    // S8: email and SMS are marked as weaker than an authenticator app.
    expect(pageText(app.wrapper)).toContain(
      'Codes sent by email or text message are less secure than an authenticator app.',
    )
    bridge.sendSignInCode.mockResolvedValue(
      ok({ sentTo: 'a•••a@example.org', resendAvailableAt: isoAt(60), expiresAt: isoAt(300) }),
    )
    await buttonByText(app.wrapper, 'Send Code').trigger('click')
    await flushPromises()
    expect(bridge.sendSignInCode).toHaveBeenCalledWith({ methodId: emailMethod.id })
    expect(pageText(app.wrapper)).toContain(
      'We sent a code to a•••a@example.org. It works until Nov 28, 2026, 8:35 AM.',
    )
    const resend = buttonByText(app.wrapper, 'Resend Code')
    expect(resend.attributes('disabled')).toBeDefined()
    expect(pageText(app.wrapper)).toContain('You can ask for a new code in 1:00.')
    expect(document.activeElement).toBe(inputByLabel(app.wrapper, 'Enter your code').element)

    app.clock.advance(45_000)
    await flushPromises()
    expect(pageText(app.wrapper)).toContain('You can ask for a new code in 0:15.')
    app.clock.advance(15_000)
    await flushPromises()
    expect(buttonByText(app.wrapper, 'Resend Code').attributes('disabled')).toBeUndefined()
    expect(pageText(app.wrapper)).not.toContain('You can ask for a new code')

    await enterCode('123456')
    expect(bridge.verifySignInCode).toHaveBeenCalledWith({ methodId: emailMethod.id, code: '123456' })
    expect(app.router.currentRoute.value.name).toBe('account')
  })

  it('S10: a refused resend (RATE_LIMITED) counts down to the time the main process gives', async () => {
    await reachChallenge([{ ...smsMethod, preferred: true }])
    bridge.sendSignInCode.mockResolvedValue(fail({ code: 'RATE_LIMITED', message: 'wait', retryAt: isoAt(90) }))
    await buttonByText(app.wrapper, 'Send Code').trigger('click')
    await flushPromises()
    expect(pageText(app.wrapper)).toContain('Too many attempts in a short time.')
    expect(pageText(app.wrapper)).toContain('You can ask for a new code in 1:30.')
    expect(buttonByText(app.wrapper, 'Send Code').attributes('disabled')).toBeDefined()
  })

  it('shows what the SMS gateway said when it refused the message', async () => {
    await reachChallenge([{ ...smsMethod, preferred: true }])
    bridge.sendSignInCode.mockResolvedValue(
      fail({ code: 'DELIVERY_FAILED', message: 'the SMS gateway refused the message (403)' }),
    )
    await buttonByText(app.wrapper, 'Send Code').trigger('click')
    await flushPromises()
    expect(app.wrapper.get('.notice--error').text()).toBe(
      'The message could not be sent. Try again later, or ask an administrator to check the email or SMS settings. Details: the SMS gateway refused the message (403)',
    )
  })

  it('"Use another method" lists the other methods, marks the weaker ones, and switches', async () => {
    await reachChallenge([totpMethod, emailMethod, smsMethod])
    const toggle = buttonByText(app.wrapper, 'Use another method')
    expect(toggle.attributes('aria-expanded')).toBe('false')
    await toggle.trigger('click')
    expect(toggle.attributes('aria-expanded')).toBe('true')
    const choices = app.wrapper.findAll('.method-choice').map((c) => c.text().replace(/\s+/g, ' '))
    expect(choices).toEqual([
      'Email Work email (a•••a@example.org) Less secure',
      'Text message (SMS) Text message (+44 •••••••961) Less secure',
    ])
    await app.wrapper.findAll('.method-choice')[1]!.trigger('click')
    await flushPromises()
    const heading = headingByText(app.wrapper, 'Text message (SMS)')
    expect(document.activeElement).toBe(heading.element)
    expect(pageText(app.wrapper)).toContain('we will text a code to +44 •••••••961')
    await buttonByText(app.wrapper, 'Send Code').trigger('click')
    await flushPromises()
    expect(bridge.sendSignInCode).toHaveBeenCalledWith({ methodId: smsMethod.id })
    // The app is now among the others.
    await buttonByText(app.wrapper, 'Use another method').trigger('click')
    expect(app.wrapper.findAll('.method-choice')[0]!.text()).toContain('Authenticator app')
  })

  it('S11: signs in with a recovery code and says how many are left', async () => {
    await reachChallenge([totpMethod])
    await buttonByText(app.wrapper, 'Use a recovery code').trigger('click')
    await flushPromises()
    expect(document.activeElement).toBe(headingByText(app.wrapper, 'Use a recovery code').element)
    const field = inputByLabel(app.wrapper, 'Recovery code')
    expect(field.attributes('autocomplete')).toBe('off')
    await paste(field, 'abcd-efgh-jklm-npqr')
    await buttonByText(app.wrapper, 'Verify').trigger('click')
    await flushPromises()
    expect(bridge.useRecoveryCode).toHaveBeenCalledWith({ code: 'ABCD-EFGH-JKLM-NPQR' })
    expect(bridge.verifySignInCode).not.toHaveBeenCalled()
    expect(app.router.currentRoute.value.name).toBe('account')
    expect(pageText(app.wrapper)).toContain(
      'You signed in with a recovery code. You have 9 unused recovery codes left.',
    )
  })

  it('S12: warns after a recovery-code sign-in when few codes are left', async () => {
    await reachChallenge([totpMethod])
    bridge.useRecoveryCode.mockResolvedValue(
      ok({ status: 'signed-in', session: sessionFor(), recoveryCodesRemaining: 2, recoveryCodesLow: true }),
    )
    await buttonByText(app.wrapper, 'Use a recovery code').trigger('click')
    await enterCode('ABCD-EFGH-JKLM-NPQR', 'Recovery code')
    expect(app.wrapper.get('.notice--warning').text()).toBe(
      'You signed in with a recovery code. You have 2 unused recovery codes left. Only 2 recovery codes are left. Regenerate them and keep the new ones somewhere safe.',
    )
  })

  it('a wrong recovery code says so, like a wrong code', async () => {
    await reachChallenge([totpMethod])
    bridge.useRecoveryCode.mockResolvedValue(fail({ code: 'INVALID_CODE', message: 'x', attemptsLeft: 4 }))
    await buttonByText(app.wrapper, 'Use a recovery code').trigger('click')
    await enterCode('ZZZZ-ZZZZ-ZZZZ-ZZZZ', 'Recovery code')
    expect(fieldError(app.wrapper, 'Recovery code')).toBe(
      'That code is not right. Check it and try again. 4 tries left.',
    )
  })

  it('offers no recovery code when the account has none left', async () => {
    await reachChallenge([totpMethod], false)
    expect(hasButton(app.wrapper, 'Use a recovery code')).toBe(false)
    expect(hasButton(app.wrapper, 'Use another method')).toBe(false)
  })

  it('"Cancel" ends the waiting session and goes back to sign-in', async () => {
    await reachChallenge([totpMethod])
    await buttonByText(app.wrapper, 'Cancel').trigger('click')
    await flushPromises()
    expect(bridge.signOut).toHaveBeenCalledTimes(1)
    expect(app.router.currentRoute.value.name).toBe('sign-in')
    expect(pageText(app.wrapper)).toContain('Sign-in cancelled.')
  })

  it('disables "Verify" while the code is checked', async () => {
    await reachChallenge([totpMethod])
    let answer!: (value: Awaited<ReturnType<FakeBridge['verifySignInCode']>>) => void
    bridge.verifySignInCode.mockReturnValue(new Promise((resolve) => (answer = resolve)))
    await inputByLabel(app.wrapper, 'Enter your code').setValue('123456')
    await buttonByText(app.wrapper, 'Verify').trigger('click')
    await flushPromises()
    expect(buttonByText(app.wrapper, 'Verify').attributes('disabled')).toBeDefined()
    expect(pageText(app.wrapper)).toContain('Checking the code…')
    answer(ok({ status: 'signed-in', session: sessionFor() }))
    await flushPromises()
    expect(app.router.currentRoute.value.name).toBe('account')
  })
})
