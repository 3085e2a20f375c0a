import { flushPromises } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'
import {
  fail,
  ok,
  overview,
  qrDataUrl,
  recoveryCodes,
  totpMethod,
  totpSecret,
  type FakeBridge,
} from './support/fake-bridge'
import {
  buttonByText,
  clickButton,
  fieldError,
  hasButton,
  headingByText,
  inputByLabel,
  mountApp,
  pageText,
  type MountedApp,
} from './support/mount-app'
import { withFakeBridge } from './support/renderer-test'

/** The setup wizard (issue 4, screen 3) for each type of method, against a stubbed bridge. */

let bridge: FakeBridge
let app: MountedApp

async function open(type: 'totp' | 'email' | 'sms'): Promise<void> {
  app = await mountApp(`/account/mfa/setup/${type}`)
  expect(app.router.currentRoute.value.name).toBe('mfa-setup')
}

async function click(text: string): Promise<void> {
  await clickButton(app.wrapper, text)
}

function stepTitle(): string {
  return app.wrapper.get('h2').text()
}

function focusedText(): string {
  return (document.activeElement?.textContent ?? '').trim()
}

async function passPasswordStep(): Promise<void> {
  expect(stepTitle()).toBe('Confirm your password')
  await inputByLabel(app.wrapper, 'Password').setValue('orbit lantern pebble quartz')
  await click('Next Step')
  expect(bridge.confirmPassword).toHaveBeenCalledWith({ password: 'orbit lantern pebble quartz' })
}

async function enterCode(code: string): Promise<void> {
  await inputByLabel(app.wrapper, 'Enter your code').setValue(code)
  await click('Next Step')
}

withFakeBridge(
  (fake) => {
    bridge = fake
  },
  { utc: true, appState: 'signed-in' },
)

describe('the setup wizard: authenticator app', () => {
  it('password → QR code and key → "Enter your code" → recovery codes → "Enable"', async () => {
    await open('totp')
    expect(app.wrapper.get('h1').text()).toBe('Set up an authenticator app')
    expect(pageText(app.wrapper)).toContain(
      'Finish within 10 minutes. After that the setup expires and you start again.',
    )
    expect(document.activeElement).toBe(headingByText(app.wrapper, 'Confirm your password').element)
    expect(app.wrapper.get('[aria-current="step"]').text()).toContain('Password')

    await passPasswordStep()
    expect(bridge.beginEnrollment).toHaveBeenCalledWith({ type: 'totp', label: 'Authenticator app' })
    expect(stepTitle()).toBe('Scan the QR code')
    expect(document.activeElement).toBe(headingByText(app.wrapper, 'Scan the QR code').element)
    const qr = app.wrapper.get('img.qr')
    expect(qr.attributes('src')).toBe(qrDataUrl)
    expect(qr.attributes('alt')).toBe('QR code to scan with your authenticator app')
    expect(app.wrapper.get('#wizard-totp-key').text()).toBe('JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP')
    expect(app.wrapper.findAll('.totp__apps li').map((li) => li.text())).toEqual([
      'Aegis',
      'FreeOTP',
      'Google Authenticator',
      'Microsoft Authenticator',
      '1Password',
      'Bitwarden',
    ])

    const writeText = vi.fn(async () => undefined)
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true })
    await click('Copy key')
    expect(writeText).toHaveBeenCalledWith(totpSecret)
    expect(pageText(app.wrapper)).toContain('The key was copied.')

    await enterCode('123 456')
    expect(bridge.verifyEnrollment).toHaveBeenCalledWith({ enrollmentId: 'enrollment-totp', code: '123 456' })
    expect(stepTitle()).toBe('Save your recovery codes')
    expect(document.activeElement).toBe(headingByText(app.wrapper, 'Save your recovery codes').element)
    expect(app.wrapper.findAll('.recovery-codes__code').map((c) => c.text())).toEqual(recoveryCodes)
    for (const text of ['Copy', 'Download', 'Print']) expect(hasButton(app.wrapper, text)).toBe(true)

    // S11: "Enable" waits for "I have saved these codes".
    expect(buttonByText(app.wrapper, 'Enable').attributes('disabled')).toBeDefined()
    await inputByLabel(app.wrapper, 'I have saved these codes').setValue(true)
    expect(buttonByText(app.wrapper, 'Enable').attributes('disabled')).toBeUndefined()
    bridge.enableEnrollment.mockResolvedValue(ok({ ...totpMethod, id: 7, preferred: true }))
    await click('Enable')
    expect(bridge.enableEnrollment).toHaveBeenCalledWith({ enrollmentId: 'enrollment-totp', recoveryCodesSaved: true })
    expect(app.router.currentRoute.value.name).toBe('account')
    expect(app.wrapper.get('.notice--success').text()).toBe(
      '“Authenticator app” is enabled and is your preferred method.',
    )
    expect(bridge.cancelEnrollment).not.toHaveBeenCalled()
  })

  it('a wrong code says how many tries are left; too many end the setup, which can start again', async () => {
    await open('totp')
    await passPasswordStep()
    bridge.verifyEnrollment.mockResolvedValueOnce(fail({ code: 'INVALID_CODE', message: 'x', attemptsLeft: 2 }))
    await enterCode('000000')
    expect(fieldError(app.wrapper, 'Enter your code')).toBe(
      'That code is not right. Check it and try again. 2 tries left.',
    )
    expect(document.activeElement).toBe(inputByLabel(app.wrapper, 'Enter your code').element)

    bridge.verifyEnrollment.mockResolvedValueOnce(fail({ code: 'INVALID_CODE', message: 'x', attemptsLeft: 0 }))
    await enterCode('000001')
    expect(app.wrapper.get('.notice--error').text()).toContain('Too many wrong codes, so this setup has ended.')
    expect(buttonByText(app.wrapper, 'Next Step').attributes('disabled')).toBeDefined()
    await click('Start again')
    expect(stepTitle()).toBe('Confirm your password')
    expect(app.wrapper.find('.notice--error').exists()).toBe(false)
  })

  it('S36: a setup whose recovery codes went meanwhile ends, says why, and starts again', async () => {
    await open('totp')
    await passPasswordStep()
    // A second method: the account's set was valid when the code was confirmed, so none is shown.
    bridge.verifyEnrollment.mockResolvedValueOnce(ok({ enrollmentId: 'enrollment-totp', recoveryCodes: null }))
    await enterCode('123456')
    bridge.enableEnrollment.mockResolvedValueOnce(fail({ code: 'RECOVERY_CODES_CHANGED', message: 'x' }))
    await click('Enable')
    expect(app.wrapper.get('.notice--error').text()).toContain(
      'Your last method was removed while this was being set up, and your recovery codes with it',
    )
    expect(app.wrapper.findAll('.notice--error')).toHaveLength(1)
    expect(buttonByText(app.wrapper, 'Enable').attributes('disabled')).toBeDefined()
    await click('Start again')
    expect(stepTitle()).toBe('Confirm your password')
  })

  it('S18: an expired setup says so (10 minutes) and starts again from the password', async () => {
    await open('totp')
    await passPasswordStep()
    bridge.verifyEnrollment.mockResolvedValueOnce(fail({ code: 'EXPIRED', message: 'x' }))
    await enterCode('123456')
    expect(app.wrapper.get('.notice--error').text()).toContain(
      'This setup took longer than 10 minutes and has expired.',
    )
    await click('Start again')
    expect(stepTitle()).toBe('Confirm your password')
    await passPasswordStep()
    expect(bridge.beginEnrollment).toHaveBeenCalledTimes(2)
  })

  it('a wrong password stays on step 1 and says so', async () => {
    await open('totp')
    bridge.confirmPassword.mockResolvedValueOnce(fail({ code: 'INVALID_CREDENTIALS', message: 'x', attemptsLeft: 4 }))
    await inputByLabel(app.wrapper, 'Password').setValue('wrong')
    await click('Next Step')
    expect(fieldError(app.wrapper, 'Password')).toBe(
      'The current password is wrong. 4 attempts left before the account is locked.',
    )
    expect(bridge.beginEnrollment).not.toHaveBeenCalled()
    expect((inputByLabel(app.wrapper, 'Password').element as HTMLInputElement).value).toBe('')
  })

  it('Back from the QR code cancels that setup and returns to the password; Back from the codes keeps it', async () => {
    await open('totp')
    await passPasswordStep()
    await click('Back')
    expect(bridge.cancelEnrollment).toHaveBeenCalledWith({ enrollmentId: 'enrollment-totp' })
    expect(stepTitle()).toBe('Confirm your password')
    await passPasswordStep()
    await enterCode('123456')
    expect(stepTitle()).toBe('Save your recovery codes')
    await click('Back')
    expect(stepTitle()).toBe('Scan the QR code')
    expect(pageText(app.wrapper)).toContain('Your code was confirmed.')
    expect(document.activeElement).toBe(headingByText(app.wrapper, 'Scan the QR code').element)
    await click('Next Step')
    expect(stepTitle()).toBe('Save your recovery codes')
    expect(bridge.verifyEnrollment).toHaveBeenCalledTimes(1)
    expect(bridge.cancelEnrollment).toHaveBeenCalledTimes(1)
  })

  it('Cancel at any step cancels the pending setup and goes back to My account', async () => {
    await open('totp')
    await passPasswordStep()
    await enterCode('123456')
    await click('Cancel')
    expect(bridge.cancelEnrollment).toHaveBeenCalledWith({ enrollmentId: 'enrollment-totp' })
    expect(app.router.currentRoute.value.name).toBe('account')
    expect(pageText(app.wrapper)).toContain('Setup cancelled. Nothing was changed.')
  })

  it('S18: leaving the wizard another way (a link, Back in the browser) cancels the pending setup', async () => {
    await open('totp')
    await passPasswordStep()
    await app.router.push('/account')
    await flushPromises()
    expect(bridge.cancelEnrollment).toHaveBeenCalledWith({ enrollmentId: 'enrollment-totp' })
  })
})

describe('the setup wizard: email', () => {
  it('password → address → "Send Code" → "Enter your code" → "Next Step" → "Enable"', async () => {
    await open('email')
    expect(app.wrapper.get('h1').text()).toBe('Set up codes by email')
    await passPasswordStep()
    expect(bridge.beginEnrollment).not.toHaveBeenCalled()
    expect(stepTitle()).toBe('Enter your email address')
    expect(focusedText()).toBe('Enter your email address')
    expect(pageText(app.wrapper)).toContain('Codes by email are less secure than an authenticator app')
    const email = inputByLabel(app.wrapper, 'Email')
    expect((email.element as HTMLInputElement).value).toBe('ada@example.org')
    await email.setValue('')
    await click('Send Code')
    expect(fieldError(app.wrapper, 'Email')).toBe('Enter an email address.')
    await email.setValue('new@example.org')
    await click('Send Code')
    expect(bridge.beginEnrollment).toHaveBeenCalledWith({ type: 'email', email: 'new@example.org', label: 'Email' })
    expect(stepTitle()).toBe('Check your email')
    expect(pageText(app.wrapper)).toContain(
      'We sent a code to n•••w@example.org. It works until Nov 28, 2026, 8:35 AM.',
    )
    expect(buttonByText(app.wrapper, 'Resend Code').attributes('disabled')).toBeDefined()
    expect(pageText(app.wrapper)).toContain('You can ask for a new code in 1:00.')
    app.clock.advance(60_000)
    await flushPromises()
    await click('Resend Code')
    expect(bridge.resendEnrollmentCode).toHaveBeenCalledWith({ enrollmentId: 'enrollment-email' })

    bridge.verifyEnrollment.mockResolvedValue(ok({ enrollmentId: 'enrollment-email', recoveryCodes: null }))
    await enterCode('654321')
    expect(bridge.verifyEnrollment).toHaveBeenCalledWith({ enrollmentId: 'enrollment-email', code: '654321' })
    // No recovery codes (the account has some already): straight to "Enable".
    expect(stepTitle()).toBe('Enable the method')
    expect(buttonByText(app.wrapper, 'Enable').attributes('disabled')).toBeUndefined()
    bridge.enableEnrollment.mockResolvedValue(ok({ ...totpMethod, type: 'email', label: 'Email', preferred: false }))
    await click('Enable')
    expect(bridge.enableEnrollment).toHaveBeenCalledWith({
      enrollmentId: 'enrollment-email',
      recoveryCodesSaved: false,
    })
    expect(app.wrapper.get('.notice--success').text()).toBe('“Email” is enabled. You can use it when you sign in.')
  })

  it('Back from "Check your email" cancels that code and keeps the address for a correction', async () => {
    await open('email')
    await passPasswordStep()
    await inputByLabel(app.wrapper, 'Email').setValue('typo@example.org')
    await click('Send Code')
    await click('Back')
    expect(bridge.cancelEnrollment).toHaveBeenCalledWith({ enrollmentId: 'enrollment-email' })
    expect(stepTitle()).toBe('Enter your email address')
    expect((inputByLabel(app.wrapper, 'Email').element as HTMLInputElement).value).toBe('typo@example.org')
    await click('Back')
    expect(stepTitle()).toBe('Confirm your password')
  })

  it('says when sending by email is not set up, or an address is already a method', async () => {
    await open('email')
    await passPasswordStep()
    bridge.beginEnrollment.mockResolvedValueOnce(fail({ code: 'NOT_CONFIGURED', message: 'x' }))
    await click('Send Code')
    expect(app.wrapper.get('.notice--error').text()).toBe(
      'Sending codes this way is not set up yet. Ask an administrator, or choose another method.',
    )
    bridge.beginEnrollment.mockResolvedValueOnce(fail({ code: 'CONFLICT', message: 'x' }))
    await click('Send Code')
    expect(app.wrapper.get('.notice--error').text()).toBe('This email address is already one of your methods.')
    expect(stepTitle()).toBe('Enter your email address')
  })
})

describe('the setup wizard: text message (SMS)', () => {
  it('a searchable country-code picker with flags and dial codes, and a number checked as it is typed', async () => {
    await open('sms')
    expect(app.wrapper.get('h1').text()).toBe('Set up codes by text message (SMS)')
    await passPasswordStep()
    expect(stepTitle()).toBe('Enter your phone number')
    expect(pageText(app.wrapper)).toContain('Text messages are less secure than an authenticator app')

    const country = inputByLabel(app.wrapper, 'Country code')
    expect(country.attributes('role')).toBe('combobox')
    // The account's phone is in the United Kingdom, so that is where the picker starts.
    expect((country.element as HTMLInputElement).value).toBe('United Kingdom (+44)')
    expect(app.wrapper.get('.combobox__flag').text()).toBe('🇬🇧')

    await country.setValue('+33')
    expect(country.attributes('aria-expanded')).toBe('true')
    const options = app.wrapper.findAll('[role="option"]').map((o) => o.text().replace(/\s+/g, ' '))
    expect(options).toEqual(['🇫🇷 France +33'])
    await country.setValue('swit')
    expect(app.wrapper.findAll('[role="option"]').map((o) => o.text().replace(/\s+/g, ' '))).toEqual([
      '🇨🇭 Switzerland +41',
    ])
    await country.setValue('united')
    const united = app.wrapper.findAll('[role="option"]').map((o) => o.text().replace(/\s+/g, ' '))
    expect(united).toContain('🇺🇸 United States +1')
    expect(country.attributes('aria-activedescendant')).toBe(
      app.wrapper.findAll('[role="option"]')[0]!.attributes('id'),
    )
    await country.trigger('keydown', { key: 'ArrowDown' })
    const active = app.wrapper.get(`#${country.attributes('aria-activedescendant')}`).text()
    expect(active.replace(/\s+/g, ' ')).toBe(united[1])
    await country.setValue('germ')
    await country.trigger('keydown', { key: 'Enter' })
    expect(country.attributes('aria-expanded')).toBe('false')
    expect((country.element as HTMLInputElement).value).toBe('Germany (+49)')

    const number = inputByLabel(app.wrapper, 'Phone number')
    const status = () => app.wrapper.get('#wizard-phone-number-status').text()
    expect(status()).toBe('Your mobile number, without the country code.')
    await number.setValue('030')
    expect(status()).toBe('Keep typing: the number is not complete yet.')
    await number.setValue('030 901820')
    expect(status()).toBe('✓ Looks right: +49 30 901820')
    await number.setValue('030 90182099999999')
    expect(status()).toBe('This number is too long for Germany.')
    await number.setValue('call me')
    expect(status()).toBe('Use only digits, spaces and dashes.')

    // A number typed with its own country code moves the picker to that country.
    await number.setValue('+44 20 7946 0958')
    await flushPromises()
    expect((country.element as HTMLInputElement).value).toBe('United Kingdom (+44)')
    await click('Send Code')
    expect(bridge.beginEnrollment).toHaveBeenCalledWith({ type: 'sms', phone: '+442079460958', label: 'Text message' })
    expect(stepTitle()).toBe('Check your phone')
    await enterCode('112233')
    expect(stepTitle()).toBe('Save your recovery codes')
  })

  it('will not send a code to a number that cannot be right', async () => {
    await open('sms')
    await passPasswordStep()
    await inputByLabel(app.wrapper, 'Phone number').setValue('12')
    await click('Send Code')
    expect(fieldError(app.wrapper, 'Phone number')).toBe('Enter a valid phone number.')
    expect(bridge.beginEnrollment).not.toHaveBeenCalled()
  })

  it('Escape closes the country list and keeps the country chosen before', async () => {
    await open('sms')
    await passPasswordStep()
    const country = inputByLabel(app.wrapper, 'Country code')
    await country.setValue('fra')
    await country.trigger('keydown', { key: 'Escape' })
    expect(country.attributes('aria-expanded')).toBe('false')
    expect((country.element as HTMLInputElement).value).toBe('United Kingdom (+44)')
  })
})

describe('the wizard from My account', () => {
  it('"Add" → "Setup" → … → "Enable": the new line becomes the new method', async () => {
    bridge.listMethods.mockResolvedValue(ok(overview([])))
    app = await mountApp('/account')
    await click('Add')
    await click('Setup')
    expect(app.wrapper.get('h1').text()).toBe('Set up an authenticator app')
    await passPasswordStep()
    await enterCode('123456')
    await inputByLabel(app.wrapper, 'I have saved these codes').setValue(true)
    bridge.listMethods.mockResolvedValue(ok(overview([{ ...totpMethod, id: 9 }])))
    bridge.enableEnrollment.mockResolvedValue(ok({ ...totpMethod, id: 9 }))
    await click('Enable')
    expect(app.router.currentRoute.value.name).toBe('account')
    expect(app.wrapper.findAll('.methods-table__row--draft')).toHaveLength(0)
    expect(app.wrapper.findAll('.badge--preferred')).toHaveLength(1)
  })
})
