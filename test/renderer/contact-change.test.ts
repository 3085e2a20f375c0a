import { flushPromises } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { adminAccount, fail, ok, sentCode, stepUpRequired, type FakeBridge } from './support/fake-bridge'
import { clickButton, fieldError, inputByLabel, mountApp, pageText, type MountedApp } from './support/mount-app'
import { withFakeBridge } from './support/renderer-test'

/** "My account → Contact details" (issue 4, screen 5): a change takes effect with the code sent to the new address. */

let bridge: FakeBridge
let app: MountedApp

async function click(text: string): Promise<void> {
  await clickButton(app.wrapper, text)
}

/** The <dd> that follows the <dt> with this text. */
function detail(term: string): string {
  const row = app.wrapper.findAll('.details__row').find((r) => r.get('dt').text() === term)
  if (!row) throw new Error(`No detail "${term}"`)
  return row.get('dd').text()
}

withFakeBridge(
  (fake) => {
    bridge = fake
  },
  { utc: true, appState: 'signed-in' },
)

describe('contact details', () => {
  it('My account shows them with a way to change each', async () => {
    app = await mountApp('/account')
    expect(app.wrapper.get('#contact-title').text()).toBe('Contact details')
    expect(detail('Email')).toBe('ada@example.org')
    expect(detail('Phone')).toBe('+441632960961')
    const link = app.wrapper.findAll('a').find((a) => a.text() === 'Change email')!
    await link.trigger('click')
    await flushPromises()
    expect(app.router.currentRoute.value.name).toBe('change-email')
    expect(app.wrapper.get('h1').text()).toBe('Change email address')
  })

  it('S15: a new email address, confirmed (step-up first), then the code sent to it', async () => {
    app = await mountApp('/account/email')
    expect(pageText(app.wrapper)).toContain('Current email address: ada@example.org')
    const field = inputByLabel(app.wrapper, 'New email address')
    await click('Send Code')
    expect(fieldError(app.wrapper, 'New email address')).toBe('Enter an email address.')
    expect(bridge.beginContactChange).not.toHaveBeenCalled()

    bridge.beginContactChange.mockResolvedValueOnce(stepUpRequired())
    await field.setValue('new@example.org')
    await click('Send Code')
    expect(app.wrapper.get('dialog h2').text()).toBe('Confirm your password')
    await inputByLabel(app.wrapper, 'Password').setValue('orbit lantern pebble quartz')
    await click('Confirm')
    expect(bridge.beginContactChange).toHaveBeenCalledTimes(2)
    expect(bridge.beginContactChange).toHaveBeenLastCalledWith({ email: 'new@example.org' })
    expect(app.wrapper.get('h2').text()).toBe('Check your email')
    expect(pageText(app.wrapper)).toContain('We sent a code to n•••w@example.org.')

    bridge.confirmContactChange.mockResolvedValueOnce(fail({ code: 'INVALID_CODE', message: 'x', attemptsLeft: 6 }))
    await inputByLabel(app.wrapper, 'Enter your code').setValue('000000')
    await click('Confirm')
    expect(fieldError(app.wrapper, 'Enter your code')).toBe(
      'That code is not right. Check it and try again. 6 tries left.',
    )

    // The main process has the new address from now on.
    bridge.getMyAccount.mockResolvedValue(ok({ ...adminAccount, email: 'new@example.org' }))
    await inputByLabel(app.wrapper, 'Enter your code').setValue('246810')
    await click('Confirm')
    expect(bridge.confirmContactChange).toHaveBeenLastCalledWith({ code: '246810' })
    expect(app.router.currentRoute.value.name).toBe('account')
    expect(app.wrapper.get('.notice--success').text()).toBe('Your email address has been changed.')
    expect(detail('Email')).toBe('new@example.org')
  })

  it('a new phone number, with the country-code picker, sent in E.164', async () => {
    bridge.beginContactChange.mockResolvedValue(ok(sentCode('+33 •••••••789')))
    bridge.confirmContactChange.mockResolvedValue(ok({ ...adminAccount, phone: '+33123456789' }))
    app = await mountApp('/account/phone')
    expect(app.wrapper.get('h1').text()).toBe('Change phone number')
    await inputByLabel(app.wrapper, 'Country code').setValue('france')
    await inputByLabel(app.wrapper, 'Country code').trigger('keydown', { key: 'Enter' })
    await inputByLabel(app.wrapper, 'New phone number').setValue('01 23 45 67 89')
    expect(app.wrapper.get('#contact-phone-number-status').text()).toBe('✓ Looks right: +33 1 23 45 67 89')
    await click('Send Code')
    expect(bridge.beginContactChange).toHaveBeenCalledWith({ phone: '+33123456789' })
    expect(app.wrapper.get('h2').text()).toBe('Check your phone')
    await inputByLabel(app.wrapper, 'Enter your code').setValue('135790')
    await click('Confirm')
    expect(app.wrapper.get('.notice--success').text()).toBe('Your phone number has been changed.')
  })

  it('an expired code sends the person back to ask for a new one', async () => {
    app = await mountApp('/account/email')
    await inputByLabel(app.wrapper, 'New email address').setValue('new@example.org')
    await click('Send Code')
    bridge.confirmContactChange.mockResolvedValueOnce(fail({ code: 'EXPIRED', message: 'x' }))
    await inputByLabel(app.wrapper, 'Enter your code').setValue('111111')
    await click('Confirm')
    expect(app.wrapper.get('.notice--error').text()).toBe('The code has expired. Send a new one.')
    expect(app.wrapper.get('h2').text()).toBe('New email address')
  })

  it('Back returns to the address; Cancel to My account without a change', async () => {
    app = await mountApp('/account/email')
    await inputByLabel(app.wrapper, 'New email address').setValue('new@example.org')
    await click('Send Code')
    await click('Back')
    expect(app.wrapper.get('h2').text()).toBe('New email address')
    expect(document.activeElement).toBe(app.wrapper.get('h2').element)
    expect((inputByLabel(app.wrapper, 'New email address').element as HTMLInputElement).value).toBe('new@example.org')
    await click('Cancel')
    expect(app.router.currentRoute.value.name).toBe('account')
    expect(bridge.confirmContactChange).not.toHaveBeenCalled()
  })

  it('says when the server cannot send to that address', async () => {
    bridge.beginContactChange.mockResolvedValueOnce(
      fail({ code: 'DELIVERY_FAILED', message: 'the mail server refused the recipient (550)' }),
    )
    app = await mountApp('/account/email')
    await inputByLabel(app.wrapper, 'New email address').setValue('new@example.org')
    await click('Send Code')
    expect(app.wrapper.get('.notice--error').text()).toContain('Details: the mail server refused the recipient (550)')
    expect(document.activeElement).toBe(app.wrapper.get('.notice--error').element)
  })
})
