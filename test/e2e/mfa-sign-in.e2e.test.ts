import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import {
  authenticatorCode,
  button,
  emailedCode,
  enterCode,
  expectChallenge,
  expectMessage,
  expectMyAccount,
  expectNotice,
  field,
  heading,
  methodRow,
  normalise,
  plural,
  preferredRows,
  screenshot,
  setUpAuthenticator,
  setUpEmail,
  setUpSms,
  signIn,
  signOut,
  siteOperator,
  text,
  textedCode,
  useAnotherMethod,
  usPhone,
  type EnabledAuthenticator,
  withMfaWorld,
  type MfaWorld,
  type Person,
} from '../support/e2e-flows'

/**
 * Signing in with each method, in Debian's Chromium against the browser
 * preview: the preferred method comes first; "Use another method" switches to
 * the others. Email codes are read from a real SMTP server, SMS codes from
 * Kannel's fakesmsc, authenticator codes computed by oathtool from the QR code
 * the wizard showed. The methods are set up through the page, as in
 * mfa-enroll.e2e.test.ts.
 */
const noor: Person = {
  username: 'noor',
  displayName: 'Noor Haddad',
  email: 'noor@example.org',
  password: 'velvet compass morning eleven',
}
const mfaEmail = 'noor.codes@example.org'

let world: MfaWorld
let page: Page
let authenticator: EnabledAuthenticator

withMfaWorld({ people: [siteOperator, noor] }, (started, tab) => {
  world = started
  page = tab
})

/** The browser's clipboard, inside page.evaluate (the Node tsconfig has no DOM types). */
interface BrowserClipboard {
  readonly navigator: { readonly clipboard: { writeText(text: string): Promise<void> } }
}

/** "Last used" of one method on My account. */
async function lastUsed(label: string): Promise<string> {
  return normalise(await methodRow(page, label).getByRole('cell').nth(2).innerText())
}

describe('signing in with each method', () => {
  it('sets up an authenticator app, email and SMS, and makes email the preferred method', async () => {
    await signIn(page, noor)
    await expectMyAccount(page)
    authenticator = await setUpAuthenticator(page, noor.password, true)
    expect(authenticator.recoveryCodes).toHaveLength(10)
    await setUpEmail(page, world, noor.password, mfaEmail, false)
    await setUpSms(page, world, noor.password, usPhone, false)
    const emailLabel = text('wizard.defaultLabel.email')
    await methodRow(page, emailLabel)
      .getByRole('button', { name: text('methods.setPreferred'), exact: true })
      .click()
    await expectNotice(page, text('methods.preferredChanged', { label: emailLabel }))
    expect(await preferredRows(page)).toEqual([emailLabel])
    await signOut(page)
  })

  it('email (preferred): "Send Code", a wrong code is refused with the tries left, the emailed code signs in', async () => {
    await heading(page, 'signIn.title').waitFor()
    await field(page, 'fields.username').fill(noor.username)
    await field(page, 'fields.password').fill(noor.password)
    await screenshot(page, 'sign-in')
    await button(page, 'signIn.submit').click()
    await expectChallenge(page, 'email')
    // S16: the address is masked; the person recognises it, nobody else learns it.
    const intro = page.getByText(/^Select “Send Code” and we will email a code to /)
    expect(normalise(await intro.innerText())).toMatch(/to n•+s@example\.org\.$/)

    await button(page, 'code.send').click()
    await page.getByText(/^We sent a code to n•+s@example\.org\. It works until /).waitFor()
    // S10: no new code for a while; the button says when.
    await expect.poll(() => button(page, 'code.resend').isDisabled()).toBe(true)
    await page.getByText(/^You can ask for a new code in \d:\d\d\.$/).waitFor()
    const code = await emailedCode(world.smtp, mfaEmail)
    await field(page, 'code.label').fill(code)
    await screenshot(page, 'sign-in-second-factor')

    // S13: a wrong code says so, and how many tries this sign-in has left.
    const wrong = code === '000000' ? '111111' : '000000'
    await enterCode(page, wrong)
    await expectMessage(page, 'alert', `${text('errors.INVALID_CODE')} ${plural('errors.codeAttemptsLeft', 4)}`)
    await screenshot(page, 'sign-in-wrong-code')

    await enterCode(page, code)
    await expectMyAccount(page)
    await page.getByText(text('app.signedInAs', { name: noor.displayName }), { exact: true }).waitFor()
    await methodRow(page, text('wizard.defaultLabel.email')).waitFor()
    expect(await lastUsed(text('wizard.defaultLabel.email'))).not.toBe(text('common.never'))
    await signOut(page)
  })

  it('SMS: "Use another method" → the text message method → "Send Code" → the code from Kannel', async () => {
    await signIn(page, noor)
    await expectChallenge(page, 'email')
    await button(page, 'challenge.useAnotherMethod').click()
    await screenshot(page, 'sign-in-other-methods', heading(page, 'methodTypes.email', 2))
    // The list names each other method with its masked destination; codes by SMS are marked less secure.
    const choices = page.locator('#challenge-other-methods').getByRole('button')
    expect((await choices.allInnerTexts()).map(normalise)).toEqual([
      `${text('methodTypes.totp')} ${text('wizard.defaultLabel.totp')}`,
      `${text('methodTypes.sms')} ${text('wizard.defaultLabel.sms')} (+1 •••••••123) ${text('methods.weaker')}`,
    ])
    await button(page, 'challenge.useAnotherMethod').click()

    await useAnotherMethod(page, 'sms', text('wizard.defaultLabel.sms'))
    await page.getByText(/^Select “Send Code” and we will text a code to \+1 •+123\.$/).waitFor()
    await button(page, 'code.send').click()
    await page.getByText(/^We sent a code to \+1 •+123\. It works until /).waitFor()
    const code = await textedCode(world.kannel, usPhone.e164)
    // A code copied as "123 456" pastes into the one code field as its six digits.
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: world.preview.origin })
    await page.evaluate(
      (spaced) => (globalThis as unknown as BrowserClipboard).navigator.clipboard.writeText(spaced),
      `${code.slice(0, 3)} ${code.slice(3)}`,
    )
    const codeField = field(page, 'code.label')
    await codeField.focus()
    await page.keyboard.press('Control+V')
    expect(await codeField.inputValue()).toBe(code)
    await button(page, 'challenge.verify').click()
    await expectMyAccount(page)
    await methodRow(page, text('wizard.defaultLabel.sms')).waitFor()
    expect(await lastUsed(text('wizard.defaultLabel.sms'))).not.toBe(text('common.never'))
    await signOut(page)
  })

  it('authenticator: "Use another method" → the authenticator app → the code oathtool computes now', async () => {
    await signIn(page, noor)
    await expectChallenge(page, 'email')
    await useAnotherMethod(page, 'totp', text('wizard.defaultLabel.totp'))
    // The setup used one time step's code; an app shows the next one within 30 seconds.
    const { code } = await authenticatorCode(authenticator.key.secret, authenticator.usedStep)
    await enterCode(page, code)
    await expectMyAccount(page)
    await methodRow(page, text('wizard.defaultLabel.totp')).waitFor()
    expect(await lastUsed(text('wizard.defaultLabel.totp'))).not.toBe(text('common.never'))
    await signOut(page)
  })

  it('"Cancel" ends the half-done sign-in; the password alone never reaches My account', async () => {
    await signIn(page, noor)
    await expectChallenge(page, 'email')
    await button(page, 'common.cancel').click()
    await heading(page, 'signIn.title').waitFor()
    await expectMessage(page, 'status', text('signIn.notices.signInCancelled'))
    // S14: going to My account directly does not skip the second factor.
    await page.goto(`${world.preview.url}#/account`)
    await heading(page, 'signIn.title').waitFor()
    expect(await field(page, 'fields.password').inputValue()).toBe('')
  })
})
