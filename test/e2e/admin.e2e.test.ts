import Database from 'better-sqlite3'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { Locator, Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import {
  button,
  catalogueTexts,
  expectAccessible,
  expectMyAccount,
  field,
  heading,
  normalise,
  plural,
  runCli,
  screenshot,
  signIn,
  signOut,
  withMfaWorld,
  text,
  type MfaWorld,
  type Person,
} from '../support/e2e-flows'
import { repoRoot } from '../support/preview-process'

/**
 * Issue 5, the operator's screens in Debian's Chromium against the browser
 * preview and the real services (the SMTP peer, Kannel): Settings, Policy,
 * Accounts (search, create with a one-time setup code that the new user then
 * redeems, lock and unlock, disable and enable, reset password), Providers
 * (save, "Send test message" received by the SMTP server, the last send, the
 * SMS country list, the email-to-SMS gateway), the audit log (filter, "Verify
 * chain") and Coverage. Every change goes through step-up (S15) when the last
 * password check is older than five minutes; axe-core runs on every screen and
 * dialog, and nothing needed is cut off at 1100×800. The CLI on the same data
 * folder checks what was stored.
 */
const olga: Person = {
  username: 'olga',
  displayName: 'Olga Operator',
  email: 'olga@example.org',
  password: 'granite harbour signal thirty',
}
const uma: Person = {
  username: 'uma',
  displayName: 'Uma Umber',
  email: 'uma@example.org',
  password: 'amber orchard pencil seventy',
}
const ursula: Person = {
  username: 'ursula',
  displayName: 'Ursula Ulm',
  email: 'ursula@example.org',
  password: 'copper lantern meadow ninety',
}
const victor: Person = {
  username: 'victor',
  displayName: 'Victor Vale',
  email: 'victor@example.org',
  password: 'velvet canyon orbit fifteen',
}
/** Made in the window; she chooses her own password with the setup code. */
const nina = {
  username: 'nina',
  displayName: 'Nina New',
  email: 'nina@example.org',
  password: 'harbor quilt meadow sixty',
  secondPassword: 'silver tundra pocket eighty',
}
const siteName = 'Northwind Clinic'
const testAddress = 'postmaster@example.org'

let world: MfaWorld
/** Olga's tab, the administrator's window. */
let page: Page
/** Nina's own tab (its own session). */
let ninaPage: Page

/**
 * S15: the main process asks for the password again when the session's last
 * check is older than five minutes. The test does not wait five minutes: it
 * moves the time of the last check back in the sessions table, which the main
 * process reads at every call, so the next change is refused with
 * STEP_UP_REQUIRED and the window opens "Confirm your password".
 */
function ageStepUp(dataDir: string): void {
  const db = new Database(join(dataDir, 'keyhold.db'))
  try {
    db.pragma('busy_timeout = 5000')
    const aged = db
      .prepare('UPDATE sessions SET step_up_at = step_up_at - ? WHERE ended_at IS NULL AND step_up_at IS NOT NULL')
      .run(10 * 60_000)
    expect(aged.changes).toBeGreaterThan(0)
  } finally {
    db.close()
  }
}

const stepUpTitle = (): Locator => heading(page, 'stepUp.title', 2)

/** "Confirm your password": typed and confirmed; the dialog closes and the change goes ahead. */
async function confirmStepUp(shot?: string): Promise<void> {
  const dialog = page.getByRole('dialog', { name: text('stepUp.title'), exact: true })
  await dialog.waitFor()
  await expectAccessible(page, 'step-up dialog')
  await field(dialog, 'fields.password').fill(olga.password)
  if (shot) await screenshot(page, shot)
  await button(dialog, 'stepUp.submit').click()
  await dialog.waitFor({ state: 'detached' })
}

/**
 * After a change: either its outcome shows, or the step-up dialog comes first
 * (when the run has been going for more than five minutes since the last
 * check); then the password is confirmed and the outcome waited for.
 */
async function expectOutcome(outcome: Locator): Promise<void> {
  await stepUpTitle().or(outcome).first().waitFor()
  if (await stepUpTitle().isVisible()) await confirmStepUp()
  await outcome.waitFor()
}

/** A success box (NoticeMessage) with exactly this text. */
function notice(scope: Page | Locator, expected: string): Locator {
  return scope.getByText(expected, { exact: true })
}

/** A navigation link of the administrator's menu. */
async function openAdminPage(key: string, titleKey: string): Promise<void> {
  await page
    .getByRole('navigation', { name: text('nav.label') })
    .getByRole('link', { name: text(key) })
    .click()
  await heading(page, titleKey).waitFor()
}

/**
 * At 1100×800 nothing needed is cut off: the page does not scroll sideways,
 * no table needs a sideways scrollbar, and every button, field and link lies
 * within the window's width.
 */
async function expectNothingClipped(screen: string): Promise<void> {
  const problems = await page.evaluate(() => {
    interface Box {
      readonly left: number
      readonly right: number
      readonly top: number
      readonly bottom: number
      readonly width: number
    }
    interface Element {
      readonly tagName: string
      readonly id: string
      readonly className: unknown
      readonly scrollWidth: number
      readonly clientWidth: number
      readonly clientHeight: number
      readonly textContent: string | null
      getBoundingClientRect(): Box
    }
    const doc = (
      globalThis as unknown as {
        document: { documentElement: Element; querySelectorAll(selector: string): ArrayLike<Element> }
      }
    ).document
    const width = doc.documentElement.clientWidth
    const height = doc.documentElement.clientHeight
    const found: string[] = []
    const name = (e: Element): string =>
      `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''} "${(e.textContent ?? '').trim().slice(0, 40)}"`
    if (doc.documentElement.scrollWidth > width) {
      found.push(`the page scrolls sideways (${doc.documentElement.scrollWidth} > ${width})`)
    }
    // A dialog stays inside the window (a tall one scrolls within itself).
    for (const dialog of Array.from(doc.querySelectorAll('dialog[open]'))) {
      const box = dialog.getBoundingClientRect()
      if (box.top < 0 || box.bottom > height + 1) found.push(`${name(dialog)} is cut off (${box.top}–${box.bottom})`)
    }
    for (const wrap of Array.from(doc.querySelectorAll('.table-wrap'))) {
      if (wrap.scrollWidth > wrap.clientWidth + 1) found.push(`${name(wrap)} scrolls sideways`)
    }
    for (const control of Array.from(doc.querySelectorAll('main button, main input, main select, main a, dialog *'))) {
      const box = control.getBoundingClientRect()
      if (box.width === 0) continue
      if (box.left < 0 || box.right > width + 1) found.push(`${name(control)} is cut off (${box.left}–${box.right})`)
    }
    return found
  })
  expect(problems, `at 1100×800 on "${screen}"`).toEqual([])
}

/**
 * Every check one admin screen gets: axe, nothing cut off, and the picture for the guide, with the screen's
 * card at the top (under Required, Olga's own grace-period notice sits above it on every page).
 */
async function checkScreen(screen: string, shot: string, titleKey: string, named = {}): Promise<void> {
  await expectAccessible(page, screen)
  await expectNothingClipped(screen)
  await screenshot(page, shot, page.locator('section', { has: heading(page, titleKey, 1, named) }).first())
}

async function cliJson<T>(args: readonly string[]): Promise<T> {
  const result = await runCli(world.dataDir, [...args, '--json'])
  expect(result.code, result.stderr).toBe(0)
  return JSON.parse(result.stdout) as T
}

interface PolicyDocument {
  readonly version: number
  readonly site: { readonly enforcement: string; readonly gracePeriodDays: number; readonly lockoutThreshold: number }
}

withMfaWorld({ people: [olga, uma, ursula, victor] }, async (started, first) => {
  world = started
  page = first
  ninaPage = await world.openTab()
  await signIn(page, olga)
  await expectMyAccount(page)
})

describe('Settings', () => {
  it('changes the site name, after "Confirm your password"', async () => {
    await openAdminPage('nav.settings', 'admin.settings.title')
    const name = field(page, 'admin.settings.siteName')
    await expect.poll(() => name.inputValue()).toBe('Keyhold')
    await checkScreen('Settings', 'admin-settings', 'admin.settings.title')

    await name.fill(siteName)
    // S15: the last password check is made older than five minutes, so the change asks for it.
    ageStepUp(world.dataDir)
    await button(page, 'admin.settings.save').click()
    await confirmStepUp()
    await notice(page, text('admin.settings.saved')).waitFor()
    await expectAccessible(page, 'Settings, saved')

    // The window shows the stored name when the page is opened again, and the CLI reads the same.
    await page.reload()
    await heading(page, 'admin.settings.title').waitFor()
    await expect.poll(() => field(page, 'admin.settings.siteName').inputValue()).toBe(siteName)
    expect(await cliJson<{ siteName: string }>(['settings', 'get'])).toMatchObject({ siteName })
  })
})

describe('Policy', () => {
  it('saves Required with a grace period and a lower lockout threshold', async () => {
    await openAdminPage('nav.policy', 'admin.policy.title')
    const site = page.locator('section[aria-labelledby="policy-site-title"]')
    await heading(site, 'admin.policy.siteTitle', 2).waitFor()
    await checkScreen('Policy', 'admin-policy', 'admin.policy.title')
    const before = await cliJson<PolicyDocument>(['policy', 'get'])

    await site.getByRole('radio', { name: text('admin.policy.enforcement.required'), exact: true }).check()
    await field(site, 'admin.policy.rules.gracePeriodDays').fill('14')
    await field(site, 'admin.policy.rules.lockoutThreshold').fill('3')
    await button(page, 'admin.policy.save').click()
    await expectOutcome(notice(page, text('admin.policy.saved')))
    await expectAccessible(page, 'Policy, saved')

    const after = await cliJson<PolicyDocument>(['policy', 'get'])
    expect(after.version).toBe(before.version + 1)
    expect(after.site).toMatchObject({ enforcement: 'required', gracePeriodDays: 14, lockoutThreshold: 3 })
  })

  it("an out-of-range number shows the field's message and nothing is saved", async () => {
    const site = page.locator('section[aria-labelledby="policy-site-title"]')
    const before = await cliJson<PolicyDocument>(['policy', 'get'])
    const threshold = field(site, 'admin.policy.rules.lockoutThreshold')
    await threshold.fill('99')
    await button(page, 'admin.policy.save').click()
    const message = text('admin.policy.errors.range', { min: 3, max: 20 })
    await page.getByRole('alert').filter({ hasText: message }).waitFor()
    // The field says what is wrong, is marked invalid and has the focus.
    await expect.poll(() => threshold.getAttribute('aria-invalid')).toBe('true')
    await expect.poll(() => threshold.evaluate((element) => element.matches(':focus'))).toBe(true)
    expect(await notice(page, text('admin.policy.saved')).count()).toBe(0)
    await expectAccessible(page, 'Policy with an out-of-range value')
    expect(await cliJson<PolicyDocument>(['policy', 'get'])).toEqual(before)

    // Back to a valid value, so the page is left as stored.
    await page.reload()
    await heading(page, 'admin.policy.title').waitFor()
  })
})

/** The account's row in the Accounts table, by its username link. */
function accountRow(username: string): Locator {
  return page.getByRole('row').filter({ has: page.getByRole('link', { name: username, exact: true }) })
}

async function usernamesListed(): Promise<string[]> {
  const table = page.getByRole('table', { name: text('admin.accounts.caption'), exact: true })
  return (await table.getByRole('rowheader').allInnerTexts()).map(normalise)
}

/** "Have a setup code?" on the sign-in page: username, code, new password twice, "Set password and sign in". */
async function redeem(code: string, password: string): Promise<void> {
  await heading(ninaPage, 'signIn.title').waitFor()
  await ninaPage.getByRole('link', { name: text('signIn.haveSetupCode'), exact: true }).click()
  await heading(ninaPage, 'redeem.title').waitFor()
  await field(ninaPage, 'fields.username').fill(nina.username)
  await field(ninaPage, 'redeem.codeLabel').fill(code)
  await field(ninaPage, 'fields.newPassword').fill(password)
  await field(ninaPage, 'fields.repeatNewPassword').fill(password)
  await button(ninaPage, 'redeem.submit').click()
  await expectMyAccount(ninaPage)
}

/** The code in a setup-code box, as the administrator reads it off the screen. */
async function setupCodeShown(scope: Locator): Promise<string> {
  const code = normalise(await scope.getByLabel(text('admin.setupCode.label'), { exact: true }).innerText())
  expect(code).toMatch(/^[A-Z0-9]{4}(-[A-Z0-9]{4}){5}$/)
  return code
}

describe('Accounts', () => {
  it('search-as-you-type narrows the list', async () => {
    await openAdminPage('nav.accounts', 'admin.accounts.title')
    const status = page.locator('.list-status')
    await expect
      .poll(async () => normalise(await status.innerText()))
      .toBe(normalise(text('admin.accounts.range', { from: 1, to: 4, total: 4 })))
    expect(await usernamesListed()).toEqual(expect.arrayContaining(['olga', 'uma', 'ursula', 'victor']))
    await checkScreen('Accounts', 'admin-accounts', 'admin.accounts.title')

    const search = page.getByRole('searchbox', { name: text('admin.accounts.search'), exact: true })
    await search.pressSequentially('u', { delay: 50 })
    await expect.poll(() => usernamesListed()).toEqual(['uma', 'ursula'])
    await search.pressSequentially('m', { delay: 50 })
    await expect.poll(() => usernamesListed()).toEqual(['uma'])
    expect(normalise(await status.innerText())).toBe(
      normalise(text('admin.accounts.rangeMatching', { from: 1, to: 1, total: 1, search: 'um' })),
    )
    await search.fill('nobody-here')
    await expect
      .poll(async () => normalise(await status.innerText()))
      .toBe(normalise(text('admin.accounts.noMatch', { search: 'nobody-here' })))
    await expectAccessible(page, 'Accounts, no match')
    await search.fill('')
    await expect.poll(() => usernamesListed()).toHaveLength(4)
  })

  it('creates an account: the setup code is shown once, and the user sets her password with it', async () => {
    await button(page, 'admin.accounts.create').click()
    const dialog = page.getByRole('dialog', { name: text('admin.create.title'), exact: true })
    await dialog.waitFor()
    await expectAccessible(page, 'Create account dialog')
    await expectNothingClipped('Create account dialog')
    await field(dialog, 'fields.username').fill(nina.username)
    await field(dialog, 'fields.displayName').fill(nina.displayName)
    await field(dialog, 'fields.email').fill(nina.email)
    ageStepUp(world.dataDir)
    await button(dialog, 'admin.create.submit').click()
    await confirmStepUp('admin-step-up')

    const done = page.getByRole('dialog', { name: text('admin.create.doneTitle', { username: nina.username }) })
    await done.waitFor()
    const code = await setupCodeShown(done)
    await notice(done, text('admin.setupCode.once')).waitFor()
    await expectAccessible(page, 'Create account dialog, setup code')
    await expectNothingClipped('Create account dialog, setup code')
    await screenshot(page, 'admin-setup-code')
    await button(done, 'admin.done').click()
    await done.waitFor({ state: 'detached' })

    // Shown once: the list says a code waits, and the code itself is nowhere on the page any more.
    await notice(page, text('admin.create.created', { username: nina.username })).waitFor()
    await accountRow(nina.username).getByText(text('admin.status.setupCodePending'), { exact: true }).waitFor()
    expect(await page.getByText(code).count()).toBe(0)

    await redeem(code, nina.password)
    await signOut(ninaPage)
    await signIn(ninaPage, nina)
    await expectMyAccount(ninaPage)
    await signOut(ninaPage)
  })

  it('opens the account: unlock after failed sign-ins, disable and enable', async () => {
    // Three wrong passwords (the threshold the policy now sets) lock the account.
    // Each answer differs ("2 attempts left", "1 attempt left", then locked), so each is waited for.
    for (const left of [2, 1]) {
      await signIn(ninaPage, { username: nina.username, password: 'not the right password' })
      await ninaPage
        .getByRole('alert')
        .filter({ hasText: plural('errors.attemptsLeft', left) })
        .waitFor()
    }
    await signIn(ninaPage, { username: nina.username, password: 'not the right password' })
    await ninaPage
      .getByRole('alert')
      .filter({ hasNotText: plural('errors.attemptsLeft', 1) })
      .first()
      .waitFor()
    await signIn(ninaPage, nina)
    await ninaPage
      .getByRole('alert')
      .filter({ hasText: text('errors.LOCKED') })
      .waitFor()

    await page.reload()
    await heading(page, 'admin.accounts.title').waitFor()
    await accountRow(nina.username).getByRole('link', { name: nina.username, exact: true }).click()
    await heading(page, 'admin.account.title', 1, { username: nina.username }).waitFor()
    await page
      .getByText(/^Locked until /)
      .first()
      .waitFor()
    await checkScreen('Account page', 'admin-account-detail', 'admin.account.title', { username: nina.username })

    await button(page, 'admin.account.unlock').click()
    await expectOutcome(notice(page, text('admin.account.done.unlock', { username: nina.username })))
    expect(await button(page, 'admin.account.unlock').count()).toBe(0)
    await signIn(ninaPage, nina)
    await expectMyAccount(ninaPage)

    // Disabling ends her session and stops her signing in.
    await button(page, 'admin.account.disable').click()
    await expectOutcome(notice(page, text('admin.account.done.disable', { username: nina.username })))
    await page.getByText(text('admin.status.disabled'), { exact: true }).first().waitFor()
    await expectAccessible(page, 'Account page, disabled')
    await ninaPage.reload()
    await heading(ninaPage, 'signIn.title').waitFor()
    await signIn(ninaPage, nina)
    await ninaPage
      .getByRole('alert')
      .filter({ hasText: text('errors.ACCOUNT_DISABLED') })
      .waitFor()

    await button(page, 'admin.account.enable').click()
    await expectOutcome(notice(page, text('admin.account.done.enable', { username: nina.username })))
    await signIn(ninaPage, nina)
    await expectMyAccount(ninaPage)
    await signOut(ninaPage)
  })

  it('resets the password: a new setup code, with which she chooses a new password', async () => {
    await button(page, 'admin.account.resetPassword').click()
    const confirm = page.getByRole('dialog', {
      name: text('admin.account.confirm.resetPassword.title', { username: nina.username }),
    })
    await confirm.waitFor()
    await expectAccessible(page, 'Reset password dialog')
    await button(confirm, 'admin.account.confirm.resetPassword.submit').click()
    const codeDialog = page.getByRole('dialog', {
      name: text('admin.setupCode.title', { username: nina.username }),
    })
    await stepUpTitle().or(codeDialog).first().waitFor()
    if (await stepUpTitle().isVisible()) await confirmStepUp()
    await codeDialog.waitFor()
    const code = await setupCodeShown(codeDialog)
    await expectAccessible(page, 'New setup code dialog')
    await expectNothingClipped('New setup code dialog')
    await button(codeDialog, 'admin.done').click()
    await notice(page, text('admin.account.done.resetPassword', { username: nina.username })).waitFor()

    // The old password no longer works; the new code sets a new one.
    await signIn(ninaPage, nina)
    await ninaPage.getByRole('alert').first().waitFor()
    expect(ninaPage.url()).not.toMatch(/#\/account$/)
    await ninaPage.goto(world.preview.url)
    await redeem(code, nina.secondPassword)
    await signOut(ninaPage)
    await signIn(ninaPage, { username: nina.username, password: nina.secondPassword })
    await expectMyAccount(ninaPage)
    await signOut(ninaPage)
  })
})

describe('Providers', () => {
  it('saves the email settings; "Send test message" reaches the SMTP server and shows as the last send', async () => {
    await openAdminPage('nav.providers', 'admin.providers.title')
    const email = page.locator('section[aria-labelledby="provider-email-title"]')
    await email.getByText(text('admin.providers.configured'), { exact: true }).waitFor()
    await expect.poll(() => field(email, 'admin.providers.email.host').inputValue()).toBe(world.smtp.host)
    await checkScreen('Providers', 'admin-providers', 'admin.providers.title')

    await button(email, 'admin.providers.email.save').click()
    await expectOutcome(notice(email, text('admin.providers.email.saved')))

    await field(email, 'admin.providers.test.label.email').fill(testAddress)
    await button(email, 'admin.providers.test.submit').click()
    await expectOutcome(notice(email, text('admin.providers.test.sent', { to: testAddress })))
    const mail = await world.smtp.waitForMessage(testAddress)
    // The site name set on the Settings page is in the message.
    expect(mail.subject).toBe(`${siteName} test message`)
    const lastSend = email.locator('#provider-email-last-send')
    await expect
      .poll(async () => normalise(await lastSend.locator('.provider-last-send__sentence').innerText()))
      .toMatch(/^Last send: sent /)
    expect(normalise(await lastSend.innerText())).toMatch(/Test message to /)
    await expectAccessible(page, 'Providers, test sent')
  })

  it('the SMS country list: only these countries, add two, remove a chip, save', async () => {
    const sms = page.locator('section[aria-labelledby="provider-sms-title"]')
    const countries = sms.locator('form.sms-countries')
    await countries.getByRole('radio', { name: text('admin.providers.countries.mode.list'), exact: true }).check()
    const combobox = countries.getByRole('combobox', { name: text('admin.providers.countries.addLabel'), exact: true })
    for (const [typed, name] of [
      ['Irel', 'Ireland'],
      ['United King', 'United Kingdom'],
    ] as const) {
      await combobox.click()
      await combobox.fill(typed)
      await countries.getByRole('option', { name: new RegExp(`^${name} \\+\\d+$`) }).click()
      await button(countries, 'admin.providers.countries.add').click()
      await countries
        .getByRole('list', { name: text('admin.providers.countries.listLabel') })
        .getByText(name, { exact: true })
        .waitFor()
    }
    await expectAccessible(page, 'Providers, SMS countries')
    await expectNothingClipped('Providers, SMS countries')
    await countries
      .getByRole('button', { name: text('admin.providers.countries.remove', { country: 'Ireland' }) })
      .click()
    await expect
      .poll(() =>
        countries
          .getByRole('list', { name: text('admin.providers.countries.listLabel') })
          .getByRole('listitem')
          .count(),
      )
      .toBe(1)
    await button(countries, 'admin.providers.countries.save').click()
    await expectOutcome(notice(countries, text('admin.providers.countries.saved')))
    expect(await cliJson<{ countries: string[] | null }>(['provider', 'sms-countries'])).toEqual({
      countries: ['GB'],
    })

    // And back to any country.
    await countries.getByRole('radio', { name: text('admin.providers.countries.mode.any'), exact: true }).check()
    await button(countries, 'admin.providers.countries.save').click()
    await expectOutcome(notice(countries, text('admin.providers.countries.saved')))
    expect(await cliJson<{ countries: string[] | null }>(['provider', 'sms-countries'])).toEqual({
      countries: null,
    })
  })

  it('the SMS form offers the email-to-SMS gateway', async () => {
    const sms = page.locator('section[aria-labelledby="provider-sms-title"]')
    const kind = field(sms, 'admin.providers.sms.kind')
    expect(await kind.inputValue()).toBe('kannel')
    const kinds = (await kind.locator('option').allInnerTexts()).map(normalise)
    expect(kinds).toEqual(['kannel', 'http', 'twilio', 'email'].map((k) => text(`admin.providers.sms.kinds.${k}`)))
    await kind.selectOption({ label: text('admin.providers.sms.kinds.email') })
    await field(sms, 'admin.providers.sms.email.addressTemplate').waitFor()
    await expectAccessible(page, 'Providers, email-to-SMS gateway')
    // Not saved: Kannel stays the gateway.
    await page.reload()
    await heading(page, 'admin.providers.title').waitFor()
  })
})

describe('Audit log', () => {
  it('lists the entries, narrows them by event (asking the main process again) and verifies the chain', async () => {
    await openAdminPage('nav.audit', 'admin.audit.title')
    const table = page.getByRole('table', { name: text('admin.audit.caption'), exact: true })
    await table.getByRole('row').nth(1).waitFor()
    const status = page.locator('.toolbar .list-status')
    const counts = async (): Promise<[number, number]> => {
      const match = /^(\d+) of (\d+) entries shown\.$/.exec(normalise(await status.innerText()))
      return match ? [Number(match[1]), Number(match[2])] : [-1, -1]
    }
    await expect.poll(async () => (await counts())[0]).toBeGreaterThan(0)
    const [all] = await counts()
    await checkScreen('Audit log', 'admin-audit', 'admin.audit.title')

    await field(page, 'admin.audit.event').fill('account.unlocked')
    // Filtered at once on the page, then fetched again from the main process: "n of n".
    await expect
      .poll(async () => {
        const [shown, fetched] = await counts()
        return shown === fetched && shown > 0 && shown < all
      })
      .toBe(true)
    const events = (await table.getByRole('rowheader').allInnerTexts()).map(normalise)
    expect(events.length).toBeGreaterThan(0)
    for (const event of events) expect(event).toContain('account.unlocked')
    await expectAccessible(page, 'Audit log, filtered')

    await button(page, 'admin.audit.verify').click()
    await page.getByText(/^The audit log is intact: \d+ entries checked\.$/).waitFor()
    await expectAccessible(page, 'Audit log, chain verified')
  })
})

describe('Coverage', () => {
  it('shows the chart and, under Required, the accounts that must still set up MFA', async () => {
    await openAdminPage('nav.coverage', 'admin.coverage.title')
    const chart = page.getByRole('img', {
      name: text('admin.coverage.chartLabel', { title: text('admin.coverage.byState') }),
      exact: true,
    })
    await chart.waitFor()
    const late = page.getByRole('table', { name: text('admin.coverage.nonCompliant'), exact: true })
    await late.waitFor()
    const listed = (await late.getByRole('rowheader').allInnerTexts()).map(normalise)
    // Nobody has MFA, and Required has a 14-day grace period: every account is listed.
    for (const person of [olga, uma, ursula, victor, nina]) {
      expect(listed.some((line) => line.includes(person.username))).toBe(true)
    }
    await checkScreen('Coverage', 'admin-coverage', 'admin.coverage.title')
  })
})

describe('the admin guide (docs/admin-guide.md)', () => {
  const guide = (): string => readFileSync(resolve(repoRoot, 'docs/admin-guide.md'), 'utf8')

  it('names buttons, headings and labels exactly as the English catalogue has them', () => {
    const shown = catalogueTexts()
    const bold = [...guide().matchAll(/\*\*(.+?)\*\*/gs)].map((match) => match[1]!.replace(/\s+/g, ' '))
    expect(bold.length).toBeGreaterThan(30)
    expect(bold.filter((label) => !shown.has(label))).toEqual([])
  })

  it('shows every admin screenshot, and each exists', () => {
    const pictures = [...guide().matchAll(/!\[[^\]]*\]\((screenshots\/[^)]+)\)/g)].map((match) => match[1]!)
    for (const picture of pictures) expect(existsSync(resolve(repoRoot, 'docs', picture)), picture).toBe(true)
    const adminFiles = readdirSync(resolve(repoRoot, 'docs/screenshots'))
      .filter((name) => name.startsWith('admin-'))
      .map((name) => `screenshots/${name}`)
    expect(adminFiles.sort()).toEqual([...new Set(pictures)].sort())
  })
})
