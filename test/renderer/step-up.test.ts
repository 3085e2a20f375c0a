import { flushPromises } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { isStepUpCancelled } from '../../renderer/src/api/keyhold-error'
import * as client from '../../renderer/src/api/keyhold-client'
import { useStepUpStore } from '../../renderer/src/stores/step-up-store'
import { emailMethod, fail, ok, overview, stepUpRequired, totpMethod, type FakeBridge } from './support/fake-bridge'
import { buttonByText, fieldError, inputByLabel, mountApp, type MountedApp } from './support/mount-app'
import { withFakeBridge } from './support/renderer-test'

/** S15: "Confirm your password" wherever the engine asks for a fresh password check (issue 4, screen 4). */
let bridge: FakeBridge

withFakeBridge(
  (fake) => {
    bridge = fake
  },
  { appState: 'signed-in' },
)

describe('the step-up dialog', () => {
  let app: MountedApp

  async function setPreferredOnEmail(): Promise<void> {
    bridge.listMethods.mockResolvedValue(ok(overview([totpMethod, emailMethod])))
    app = await mountApp('/account')
    const row = app.wrapper.findAll('.methods-table tbody tr').find((r) => r.text().includes('Work email'))!
    await row
      .findAll('button')
      .find((b) => b.text() === 'Set preferred')!
      .trigger('click')
    await flushPromises()
  }

  function dialogTitle(): string | null {
    const dialog = app.wrapper.find('dialog')
    return dialog.exists() ? dialog.get('h2').text() : null
  }

  it('S15: opens when the engine answers STEP_UP_REQUIRED, and retries the call once the password is confirmed', async () => {
    bridge.setPreferredMethod.mockResolvedValueOnce(stepUpRequired())
    await setPreferredOnEmail()
    expect(dialogTitle()).toBe('Confirm your password')
    const dialog = app.wrapper.get('dialog')
    expect(dialog.attributes('aria-labelledby')).toBe('step-up-title')
    const password = inputByLabel(app.wrapper, 'Password')
    expect(document.activeElement).toBe(password.element)

    bridge.confirmPassword.mockResolvedValueOnce(fail({ code: 'INVALID_CREDENTIALS', message: 'x', attemptsLeft: 3 }))
    await password.setValue('wrong password')
    await buttonByText(app.wrapper, 'Confirm').trigger('click')
    await flushPromises()
    expect(fieldError(app.wrapper, 'Password')).toBe(
      'The current password is wrong. 3 attempts left before the account is locked.',
    )
    expect(dialogTitle()).toBe('Confirm your password')
    expect(bridge.setPreferredMethod).toHaveBeenCalledTimes(1)

    await inputByLabel(app.wrapper, 'Password').setValue('orbit lantern pebble quartz')
    await buttonByText(app.wrapper, 'Confirm').trigger('click')
    await flushPromises()
    expect(bridge.confirmPassword).toHaveBeenLastCalledWith({ password: 'orbit lantern pebble quartz' })
    expect(dialogTitle()).toBeNull()
    expect(bridge.setPreferredMethod).toHaveBeenCalledTimes(2)
    expect(app.wrapper.get('.notice--success').text()).toBe('“Work email” is now your preferred method.')
  })

  it('asks for the password before calling the main process', async () => {
    bridge.setPreferredMethod.mockResolvedValueOnce(stepUpRequired())
    await setPreferredOnEmail()
    await buttonByText(app.wrapper, 'Confirm').trigger('click')
    await flushPromises()
    expect(fieldError(app.wrapper, 'Password')).toBe('Enter your current password.')
    expect(bridge.confirmPassword).not.toHaveBeenCalled()
  })

  it('Cancel drops the change quietly: no retry, no error', async () => {
    bridge.setPreferredMethod.mockResolvedValueOnce(stepUpRequired())
    await setPreferredOnEmail()
    await buttonByText(app.wrapper, 'Cancel').trigger('click')
    await flushPromises()
    expect(dialogTitle()).toBeNull()
    expect(bridge.setPreferredMethod).toHaveBeenCalledTimes(1)
    expect(app.wrapper.find('.notice--error').exists()).toBe(false)
    expect(app.wrapper.find('.notice--success').exists()).toBe(false)
  })

  it('Escape closes it like Cancel', async () => {
    bridge.setPreferredMethod.mockResolvedValueOnce(stepUpRequired())
    await setPreferredOnEmail()
    await app.wrapper.get('dialog').trigger('cancel')
    await flushPromises()
    expect(dialogTitle()).toBeNull()
    expect(bridge.setPreferredMethod).toHaveBeenCalledTimes(1)
  })

  it('retries only once: a second refusal is reported, not looped on', async () => {
    bridge.setPreferredMethod.mockResolvedValue(stepUpRequired())
    await setPreferredOnEmail()
    await inputByLabel(app.wrapper, 'Password').setValue('orbit lantern pebble quartz')
    await buttonByText(app.wrapper, 'Confirm').trigger('click')
    await flushPromises()
    expect(bridge.setPreferredMethod).toHaveBeenCalledTimes(2)
    expect(dialogTitle()).toBeNull()
    expect(app.wrapper.get('.notice--error').text()).toBe('Confirm your password to continue.')
  })

  it('guards enabling a method in the wizard (the setup may outlast the 5 minutes)', async () => {
    bridge.verifyEnrollment.mockResolvedValue(ok({ enrollmentId: 'enrollment-totp', recoveryCodes: null }))
    bridge.enableEnrollment.mockResolvedValueOnce(stepUpRequired())
    app = await mountApp('/account/mfa/setup/totp')
    await inputByLabel(app.wrapper, 'Password').setValue('orbit lantern pebble quartz')
    await buttonByText(app.wrapper, 'Next Step').trigger('click')
    await flushPromises()
    await inputByLabel(app.wrapper, 'Enter your code').setValue('123456')
    await buttonByText(app.wrapper, 'Next Step').trigger('click')
    await flushPromises()
    await buttonByText(app.wrapper, 'Enable').trigger('click')
    await flushPromises()
    expect(app.wrapper.get('dialog h2').text()).toBe('Confirm your password')
    await inputByLabel(app.wrapper, 'Password').setValue('orbit lantern pebble quartz')
    await buttonByText(app.wrapper, 'Confirm').trigger('click')
    await flushPromises()
    expect(bridge.enableEnrollment).toHaveBeenCalledTimes(2)
    expect(app.router.currentRoute.value.name).toBe('account')
  })

  it('closes when the session ends meanwhile', async () => {
    bridge.setPreferredMethod.mockResolvedValueOnce(stepUpRequired())
    await setPreferredOnEmail()
    bridge.confirmPassword.mockResolvedValueOnce(fail({ code: 'SESSION_EXPIRED', message: 'x' }))
    await inputByLabel(app.wrapper, 'Password').setValue('orbit lantern pebble quartz')
    await buttonByText(app.wrapper, 'Confirm').trigger('click')
    await flushPromises()
    expect(dialogTitle()).toBeNull()
    expect(app.router.currentRoute.value.name).toBe('sign-in')
  })
})

describe('the step-up store', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('passes a call through when no step-up is asked for', async () => {
    const stepUp = useStepUpStore()
    await expect(stepUp.guard(() => client.listMethods())).resolves.toEqual(overview([]))
    expect(stepUp.open).toBe(false)
  })

  it('two calls refused at once share one dialog, and both are retried after one confirmation', async () => {
    bridge.setPreferredMethod.mockResolvedValueOnce(stepUpRequired()).mockResolvedValueOnce(stepUpRequired())
    const stepUp = useStepUpStore()
    const first = stepUp.guard(() => client.setPreferredMethod(2))
    const second = stepUp.guard(() => client.setPreferredMethod(3))
    await flushPromises()
    expect(stepUp.open).toBe(true)
    await stepUp.confirm('orbit lantern pebble quartz')
    await expect(first).resolves.toMatchObject({ id: 2 })
    await expect(second).resolves.toMatchObject({ id: 3 })
    expect(bridge.confirmPassword).toHaveBeenCalledTimes(1)
  })

  it('a dismissed dialog rejects with a cancellation, not a failure', async () => {
    bridge.regenerateRecoveryCodes.mockResolvedValueOnce(stepUpRequired())
    const stepUp = useStepUpStore()
    const call = stepUp.guard(() => client.regenerateRecoveryCodes())
    await flushPromises()
    stepUp.dismiss()
    const error = await call.catch((e: unknown) => e)
    expect(isStepUpCancelled(error)).toBe(true)
    expect(bridge.regenerateRecoveryCodes).toHaveBeenCalledTimes(1)
  })

  it('other refusals pass through untouched', async () => {
    bridge.removeMethod.mockResolvedValueOnce(fail({ code: 'NOT_FOUND', message: 'x' }))
    const stepUp = useStepUpStore()
    await expect(stepUp.guard(() => client.removeMethod(5))).rejects.toMatchObject({ code: 'NOT_FOUND' })
    expect(stepUp.open).toBe(false)
  })
})
