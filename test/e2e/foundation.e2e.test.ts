import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { channels } from '../../electron/shared/channels'
import { plural, text } from '../support/catalogue'
import { launchChromium, saveScreenshot } from '../support/chromium'
import { makeTempDir, rpc, startPreview, type RunningPreview } from '../support/preview-process'

/**
 * The foundation's user journeys (issue 2) in Debian's Chromium, against the
 * real renderer served by the browser preview, the real router and services,
 * a real SQLite file and the real keychain (run inside scripts/with-keyring.sh).
 * Elements are found by role and by the English catalogue's text.
 */
const admin = {
  username: 'opal',
  displayName: 'Opal Ward',
  email: 'opal@example.org',
  password: 'violet canyon lantern forty',
}
const newPassword = 'copper meadow whistle ninety'
const locale = 'en-US'
const timeZone = 'UTC'

let browser: Browser
const openContexts: BrowserContext[] = []
const pageProblems = new Map<Page, string[]>()

beforeAll(async () => {
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
})

afterEach(async () => {
  // Every page must have run without script errors or CSP violations.
  for (const [page, problems] of pageProblems) {
    expect(problems, page.url()).toEqual([])
  }
  pageProblems.clear()
  await Promise.all(openContexts.splice(0).map((context) => context.close()))
})

/** A fresh tab with its own sessionStorage, i.e. its own preview client id and session. */
async function openTab(preview: RunningPreview): Promise<Page> {
  const context = await browser.newContext({ locale, timezoneId: timeZone, viewport: { width: 1024, height: 720 } })
  openContexts.push(context)
  const page = await context.newPage()
  page.setDefaultTimeout(15_000)
  const problems: string[] = []
  pageProblems.set(page, problems)
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`))
  page.on('console', (message) => {
    const line = message.text()
    // Failed loads are reported below with their URL.
    if (message.type() !== 'error' || line.startsWith('Failed to load resource')) return
    // renderer/index.html repeats frame-ancestors in its <meta> CSP, where browsers ignore it; the header carries it.
    if (/directive 'frame-ancestors' is ignored when delivered via a <meta> element/.test(line)) return
    problems.push(`console: ${line}`)
  })
  page.on('response', (response) => {
    // Browsers ask for /favicon.ico on their own; the app has none.
    if (response.status() >= 400 && new URL(response.url()).pathname !== '/favicon.ico') {
      problems.push(`HTTP ${response.status()}: ${response.url()}`)
    }
  })
  await page.goto(preview.url)
  return page
}

function heading(page: Page, key: string) {
  return page.getByRole('heading', { level: 1, name: text(key), exact: true })
}

function field(page: Page, key: string) {
  return page.getByLabel(text(key), { exact: true })
}

function button(page: Page, key: string) {
  return page.getByRole('button', { name: text(key), exact: true })
}

/** Waits for a message with exactly this text in an element with the given role. */
async function expectMessage(page: Page, role: 'alert' | 'status', expected: string): Promise<void> {
  const message = page.getByRole(role).filter({ hasText: expected }).first()
  await message.waitFor({ state: 'visible' })
  expect(normalise(await message.innerText())).toBe(normalise(expected))
}

/** Intl output uses narrow no-break spaces in times; compare text with plain spaces. */
function normalise(value: string): string {
  return value.replace(/\s+/g, ' ').trim()
}

function joined(...sentences: string[]): string {
  return sentences.join(' ')
}

async function signIn(page: Page, username: string, password: string): Promise<void> {
  await heading(page, 'signIn.title').waitFor()
  await field(page, 'fields.username').fill(username)
  await field(page, 'fields.password').fill(password)
  await button(page, 'signIn.submit').click()
}

/** The detail row (`<dt>` label, `<dd>` value) shown on My account. */
async function detail(page: Page, labelKey: string): Promise<string> {
  const row = page.locator('dl div').filter({ has: page.getByText(text(labelKey), { exact: true }) })
  return normalise(await row.locator('dd').innerText())
}

describe('first run, sign-in, My account, change password and sign-out', () => {
  let data: ReturnType<typeof makeTempDir>
  let preview: RunningPreview

  beforeAll(async () => {
    data = makeTempDir('keyhold-e2e-')
    preview = await startPreview({ dataDir: data.path })
  })

  afterAll(async () => {
    await preview?.stop()
    data?.remove()
  })

  it('exposes the same window.keyhold as the preload, before the app starts', async () => {
    const page = await openTab(preview)
    await heading(page, 'setup.title').waitFor()
    const api = await page.evaluate(() => {
      const keyhold = (globalThis as unknown as { keyhold: Record<string, unknown> }).keyhold
      return {
        methods: Object.keys(keyhold).sort(),
        functions: Object.values(keyhold).every((value) => typeof value === 'function'),
        frozen: Object.isFrozen(keyhold),
      }
    })
    expect(api).toEqual({
      methods: Object.values(channels)
        .map((spec) => spec.method)
        .sort(),
      functions: true,
      frozen: true,
    })
  })

  it('creates the first administrator on the first run', async () => {
    const page = await openTab(preview)
    // A fresh data dir: the app goes straight to first-run setup.
    await heading(page, 'setup.title').waitFor()
    expect(page.url()).toMatch(/#\/setup$/)
    await field(page, 'fields.username').fill(admin.username)
    await field(page, 'fields.displayName').fill(admin.displayName)
    await field(page, 'fields.email').fill(admin.email)
    await saveScreenshot(page, 'first-run-setup')

    // S1: without MFA a password needs 15 characters; the main process says so.
    await field(page, 'fields.password').fill('short pass 1')
    await field(page, 'fields.repeatPassword').fill('short pass 1')
    await button(page, 'setup.submit').click()
    const tooShort = text('weakPassword.too-short', { minLength: 15 })
    await expectMessage(page, 'alert', joined(text('errors.WEAK_PASSWORD'), tooShort))
    await saveScreenshot(page, 'first-run-weak-password')

    // The two entries must match (checked on the page before anything is sent).
    await field(page, 'fields.password').fill(admin.password)
    await field(page, 'fields.repeatPassword').fill(`${admin.password}!`)
    await button(page, 'setup.submit').click()
    await expectMessage(page, 'alert', text('weakPassword.mismatch'))
    expect((await rpc(preview, 'app:get-state', {})).result).toMatchObject({ value: { setupRequired: true } })

    await field(page, 'fields.repeatPassword').fill(admin.password)
    await button(page, 'setup.submit').click()
    await heading(page, 'signIn.title').waitFor()
    await expectMessage(page, 'status', text('signIn.notices.adminCreated'))
    expect(await field(page, 'fields.username').inputValue()).toBe(admin.username)
    await saveScreenshot(page, 'sign-in-after-setup')
    expect((await rpc(preview, 'app:get-state', {})).result).toMatchObject({ value: { setupRequired: false } })
  })

  it('does not offer first-run setup again once an administrator exists', async () => {
    const page = await openTab(preview)
    await heading(page, 'signIn.title').waitFor()
    await page.goto(`${preview.url}#/setup`)
    await heading(page, 'signIn.title').waitFor()
    expect(page.url()).toMatch(/#\/sign-in$/)
  })

  it('says a wrong password is wrong, and how many attempts are left', async () => {
    const page = await openTab(preview)
    await signIn(page, admin.username, 'not my password at all')
    await expectMessage(page, 'alert', joined(text('errors.INVALID_CREDENTIALS'), plural('errors.attemptsLeft', 9)))
    // The password field is emptied after a refusal; the username stays.
    expect(await field(page, 'fields.password').inputValue()).toBe('')
    expect(await field(page, 'fields.username').inputValue()).toBe(admin.username)
    await saveScreenshot(page, 'sign-in-wrong-password')

    // S26: an unknown username gets the very same answer, counter included: no hint of which usernames exist.
    await signIn(page, 'nobody-here', 'not my password at all')
    await expectMessage(page, 'alert', joined(text('errors.INVALID_CREDENTIALS'), plural('errors.attemptsLeft', 9)))
  })

  it('signs in and shows My account, which survives a reload of the tab', async () => {
    const page = await openTab(preview)
    // Usernames are case-insensitive.
    await signIn(page, admin.username.toUpperCase(), admin.password)
    await heading(page, 'account.title').waitFor()
    expect(page.url()).toMatch(/#\/account$/)
    await page.getByText(text('app.signedInAs', { name: admin.displayName }), { exact: true }).waitFor()
    // The fresh copy from account:get-me replaces the session's copy; wait for it to settle.
    await page.locator('dl:not([aria-busy])').waitFor()
    expect(await detail(page, 'fields.displayName')).toBe(admin.displayName)
    expect(await detail(page, 'fields.username')).toBe(admin.username)
    expect(await detail(page, 'fields.email')).toBe(admin.email)
    expect(await detail(page, 'fields.phone')).toBe(text('common.notSet'))
    expect(await detail(page, 'account.role')).toBe(text('account.roles.admin'))
    expect(await detail(page, 'account.lastSignIn')).not.toBe(text('common.never'))
    await saveScreenshot(page, 'my-account')

    // The tab keeps its preview client id in sessionStorage, so a reload keeps the session.
    await page.reload()
    await heading(page, 'account.title').waitFor()
    expect(await detail(page, 'fields.username')).toBe(admin.username)

    // Another tab (another client id) is not signed in.
    const other = await openTab(preview)
    await heading(other, 'signIn.title').waitFor()
  })

  it('changes the password after confirming the current one, then signs out', async () => {
    const page = await openTab(preview)
    await signIn(page, admin.username, admin.password)
    await heading(page, 'account.title').waitFor()
    await page.getByRole('link', { name: text('account.changePassword'), exact: true }).click()
    await heading(page, 'changePassword.title').waitFor()
    expect(page.url()).toMatch(/#\/account\/password$/)
    await saveScreenshot(page, 'change-password')

    // S15: the current password is checked first; a wrong one counts as a failure (S13).
    await field(page, 'fields.currentPassword').fill('this is not it either')
    await field(page, 'fields.newPassword').fill(newPassword)
    await field(page, 'fields.repeatNewPassword').fill(newPassword)
    await button(page, 'changePassword.submit').click()
    await expectMessage(page, 'alert', joined(text('errors.wrongCurrentPassword'), plural('errors.attemptsLeft', 9)))
    await saveScreenshot(page, 'change-password-wrong-current')

    // S2: a password built on the app's name is refused, with the reason.
    const contextual = 'my keyhold password of 2026'
    await field(page, 'fields.currentPassword').fill(admin.password)
    await field(page, 'fields.newPassword').fill(contextual)
    await field(page, 'fields.repeatNewPassword').fill(contextual)
    await button(page, 'changePassword.submit').click()
    await expectMessage(page, 'alert', joined(text('errors.WEAK_PASSWORD'), text('weakPassword.context')))

    await field(page, 'fields.currentPassword').fill(admin.password)
    await field(page, 'fields.newPassword').fill(newPassword)
    await field(page, 'fields.repeatNewPassword').fill(newPassword)
    await button(page, 'changePassword.submit').click()
    await expectMessage(page, 'status', text('changePassword.success'))
    expect(await field(page, 'fields.currentPassword').inputValue()).toBe('')
    await saveScreenshot(page, 'change-password-done')

    await page.getByRole('link', { name: text('common.backToAccount'), exact: true }).click()
    await heading(page, 'account.title').waitFor()
    await button(page, 'account.signOut').click()
    await heading(page, 'signIn.title').waitFor()
    await expectMessage(page, 'status', text('signIn.notices.signedOut'))
    await saveScreenshot(page, 'signed-out')

    // After sign-out the session is gone on the server too: My account sends the tab back to sign-in.
    await page.goto(`${preview.url}#/account`)
    await heading(page, 'signIn.title').waitFor()

    // The old password no longer works; the new one does.
    await signIn(page, admin.username, admin.password)
    await expectMessage(page, 'alert', joined(text('errors.INVALID_CREDENTIALS'), plural('errors.attemptsLeft', 9)))
    await signIn(page, admin.username, newPassword)
    await heading(page, 'account.title').waitFor()
  })
})

describe('lockout after repeated failures (S13)', () => {
  let data: ReturnType<typeof makeTempDir>
  let preview: RunningPreview

  beforeAll(async () => {
    data = makeTempDir('keyhold-e2e-lockout-')
    preview = await startPreview({ dataDir: data.path })
    // Set-up data goes through the same rpc endpoint the shim uses.
    expect((await rpc(preview, 'setup:create-admin', admin)).result).toEqual({
      ok: true,
      value: { username: admin.username },
    })
  })

  afterAll(async () => {
    await preview?.stop()
    data?.remove()
  })

  it('locks the account after 10 failures, says until when, and the lock survives a restart', async () => {
    const page = await openTab(preview)
    for (let failure = 1; failure <= 9; failure++) {
      await signIn(page, admin.username, `wrong password number ${failure}`)
      await expectMessage(
        page,
        'alert',
        joined(text('errors.INVALID_CREDENTIALS'), plural('errors.attemptsLeft', 10 - failure)),
      )
    }
    const before = Date.now()
    await signIn(page, admin.username, 'wrong password number 10')
    const lockedPrefix = text('errors.LOCKED')
    await page.getByRole('alert').filter({ hasText: lockedPrefix }).first().waitFor()
    const after = Date.now()

    // The time shown is the lock's end as the main process reports it (a refused call changes no counter).
    const refused = (await rpc(preview, 'auth:sign-in', { username: admin.username, password: admin.password }))
      .result as { ok: false; error: { code: string; lockedUntil: string } }
    expect(refused.error.code).toBe('LOCKED')
    const until = Date.parse(refused.error.lockedUntil)
    // 15 minutes for a first lock (SECURITY.md S13 default).
    expect(until).toBeGreaterThanOrEqual(before + 15 * 60_000 - 1000)
    expect(until).toBeLessThanOrEqual(after + 15 * 60_000 + 1000)
    const shownTime = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(
      new Date(until),
    )
    const lockedMessage = joined(lockedPrefix, text('errors.lockedUntil', { time: shownTime }))
    await expectMessage(page, 'alert', lockedMessage)
    await saveScreenshot(page, 'sign-in-locked')

    // The right password does not get through while the lock holds.
    await signIn(page, admin.username, admin.password)
    await expectMessage(page, 'alert', lockedMessage)
    await heading(page, 'signIn.title').waitFor()

    // The lock is in the database, not in memory: a new server on the same data still refuses.
    expect(await preview.stop()).toEqual({ code: 0, signal: null })
    preview = await startPreview({ dataDir: data.path })
    const again = await openTab(preview)
    await signIn(again, admin.username, admin.password)
    await expectMessage(again, 'alert', lockedMessage)
  })
})

describe('no keychain (S19)', () => {
  it('shows a full-page explanation of what is wrong and how to fix it', async () => {
    const data = makeTempDir('keyhold-e2e-nokeychain-')
    const preview = await startPreview({
      dataDir: data.path,
      env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: `unix:path=${data.path}/no-bus` },
    })
    try {
      const page = await openTab(preview)
      await heading(page, 'unavailable.problems.KEYCHAIN_UNAVAILABLE').waitFor()
      expect(page.url()).toMatch(/#\/unavailable$/)
      await page.getByRole('heading', { level: 2, name: text('unavailable.fixHeading'), exact: true }).waitFor()
      await page
        .getByText(/GNOME Keyring/)
        .first()
        .waitFor()
      await saveScreenshot(page, 'keychain-unavailable')
      // Retrying while the keychain is still missing keeps the explanation.
      await button(page, 'unavailable.retry').click()
      await expectMessage(page, 'status', text('unavailable.stillUnavailable'))
    } finally {
      await preview.stop()
      data.remove()
    }
  })
})
