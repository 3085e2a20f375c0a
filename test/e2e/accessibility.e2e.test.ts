import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import {
  authenticatorCode,
  beginSetup,
  button,
  chooseCountry,
  configureProviders,
  emailedCode,
  enterCode,
  expectAccessible,
  expectChallenge,
  expectMessage,
  expectMyAccount,
  expectNotice,
  field,
  heading,
  methodRow,
  plural,
  recoveryCodesShown,
  scanQrCode,
  screenshot,
  signIn,
  text,
  textedCode,
  ukPhone,
  usPhone,
  useAnotherMethod,
  withMfaWorld,
  type MfaWorld,
  type Person,
} from '../support/e2e-flows'

/**
 * axe-core (4.13, every rule it runs by default: WCAG 2.x A/AA and best
 * practices) on every screen of the app, in Debian's Chromium against the
 * browser preview: first-run setup, sign-in, the second-factor step in each of
 * its states, My account with and without methods, each step of the setup
 * wizard, the dialogs, the contact changes and the password change. No screen
 * may have a serious or critical violation; the failure message lists every
 * violation found. The screens are reached the way a person reaches them.
 */
const lena: Person = {
  username: 'lena',
  displayName: 'Lena Ortiz',
  email: 'lena@example.org',
  password: 'cobalt meadow whistle forty',
}
const mfaEmail = 'lena.codes@example.org'

let world: MfaWorld
let page: Page
let recoveryCodes: string[]
let totpSecret: string
let totpStep: number

withMfaWorld({ people: [], firstRun: true }, (started, tab) => {
  world = started
  page = tab
})

describe('no serious or critical axe violation on any screen', () => {
  it('first-run setup, empty and with a refused password', async () => {
    await heading(page, 'setup.title').waitFor()
    await expectAccessible(page, 'first-run setup')
    await field(page, 'fields.username').fill(lena.username)
    await field(page, 'fields.displayName').fill(lena.displayName)
    await field(page, 'fields.email').fill(lena.email)
    await field(page, 'fields.password').fill('too short')
    await field(page, 'fields.repeatPassword').fill('too short')
    await button(page, 'setup.submit').click()
    await page
      .getByRole('alert')
      .filter({ hasText: text('errors.WEAK_PASSWORD') })
      .first()
      .waitFor()
    await expectAccessible(page, 'first-run setup with errors')

    await field(page, 'fields.password').fill(lena.password)
    await field(page, 'fields.repeatPassword').fill(lena.password)
    await button(page, 'setup.submit').click()
    await heading(page, 'signIn.title').waitFor()
    // The operator sets up the email server and SMS gateway once the first administrator exists.
    await configureProviders(world.dataDir, world.smtp, world.kannel)
  })

  it('sign-in, empty and after a wrong password', async () => {
    await expectAccessible(page, 'sign-in')
    await signIn(page, { username: lena.username, password: 'not the right password' })
    await page
      .getByRole('alert')
      .filter({ hasText: text('errors.INVALID_CREDENTIALS') })
      .waitFor()
    await expectAccessible(page, 'sign-in with an error')
  })

  it('My account without methods, and with a new line from "Add"', async () => {
    await signIn(page, lena)
    await expectMyAccount(page)
    await page.getByText(text('methods.empty'), { exact: true }).waitFor()
    await expectAccessible(page, 'My account, no methods')
    await button(page, 'methods.add').click()
    await page.getByLabel(text('methods.draft.typeLabel'), { exact: true }).waitFor()
    await expectAccessible(page, 'My account, new line')
    await button(page, 'methods.draft.discard').click()
  })

  it('the authenticator wizard: password, QR code, code entered, recovery codes', async () => {
    await heading(page, 'methods.title', 2).waitFor()
    await button(page, 'methods.add').click()
    await page
      .getByLabel(text('methods.draft.typeLabel'), { exact: true })
      .selectOption({ label: text('methodTypes.totp') })
    await button(page, 'methods.draft.setup').click()
    await heading(page, 'wizard.password.title', 2).waitFor()
    await expectAccessible(page, 'wizard: password')
    // A wrong password is refused beside the field.
    await field(page, 'fields.password').fill('not the password')
    await button(page, 'wizard.next').click()
    await page
      .getByText(/^The current password is wrong\./)
      .first()
      .waitFor()
    await expectAccessible(page, 'wizard: wrong password')

    await field(page, 'fields.password').fill(lena.password)
    await button(page, 'wizard.next').click()
    await heading(page, 'wizard.totp.title', 2).waitFor()
    const key = await scanQrCode(page, 'a11y-qr-code')
    totpSecret = key.secret
    await expectAccessible(page, 'wizard: QR code')
    await enterCode(page, '000000', 'wizard.next')
    await page
      .getByRole('alert')
      .filter({ hasText: text('errors.INVALID_CODE') })
      .first()
      .waitFor()
    await expectAccessible(page, 'wizard: wrong code')

    const { code, step } = await authenticatorCode(totpSecret)
    totpStep = step
    await enterCode(page, code, 'wizard.next')
    await heading(page, 'wizard.recovery.title', 2).waitFor()
    recoveryCodes = await recoveryCodesShown(page)
    await expectAccessible(page, 'wizard: recovery codes')
    await page.getByRole('checkbox', { name: text('wizard.recovery.saved'), exact: true }).check()
    await button(page, 'wizard.enable.submit').click()
    await expectMyAccount(page)
    await methodRow(page, text('wizard.defaultLabel.totp')).waitFor()
    await expectAccessible(page, 'My account with a method')
  })

  it('the email wizard: address, code, enable', async () => {
    await beginSetup(page, 'email', lena.password)
    await heading(page, 'wizard.destination.title.email', 2).waitFor()
    await expectAccessible(page, 'wizard: email address')
    await field(page, 'fields.email').fill('not an address')
    await button(page, 'code.send').click()
    await page
      .getByRole('alert')
      .filter({ hasText: text('fieldErrors.email') })
      .first()
      .waitFor()
    await expectAccessible(page, 'wizard: email address refused')
    await field(page, 'fields.email').fill(mfaEmail)
    await button(page, 'code.send').click()
    await heading(page, 'wizard.code.title.email', 2).waitFor()
    await expectAccessible(page, 'wizard: check your email')
    await field(page, 'code.label').fill(await emailedCode(world.smtp, mfaEmail))
    await button(page, 'wizard.next').click()
    await heading(page, 'wizard.enable.title', 2).waitFor()
    await expectAccessible(page, 'wizard: enable')
    await button(page, 'wizard.enable.submit').click()
    await expectMyAccount(page)
    await methodRow(page, text('wizard.defaultLabel.email')).waitFor()
  })

  it('the SMS wizard with the country list open, then a number that is not valid', async () => {
    await beginSetup(page, 'sms', lena.password)
    await heading(page, 'wizard.destination.title.sms', 2).waitFor()
    await expectAccessible(page, 'wizard: phone number')
    const combobox = page.getByRole('combobox', { name: text('phone.countryLabel'), exact: true })
    await combobox.click()
    await combobox.fill('+44')
    await page.getByRole('option', { name: `${ukPhone.country} +${ukPhone.dialCode}`, exact: true }).waitFor()
    await expectAccessible(page, 'wizard: country list open')
    await combobox.press('Escape')
    await chooseCountry(page, usPhone)
    await field(page, 'phone.numberLabel').fill('555 0100')
    await button(page, 'code.send').click()
    await page
      .getByRole('alert')
      .filter({ hasText: text('fieldErrors.phone') })
      .first()
      .waitFor()
    await expectAccessible(page, 'wizard: phone number refused')
    await button(page, 'common.cancel').click()
    await expectMyAccount(page)
    await expectNotice(page, text('account.flash.setupCancelled'))
  })

  it('the rename, remove and regenerate dialogs', async () => {
    const emailRow = methodRow(page, text('wizard.defaultLabel.email'))
    await emailRow.getByRole('button', { name: text('methods.renameButton'), exact: true }).click()
    const rename = page.getByRole('dialog', { name: text('methods.rename.title') })
    await rename.waitFor()
    await expectAccessible(page, 'rename dialog')
    await field(rename, 'methods.rename.label').fill('Home email')
    await button(rename, 'methods.rename.submit').click()
    await expectNotice(page, text('methods.rename.done', { label: 'Home email' }))

    await methodRow(page, 'Home email')
      .getByRole('button', { name: text('methods.removeButton'), exact: true })
      .click()
    const remove = page.getByRole('dialog', { name: text('methods.remove.title') })
    await remove.waitFor()
    await expectAccessible(page, 'remove dialog')
    await button(remove, 'common.cancel').click()
    await remove.waitFor({ state: 'hidden' })

    await button(page, 'recovery.regenerateButton').click()
    const regenerate = page.getByRole('dialog', { name: text('recovery.regenerate.title') })
    await regenerate.waitFor()
    await expectAccessible(page, 'regenerate dialog')
    await button(regenerate, 'recovery.regenerate.submit').click()
    const done = page.getByRole('dialog', { name: text('recovery.regenerate.doneTitle') })
    recoveryCodes = await recoveryCodesShown(done)
    await expectAccessible(page, 'new recovery codes')
    await button(done, 'recovery.regenerate.done').click()
    await done.waitFor({ state: 'hidden' })
  })

  it('changing the email address: new address, then the code sent to it', async () => {
    await page.getByRole('link', { name: text('contact.email.change'), exact: true }).click()
    await heading(page, 'contact.email.title').waitFor()
    await expectAccessible(page, 'change email: new address')
    await field(page, 'contact.email.newLabel').fill('lena.ortiz@example.org')
    await button(page, 'code.send').click()
    await heading(page, 'contact.email.codeTitle', 2).waitFor()
    await expectAccessible(page, 'change email: check your email')
    await field(page, 'code.label').fill(await emailedCode(world.smtp, 'lena.ortiz@example.org'))
    await button(page, 'contact.confirm').click()
    await expectMyAccount(page)
    await expectNotice(page, text('account.flash.contactChanged.email'))
  })

  it('changing the phone number: country list open, then the code texted to it', async () => {
    await page.getByRole('link', { name: text('contact.phone.change'), exact: true }).click()
    await heading(page, 'contact.phone.title').waitFor()
    await expectAccessible(page, 'change phone: new number')
    const combobox = page.getByRole('combobox', { name: text('phone.countryLabel'), exact: true })
    await combobox.click()
    await combobox.fill('King')
    await page.getByRole('option', { name: `${ukPhone.country} +${ukPhone.dialCode}`, exact: true }).waitFor()
    await expectAccessible(page, 'change phone: country list open')
    await combobox.press('Enter')
    await field(page, 'contact.phone.newLabel').fill(ukPhone.national)
    await page.getByText(text('phone.valid', { number: ukPhone.international })).waitFor()
    await screenshot(page, 'change-phone')
    await button(page, 'code.send').click()
    await heading(page, 'contact.phone.codeTitle', 2).waitFor()
    await expectAccessible(page, 'change phone: check your phone')
    await field(page, 'code.label').fill(await textedCode(world.kannel, ukPhone.e164))
    await button(page, 'contact.confirm').click()
    await expectMyAccount(page)
    await expectNotice(page, text('account.flash.contactChanged.phone'))
  })

  it('changing the password', async () => {
    await page.getByRole('link', { name: text('account.changePassword'), exact: true }).click()
    await heading(page, 'changePassword.title').waitFor()
    await expectAccessible(page, 'change password')
    await field(page, 'fields.currentPassword').fill('not the password')
    await field(page, 'fields.newPassword').fill('another long password here')
    await field(page, 'fields.repeatNewPassword').fill('another long password here')
    await button(page, 'changePassword.submit').click()
    await page
      .getByRole('alert')
      .filter({ hasText: text('errors.wrongCurrentPassword') })
      .first()
      .waitFor()
    await expectAccessible(page, 'change password with an error')
    await page.getByRole('link', { name: text('common.backToAccount'), exact: true }).click()
    await expectMyAccount(page)
  })

  it('My account in Chinese', async () => {
    const language = page.getByRole('combobox', { name: text('app.language'), exact: true })
    await language.selectOption({ label: text('languages.zh-CN') })
    await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('zh-CN')
    await expectAccessible(page, 'My account (zh-CN)')
    await page.getByRole('combobox', { name: '语言' }).selectOption({ label: text('languages.en') })
    await heading(page, 'account.title').waitFor()
  })

  it('the second-factor step: authenticator, a wrong code, other methods, email sent, recovery code', async () => {
    await button(page, 'account.signOut').click()
    await signIn(page, lena)
    await expectChallenge(page, 'totp')
    await expectAccessible(page, 'second factor: authenticator')
    const { code } = await authenticatorCode(totpSecret, totpStep)
    await enterCode(page, code === '000000' ? '111111' : '000000')
    await expectMessage(page, 'alert', `${text('errors.INVALID_CODE')} ${plural('errors.codeAttemptsLeft', 4)}`)
    await expectAccessible(page, 'second factor: wrong code')

    await button(page, 'challenge.useAnotherMethod').click()
    await page.locator('#challenge-other-methods').getByRole('button').first().waitFor()
    await expectAccessible(page, 'second factor: other methods listed')
    await button(page, 'challenge.useAnotherMethod').click()
    await useAnotherMethod(page, 'email', 'Home email')
    await expectAccessible(page, 'second factor: email')
    await button(page, 'code.send').click()
    await page.getByText(/^We sent a code to /).waitFor()
    await expectAccessible(page, 'second factor: email code sent')

    await button(page, 'challenge.useRecoveryCode').click()
    await heading(page, 'challenge.recoveryTitle', 2).waitFor()
    await expectAccessible(page, 'second factor: recovery code')
    await field(page, 'challenge.recoveryLabel').fill(recoveryCodes[0]!)
    await button(page, 'challenge.verify').click()
    await expectMyAccount(page)
    await expectNotice(page, plural('account.flash.recoverySignIn', 9))
    await expectAccessible(page, 'My account after a recovery code')
    await screenshot(page, 'my-account-after-recovery-code')
  })
})
