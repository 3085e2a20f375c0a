import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import {
  authenticatorCode,
  button,
  catalogueTexts,
  enterCode,
  expectChallenge,
  expectMyAccount,
  expectNotice,
  expectWhollyInView,
  heading,
  methodRow,
  normalise,
  plural,
  preferredRows,
  screenshot,
  setUpAuthenticator,
  setUpEmail,
  setUpSms,
  sidewaysScroll,
  signIn,
  signOut,
  siteOperator,
  text,
  usPhone,
  viewport,
  type EnabledAuthenticator,
  withMfaWorld,
  type MfaWorld,
  type Person,
} from '../support/e2e-flows'
import { repoRoot } from '../support/preview-process'

/**
 * Issue 4, "Done when": a person who follows only the user manual sets up all
 * three methods in the browser preview, in Debian's Chromium, against the real
 * services: email (the code read from a real SMTP server), SMS (the code read
 * from Kannel's fakesmsc) and an authenticator app (the QR code read from a
 * screenshot by zbarimg, the code computed by oathtool). Then "Set preferred"
 * moves the "Preferred" label, and the next sign-in asks for that method first.
 */
const erin: Person = {
  username: 'erin',
  displayName: 'Erin Vale',
  email: 'erin@example.org',
  password: 'amber orchard pencil seventy',
}
const mfaEmail = 'erin.codes@example.org'

let world: MfaWorld
let page: Page
let authenticator: EnabledAuthenticator

withMfaWorld({ people: [siteOperator, erin] }, (started, tab) => {
  world = started
  page = tab
})

/** The texts of one column for every method row, in table order. */
async function column(index: number): Promise<string[]> {
  const rows = page.locator('tbody tr.methods-table__row:not(.methods-table__row--draft)')
  return (await rows.locator(`:scope > :nth-child(${index})`).allInnerTexts()).map(normalise)
}

describe('setting up each method exactly as the manual says', () => {
  it('signs in with the password alone while MFA is off', async () => {
    await signIn(page, erin)
    await expectMyAccount(page)
    await heading(page, 'methods.title', 2).waitFor()
    await page.getByText(text('methods.introOff'), { exact: true }).waitFor()
    await page.getByText(text('methods.empty'), { exact: true }).waitFor()
    await screenshot(page, 'my-account-no-methods', heading(page, 'methods.title', 2))
  })

  it('email: Add → Setup → password → Next Step → address → Send Code → code from the SMTP server → Next Step → recovery codes → Enable', async () => {
    // Another tab signed in with the password alone, before the change.
    const other = await world.openTab()
    await signIn(other, erin)
    await expectMyAccount(other)

    const { recoveryCodes } = await setUpEmail(page, world, erin.password, mfaEmail, true, {
      add: 'my-account-new-line',
      password: 'wizard-password',
      destination: 'wizard-email-address',
      code: 'wizard-email-code',
      finish: 'wizard-recovery-codes',
    })
    // S11: ten codes, shown once, with the first method.
    expect(new Set(recoveryCodes).size).toBe(10)
    // The email went where the person typed, from the provider's sender.
    const mail = world.smtp.messages.find((message) => message.envelopeTo.includes(mfaEmail))
    expect(mail?.from).toBe('keyhold@example.org')

    const row = methodRow(page, text('wizard.defaultLabel.email'))
    await row.getByText(text('methods.preferred'), { exact: true }).waitFor()
    // The destination is masked in the table (S16).
    const destination = normalise(await row.getByRole('cell').nth(1).innerText())
    expect(destination).not.toContain('erin.codes')
    expect(destination).toMatch(/@example\.org$/)
    await page.getByText(text('methods.introOn'), { exact: true }).waitFor()
    await page.getByText(plural('recovery.remaining', 10), { exact: true }).waitFor()

    // S16: a factor change ends the account's other sessions, and is announced by email.
    await other.reload()
    await heading(other, 'signIn.title').waitFor()
    await expect
      .poll(() => world.smtp.messages.filter((m) => m.envelopeTo.includes(erin.email)).map((m) => m.text))
      .toContainEqual(expect.stringContaining('A new sign-in method (Email) was added to your account.'))
  })

  it('SMS: country code and number → Send Code → code from Kannel → Next Step → Enable (no new recovery codes)', async () => {
    const { recoveryCodes } = await setUpSms(page, world, erin.password, usPhone, false, {
      destination: 'wizard-sms-number',
      countries: 'wizard-sms-country-selector',
      code: 'wizard-sms-code',
      finish: 'wizard-enable',
    })
    expect(recoveryCodes).toBeNull()
    const sms = world.kannel.messages.filter((message) => message.to === usPhone.e164)
    expect(sms).toHaveLength(1)
    const row = methodRow(page, text('wizard.defaultLabel.sms'))
    // S16: masked, only the last digits show.
    expect(normalise(await row.getByRole('cell').nth(1).innerText())).toMatch(/^\+1 •+123$/)
    // The first method keeps the label.
    expect(await preferredRows(page)).toEqual([text('wizard.defaultLabel.email')])
  })

  it('authenticator: the QR code read by zbarimg, the code from oathtool → Next Step → Enable', async () => {
    authenticator = await setUpAuthenticator(page, erin.password, false, {
      qr: 'wizard-qr-code-image',
      code: 'wizard-qr-code',
    })
    expect(authenticator.recoveryCodes).toBeNull()
    // S5: 20 random bytes by default are 32 Base32 characters; the label is the account.
    expect(authenticator.key.secret).toMatch(/^[A-Z2-7]{32}$/)
    expect(decodeURIComponent(authenticator.key.uri.pathname)).toMatch(/erin$/)
    expect(await column(1)).toEqual([text('methodTypes.email'), text('methodTypes.sms'), text('methodTypes.totp')])
    expect(
      normalise(await methodRow(page, text('wizard.defaultLabel.totp')).getByRole('cell').nth(1).innerText()),
    ).toBe(text('methods.inApp'))
  })

  it("every row's buttons fit: at 1100×800, at 800 px and at 200% zoom, with no sideways scrolling", async () => {
    const labels = (['email', 'sms', 'totp'] as const).map((type) => text(`wizard.defaultLabel.${type}`))
    // 200% zoom in a 1100×800 window lays the page out in 550×400 CSS pixels.
    const sizes = [viewport, { width: 800, height: 800 }, { width: 550, height: 400 }]
    for (const size of sizes) {
      await page.setViewportSize(size)
      for (const label of labels) {
        const row = methodRow(page, label)
        const remove = row.getByRole('button', { name: text('methods.removeButton'), exact: true })
        await expectWhollyInView(page, remove)
        // The other buttons too, found by their accessible names as before.
        await expectWhollyInView(page, row.getByRole('button', { name: text('methods.renameButton'), exact: true }))
      }
      await expectWhollyInView(
        page,
        methodRow(page, labels[2]!).getByRole('button', { name: text('methods.setPreferred'), exact: true }),
      )
      expect(await sidewaysScroll(page), `${size.width}×${size.height}`).toBe(0)
      await screenshot(page, `my-account-methods-${size.width}`, heading(page, 'methods.title', 2))
    }
    await page.setViewportSize(viewport)
  })
})

describe('changing the preferred method', () => {
  it('"Set preferred" moves the "Preferred" label to that row', async () => {
    const totpLabel = text('wizard.defaultLabel.totp')
    expect(await preferredRows(page)).toEqual([text('wizard.defaultLabel.email')])
    const row = methodRow(page, totpLabel)
    await row.getByRole('button', { name: text('methods.setPreferred'), exact: true }).click()
    await expectNotice(page, text('methods.preferredChanged', { label: totpLabel }))
    await row.getByText(text('methods.preferred'), { exact: true }).waitFor()
    expect(await preferredRows(page)).toEqual([totpLabel])
    // Only the preferred row has no "Set preferred" button.
    const emailRow = methodRow(page, text('wizard.defaultLabel.email'))
    await emailRow.getByRole('button', { name: text('methods.setPreferred'), exact: true }).waitFor()
    expect(await row.getByRole('button', { name: text('methods.setPreferred'), exact: true }).count()).toBe(0)
    await screenshot(page, 'my-account-methods', heading(page, 'methods.title', 2))

    // Still so after a reload: it is the main process's state, not the page's.
    await page.reload()
    await expectMyAccount(page)
    await methodRow(page, totpLabel).waitFor()
    expect(await preferredRows(page)).toEqual([totpLabel])
  })

  it('the next sign-in asks for the preferred method first', async () => {
    await signOut(page)
    await signIn(page, erin)
    await expectChallenge(page, 'totp')
    await screenshot(page, 'sign-in-authenticator')
    // The setup used this time step's code; an app shows the next one after at most 30 seconds.
    const { code } = await authenticatorCode(authenticator.key.secret, authenticator.usedStep)
    await enterCode(page, code)
    await expectMyAccount(page)
    // "Last used" is filled in for the method just used.
    const lastUsed = normalise(
      await methodRow(page, text('wizard.defaultLabel.totp')).getByRole('cell').nth(2).innerText(),
    )
    expect(lastUsed).not.toBe(text('common.never'))
    await button(page, 'account.signOut').waitFor()
  })
})

describe('the user guide (docs/user-guide.md)', () => {
  const guide = readFileSync(resolve(repoRoot, 'docs/user-guide.md'), 'utf8')

  it('names buttons, headings and labels exactly as the English catalogue has them', () => {
    const shown = catalogueTexts()
    // The guide writes every UI text in bold, and only UI texts.
    const bold = [...guide.matchAll(/\*\*(.+?)\*\*/gs)].map((match) => match[1]!.replace(/\s+/g, ' '))
    expect(bold.length).toBeGreaterThan(50)
    expect(bold.filter((label) => !shown.has(label))).toEqual([])
    // The manual's own words (../shared/seed) are among them.
    for (const label of ['Add', 'Setup', 'Next Step', 'Send Code', 'Enter your code', 'Enable', 'Set preferred']) {
      expect(bold).toContain(label)
    }
    expect(bold).toContain(text('methods.preferred'))
  })

  it('shows pictures that exist, and every picture in docs/screenshots is shown', () => {
    const shownPictures = [...guide.matchAll(/!\[[^\]]*\]\((screenshots\/[^)]+)\)/g)].map((match) => match[1]!)
    for (const picture of shownPictures) expect(existsSync(resolve(repoRoot, 'docs', picture)), picture).toBe(true)
    // The admin-* pictures belong to docs/admin-guide.md, checked by test/e2e/admin.e2e.test.ts.
    const files = readdirSync(resolve(repoRoot, 'docs/screenshots'))
      .filter((name) => !name.startsWith('admin-'))
      .map((name) => `screenshots/${name}`)
    expect(files.sort()).toEqual([...new Set(shownPictures)].sort())
  })
})
