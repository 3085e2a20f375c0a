import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import {
  button,
  expectChallenge,
  expectMyAccount,
  expectNotice,
  field,
  heading,
  methodRow,
  plural,
  recoveryCodesShown,
  screenshot,
  setUpEmail,
  setUpSms,
  signIn,
  signOut,
  siteOperator,
  text,
  ukPhone,
  withMfaWorld,
  type MfaWorld,
  type Person,
} from '../support/e2e-flows'

/**
 * Recovery codes and removing a method, through the page in Debian's Chromium
 * against the browser preview: a recovery code signs in once and is refused
 * the second time (S11); "Remove" asks first; "Regenerate" shows ten new codes
 * and the old ones stop working at once (S12).
 */
const kai: Person = {
  username: 'kai',
  displayName: 'Kai Moreno',
  email: 'kai@example.org',
  password: 'saffron bridge lantern ninety',
}
const mfaEmail = 'kai.codes@example.org'

let world: MfaWorld
let page: Page
let firstCodes: string[]
let newCodes: string[]

withMfaWorld({ people: [siteOperator, kai] }, (started, tab) => {
  world = started
  page = tab
})

const wrongCode = `${text('errors.INVALID_CODE')} ${plural('errors.codeAttemptsLeft', 4)}`

/** Sign-in up to the second step, then "Use a recovery code" and one code. */
async function signInWithRecoveryCode(code: string, shot?: string): Promise<void> {
  await signIn(page, kai)
  await expectChallenge(page, 'email')
  await button(page, 'challenge.useRecoveryCode').click()
  await heading(page, 'challenge.recoveryTitle', 2).waitFor()
  await field(page, 'challenge.recoveryLabel').fill(code)
  if (shot) await screenshot(page, shot)
  await button(page, 'challenge.verify').click()
}

/** The recovery codes section's count ("You have N unused recovery codes…"). */
async function expectRemaining(count: number): Promise<void> {
  await page.getByText(plural('recovery.remaining', count), { exact: true }).waitFor()
}

describe('recovery codes', () => {
  it('sets up email (with the recovery codes) and SMS', async () => {
    await signIn(page, kai)
    await expectMyAccount(page)
    firstCodes = (await setUpEmail(page, world, kai.password, mfaEmail, true)).recoveryCodes!
    await setUpSms(page, world, kai.password, ukPhone, false)
    await expectRemaining(10)
    await signOut(page)
  })

  it('S11: signs in with a recovery code instead of the second factor', async () => {
    await signInWithRecoveryCode(firstCodes[0]!, 'sign-in-recovery-code')
    await expectMyAccount(page)
    // The page says a code was used and how many are left; so does an email to the account (S12).
    await expectNotice(page, plural('account.flash.recoverySignIn', 9))
    await expectRemaining(9)
    const notice = 'A recovery code was used to sign in to your account. 9 recovery codes remain.'
    await expect
      .poll(() => world.smtp.messages.filter((m) => m.envelopeTo.includes(kai.email) && m.text.includes(notice)))
      .toHaveLength(1)
    await signOut(page)
  })

  it('S11: refuses the same recovery code a second time; another one works, typed in lower case with spaces', async () => {
    await signInWithRecoveryCode(firstCodes[0]!)
    await page.getByRole('alert').filter({ hasText: wrongCode }).waitFor()
    await heading(page, 'challenge.recoveryTitle', 2).waitFor()
    await screenshot(page, 'sign-in-recovery-code-refused')
    // "Dashes and spaces do not matter", nor does case (S11: input normalised).
    await field(page, 'challenge.recoveryLabel').fill(firstCodes[1]!.toLowerCase().replace(/-/g, ' '))
    await button(page, 'challenge.verify').click()
    await expectMyAccount(page)
    await expectRemaining(8)
  })
})

describe('removing a method', () => {
  it('"Remove" asks first; "Cancel" keeps the method, "Remove" removes it', async () => {
    const smsLabel = text('wizard.defaultLabel.sms')
    const row = methodRow(page, smsLabel)
    await row.getByRole('button', { name: text('methods.removeButton'), exact: true }).click()
    const dialog = page.getByRole('dialog', { name: text('methods.remove.title') })
    await dialog.waitFor()
    await dialog.getByText(/^You will no longer be able to sign in with Text message \(\+44 •+958\)\.$/).waitFor()
    await screenshot(page, 'remove-method-dialog')
    await button(dialog, 'common.cancel').click()
    await dialog.waitFor({ state: 'hidden' })
    await row.waitFor()

    await row.getByRole('button', { name: text('methods.removeButton'), exact: true }).click()
    await button(dialog, 'methods.remove.submit').click()
    await expectNotice(page, text('methods.remove.done', { label: smsLabel }))
    await row.waitFor({ state: 'detached' })
    await methodRow(page, text('wizard.defaultLabel.email')).waitFor()
    // The engine agrees: after a reload, only the email method is left.
    await page.reload()
    await expectMyAccount(page)
    await methodRow(page, text('wizard.defaultLabel.email')).waitFor()
    expect(await methodRow(page, smsLabel).count()).toBe(0)
  })
})

describe('regenerating recovery codes', () => {
  it('"Regenerate" shows ten new codes once', async () => {
    await expectRemaining(8)
    await button(page, 'recovery.regenerateButton').click()
    const dialog = page.getByRole('dialog', { name: text('recovery.regenerate.title') })
    await dialog.waitFor()
    await button(dialog, 'recovery.regenerate.submit').click()
    const done = page.getByRole('dialog', { name: text('recovery.regenerate.doneTitle') })
    await done.waitFor()
    newCodes = await recoveryCodesShown(done)
    expect(newCodes.filter((code) => firstCodes.includes(code))).toEqual([])
    await screenshot(page, 'regenerated-recovery-codes')
    await button(done, 'recovery.regenerate.done').click()
    await done.waitFor({ state: 'hidden' })
    await expectRemaining(10)
    await signOut(page)
  })

  it('S12: an old code is refused afterwards; a new one signs in', async () => {
    await signInWithRecoveryCode(firstCodes[2]!)
    await page.getByRole('alert').filter({ hasText: wrongCode }).waitFor()
    await field(page, 'challenge.recoveryLabel').fill(newCodes[0]!)
    await button(page, 'challenge.verify').click()
    await expectMyAccount(page)
    await expectNotice(page, plural('account.flash.recoverySignIn', 9))
    await expectRemaining(9)
  })
})
