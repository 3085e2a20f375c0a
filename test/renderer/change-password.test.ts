import { flushPromises } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { deferred, fail, ok, type FakeBridge } from './support/fake-bridge'
import { alertTexts, buttonByText, fieldError, inputByLabel, mountApp, type MountedApp } from './support/mount-app'
import { withFakeBridge } from './support/renderer-test'

let bridge: FakeBridge
let app: MountedApp

async function fillAndSubmit(current: string, next: string, repeat = next) {
  await inputByLabel(app.wrapper, 'Current password').setValue(current)
  await inputByLabel(app.wrapper, 'New password').setValue(next)
  await inputByLabel(app.wrapper, 'Repeat new password').setValue(repeat)
  await app.wrapper.get('form').trigger('submit')
  await flushPromises()
}

withFakeBridge(
  async (fake) => {
    bridge = fake
    app = await mountApp('/account/password')
  },
  { appState: 'signed-in' },
)

describe('change password', () => {
  it('has the three password fields with the right autocomplete', () => {
    expect(app.wrapper.get('h1').text()).toBe('Change password')
    expect(inputByLabel(app.wrapper, 'Current password').attributes('autocomplete')).toBe('current-password')
    expect(inputByLabel(app.wrapper, 'New password').attributes('autocomplete')).toBe('new-password')
    expect(inputByLabel(app.wrapper, 'Repeat new password').attributes('autocomplete')).toBe('new-password')
  })

  it('S15: confirms the current password, then changes it, and says so', async () => {
    await fillAndSubmit('orbit lantern pebble quartz', 'meadow copper violin harbor')
    expect(bridge.confirmPassword).toHaveBeenCalledWith({ password: 'orbit lantern pebble quartz' })
    expect(bridge.changePassword).toHaveBeenCalledWith({ newPassword: 'meadow copper violin harbor' })
    expect(app.wrapper.get('.notice--success').text()).toBe('Your password has been changed.')
    expect(app.wrapper.get('.notice--success').attributes('role')).toBe('status')
    for (const label of ['Current password', 'New password', 'Repeat new password']) {
      expect((inputByLabel(app.wrapper, label).element as HTMLInputElement).value).toBe('')
    }
  })

  it('refuses a repeat that does not match, without any call', async () => {
    await fillAndSubmit('orbit lantern pebble quartz', 'meadow copper violin harbor', 'meadow copper violin')
    expect(fieldError(app.wrapper, 'Repeat new password')).toBe('The passwords do not match.')
    expect(bridge.confirmPassword).not.toHaveBeenCalled()
  })

  it('S13, S15: a wrong current password is shown on that field with the attempts left', async () => {
    bridge.confirmPassword.mockResolvedValue(
      fail({ code: 'INVALID_CREDENTIALS', message: 'Wrong password', attemptsLeft: 4 }),
    )
    await fillAndSubmit('not it', 'meadow copper violin harbor')
    expect(fieldError(app.wrapper, 'Current password')).toBe(
      'The current password is wrong. 4 attempts left before the account is locked.',
    )
    expect(bridge.changePassword).not.toHaveBeenCalled()
    expect(document.activeElement?.id).toBe('change-password-currentPassword')
  })

  it('S1: shows why the new password is too weak, with the minimum length', async () => {
    bridge.changePassword.mockResolvedValue(
      fail({ code: 'WEAK_PASSWORD', message: 'short', reason: 'too-short', minLength: 15 }),
    )
    await fillAndSubmit('orbit lantern pebble quartz', 'short one')
    expect(fieldError(app.wrapper, 'New password')).toBe('Use at least 15 characters.')
    expect(alertTexts(app.wrapper)).toContain('Choose a stronger password. Use at least 15 characters.')
    expect(app.wrapper.find('.notice--success').exists()).toBe(false)
  })

  it('S2: shows a context-word refusal', async () => {
    bridge.changePassword.mockResolvedValue(
      fail({ code: 'WEAK_PASSWORD', message: 'ctx', reason: 'context', minLength: 15 }),
    )
    await fillAndSubmit('orbit lantern pebble quartz', 'keyhold keyhold keyhold')
    expect(fieldError(app.wrapper, 'New password')).toBe(
      'Do not use the app name, your username or the name part of your email address.',
    )
  })

  it('disables its button until both calls are done', async () => {
    const confirmed = deferred<Awaited<ReturnType<FakeBridge['confirmPassword']>>>()
    const changed = deferred<Awaited<ReturnType<FakeBridge['changePassword']>>>()
    bridge.confirmPassword.mockReturnValue(confirmed.promise)
    bridge.changePassword.mockReturnValue(changed.promise)
    await fillAndSubmit('orbit lantern pebble quartz', 'meadow copper violin harbor')
    const button = () => buttonByText(app.wrapper, 'Change password')
    expect(button().attributes('disabled')).toBeDefined()
    confirmed.resolve(ok({ stepUpUntil: '2026-11-28T08:40:00.000Z' }))
    await flushPromises()
    expect(bridge.changePassword).toHaveBeenCalledTimes(1)
    expect(button().attributes('disabled')).toBeDefined()
    changed.resolve(ok({}))
    await flushPromises()
    expect(button().attributes('disabled')).toBeUndefined()
    expect(app.wrapper.text()).toContain('Your password has been changed.')
  })

  it('S17: a session that ended sends the person to sign-in', async () => {
    bridge.confirmPassword.mockResolvedValue(fail({ code: 'SESSION_EXPIRED', message: 'ended' }))
    await fillAndSubmit('orbit lantern pebble quartz', 'meadow copper violin harbor')
    expect(app.router.currentRoute.value.name).toBe('sign-in')
    expect(app.wrapper.text()).toContain('Your session has ended. Sign in again.')
  })
})
