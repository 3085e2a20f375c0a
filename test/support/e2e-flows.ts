import { execFile, spawn } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { AxeBuilder } from '@axe-core/playwright'
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, expect } from 'vitest'
import { emailProviderArgs, kannelProviderArgs } from '../cli/support/site-setup'
import { startKannelPeer, type KannelPeer } from '../peers/kannel-peer'
import { startSmtpPeer, type SmtpPeer } from '../peers/smtp-peer'
import { plural, text } from './catalogue'
import { launchChromium, screenshotDir } from './chromium'
import { makeTempDir, previewEntry, repoRoot, startPreview, type RunningPreview } from './preview-process'

/**
 * Shared steps for the end-to-end MFA tests (issue 4): a Keyhold data folder
 * set up with the operator CLI, a real SMTP server and a real Kannel gateway,
 * the browser preview on top, Debian's Chromium in front. Every step goes
 * through the page the way the user manual tells a person to: by visible
 * labels and roles, with the English catalogue's exact text. Codes come from
 * where a person would find them: the mailbox, the phone (fakesmsc), the QR
 * code on the screen (read by zbarimg) and an authenticator app (oathtool).
 */
const run = promisify(execFile)

export const zbarimgBin = '/usr/bin/zbarimg'
export const oathtoolBin = '/usr/bin/oathtool'

/** The same build as the preview (KEYHOLD_PREVIEW_JS may point at a private one). */
export const cliEntry = resolve(dirname(previewEntry), 'cli.js')

/** Every page is the size of the screenshots kept in docs/screenshots. */
export const viewport = { width: 1100, height: 800 } as const
const locale = 'en-US'
const timeZone = 'UTC'

export type MethodType = 'totp' | 'email' | 'sms'

export interface Person {
  readonly username: string
  readonly displayName: string
  readonly email: string
  readonly password: string
}

/** A phone as a person types it in the wizard, and as the SMS gateway reports it. */
export interface Phone {
  /** The country's name as the selector shows it (Intl region name in English). */
  readonly country: string
  readonly dialCode: string
  /** The number without the country code, as typed. */
  readonly national: string
  /** How the page writes it back ("Looks right: …"). */
  readonly international: string
  readonly e164: string
}

/** A valid North American number (libphonenumber refuses +1 555 numbers). */
export const usPhone: Phone = {
  country: 'United States',
  dialCode: '1',
  national: '201 555 0123',
  international: '+1 201 555 0123',
  e164: '+12015550123',
}

/** A UK number from Ofcom's drama range (020 7946 0xxx). */
export const ukPhone: Phone = {
  country: 'United Kingdom',
  dialCode: '44',
  national: '20 7946 0958',
  international: '+44 20 7946 0958',
  e164: '+442079460958',
}

export interface CliRun {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** The real operator CLI (`node out/main/cli.js … --data-dir DIR`), with `input` on stdin. */
export function runCli(dataDir: string, args: readonly string[], input = ''): Promise<CliRun> {
  return new Promise((done, fail) => {
    const env = { ...process.env }
    delete env.KEYHOLD_DATA_DIR
    const child = spawn(process.execPath, [cliEntry, ...args, '--data-dir', dataDir], { env, stdio: 'pipe' })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    child.stdin.on('error', () => undefined)
    child.on('error', fail)
    child.on('close', (code) => done({ code, stdout, stderr }))
    child.stdin.end(input)
  })
}

async function cliOk(dataDir: string, args: readonly string[], input = ''): Promise<void> {
  const result = await runCli(dataDir, args, input)
  if (result.code !== 0) {
    // Arguments only (never stdin): it carries passwords.
    throw new Error(`keyhold ${args.join(' ')} failed (${result.code}):\n${result.stdout}\n${result.stderr}`)
  }
}

export interface MfaWorld {
  readonly dataDir: string
  readonly smtp: SmtpPeer
  readonly kannel: KannelPeer
  readonly preview: RunningPreview
  readonly browser: Browser
  /** A new tab (its own context, so its own preview client id and session), on the app's start page. */
  openTab(): Promise<Page>
  /** Closes every tab opened so far, after checking none had a script error, CSP violation or failed request. */
  closeTabs(): Promise<void>
  close(): Promise<void>
}

export interface MfaWorldOptions {
  /** Accounts made with the CLI; the first is the administrator (`init`), unless `firstRun` is set. */
  readonly people: readonly Person[]
  /** Leave the data folder without an administrator, for the first-run page (providers are set later). */
  readonly firstRun?: boolean
  /**
   * Runs once the accounts exist (providers set, peers up) and before the preview opens the data
   * folder: methods set up with the CLI, a policy, rows a test must write while nothing else has them open.
   */
  readonly prepare?: (dataDir: string, peers: { readonly smtp: SmtpPeer; readonly kannel: KannelPeer }) => Promise<void>
}

/** Points Keyhold's email and SMS providers at the peers, the way an operator does. */
export async function configureProviders(dataDir: string, smtp: SmtpPeer, kannel: KannelPeer): Promise<void> {
  await cliOk(dataDir, emailProviderArgs(smtp))
  await cliOk(dataDir, kannelProviderArgs(kannel), `${kannel.password}\n`)
}

export async function createAccount(dataDir: string, person: Person): Promise<void> {
  await cliOk(
    dataDir,
    [
      'account',
      'create',
      person.username,
      '--display-name',
      person.displayName,
      '--email',
      person.email,
      '--password-stdin',
    ],
    `${person.password}\n`,
  )
}

export function requireTools(): void {
  for (const tool of [zbarimgBin, oathtoolBin]) {
    if (!existsSync(tool)) throw new Error(`${tool} is missing: apt-get install -y zbar-tools oathtool`)
  }
  if (!existsSync(cliEntry)) throw new Error(`${cliEntry} is missing: run \`npx electron-vite build\` first`)
  if (!process.env.DBUS_SESSION_BUS_ADDRESS) {
    throw new Error('Run the e2e tests inside ./scripts/with-keyring.sh (they need the keychain)')
  }
}

export async function startMfaWorld(options: MfaWorldOptions): Promise<MfaWorld> {
  requireTools()
  const data = makeTempDir('keyhold-e2e-mfa-')
  const cleanups: (() => Promise<unknown> | void)[] = [() => data.remove()]
  const cleanup = async (): Promise<void> => {
    for (const step of cleanups.splice(0).reverse()) await step()
  }
  try {
    const [smtp, kannel] = await Promise.all([startSmtpPeer(), startKannelPeer()])
    cleanups.push(
      () => smtp.close(),
      () => kannel.close(),
    )
    // With firstRun, the folder stays empty for the first-run page; providers are set once the page made the
    // administrator (the CLI's provider commands need an existing database).
    if (!options.firstRun) {
      const [admin, ...others] = options.people
      if (!admin) throw new Error('startMfaWorld needs at least one person')
      await cliOk(
        data.path,
        ['init', '--admin', admin.username, '--display-name', admin.displayName, '--email', admin.email],
        `${admin.password}\n`,
      )
      await configureProviders(data.path, smtp, kannel)
      for (const person of others) await createAccount(data.path, person)
      if (options.prepare) await options.prepare(data.path, { smtp, kannel })
    }
    const preview = await startPreview({ dataDir: data.path })
    cleanups.push(() => preview.stop())
    const browser = await launchChromium()
    cleanups.push(() => browser.close())

    const contexts: BrowserContext[] = []
    const problems = new Map<Page, string[]>()
    return {
      dataDir: data.path,
      smtp,
      kannel,
      preview,
      browser,
      async openTab() {
        const context = await browser.newContext({ locale, timezoneId: timeZone, viewport, colorScheme: 'light' })
        contexts.push(context)
        const page = await context.newPage()
        page.setDefaultTimeout(15_000)
        const seen: string[] = []
        problems.set(page, seen)
        page.on('pageerror', (error) => seen.push(`pageerror: ${error.message}`))
        page.on('console', (message) => {
          const line = message.text()
          if (message.type() !== 'error' || line.startsWith('Failed to load resource')) return
          // renderer/index.html repeats frame-ancestors in its <meta> CSP, where browsers ignore it.
          if (/directive 'frame-ancestors' is ignored when delivered via a <meta> element/.test(line)) return
          seen.push(`console: ${line}`)
        })
        page.on('response', (response) => {
          // Browsers ask for /favicon.ico on their own; the app has none.
          if (response.status() >= 400 && new URL(response.url()).pathname !== '/favicon.ico') {
            seen.push(`HTTP ${response.status()}: ${response.url()}`)
          }
        })
        await page.goto(preview.url)
        return page
      },
      async closeTabs() {
        const found = [...problems].flatMap(([page, seen]) => seen.map((line) => `${page.url()}: ${line}`))
        problems.clear()
        await Promise.all(contexts.splice(0).map((context) => context.close()))
        expect(found).toEqual([])
      },
      close: cleanup,
    }
  } catch (error) {
    await cleanup()
    throw error
  }
}

/**
 * Starts a world before the calling file's tests and closes it after them, and
 * hands `started` the world and a first tab on the start page (it may go on,
 * e.g. to sign someone in). Servers, peers and the browser stop even when a
 * page reported a problem.
 */
export function withMfaWorld(
  options: MfaWorldOptions,
  started: (world: MfaWorld, page: Page) => void | Promise<void>,
): void {
  let world: MfaWorld | undefined
  beforeAll(async () => {
    world = await startMfaWorld(options)
    await started(world, await world.openTab())
  })
  afterAll(async () => {
    try {
      await world?.closeTabs()
    } finally {
      await world?.close()
    }
  })
}

/** The site's administrator in the MFA tests: `keyhold init` makes this account. */
export const siteOperator: Person = {
  username: 'operator',
  displayName: 'Site Operator',
  email: 'operator@example.org',
  password: 'granite harbour signal thirty',
}

// ---------------------------------------------------------------------------------------------------------------
// Finding things the way a person does

export function heading(page: Page | Locator, key: string, level: 1 | 2 | 3 = 1, named = {}): Locator {
  return page.getByRole('heading', { level, name: text(key, named), exact: true })
}

export function field(page: Page | Locator, key: string): Locator {
  return page.getByLabel(text(key), { exact: true })
}

export function button(page: Page | Locator, key: string, named = {}): Locator {
  return page.getByRole('button', { name: text(key, named), exact: true })
}

/** Every English string the renderer can show, with plural forms split apart and placeholders left in. */
export function catalogueTexts(): Set<string> {
  type Node = string | { readonly [key: string]: Node }
  const root = JSON.parse(readFileSync(resolve(repoRoot, 'renderer/src/i18n/locales/en.json'), 'utf8')) as Node
  const found = new Set<string>()
  const walk = (node: Node): void => {
    if (typeof node === 'string') for (const form of node.split(' | ')) found.add(form)
    else Object.values(node).forEach(walk)
  }
  walk(root)
  return found
}

/** Intl output uses narrow no-break spaces in times; compare text with plain spaces. */
export function normalise(value: string): string {
  return value.replace(/\s+/g, ' ').trim()
}

/** Waits for an element with this role whose whole text is `expected`. */
export async function expectMessage(page: Page, role: 'alert' | 'status', expected: string | RegExp): Promise<void> {
  const message = page.getByRole(role).filter({ hasText: expected }).first()
  await message.waitFor({ state: 'visible' })
  const shown = normalise(await message.innerText())
  if (typeof expected === 'string') expect(shown).toBe(normalise(expected))
  else expect(shown).toMatch(expected)
}

/** The success/info box on My account (a NoticeMessage, not a live region). */
export async function expectNotice(page: Page, expected: string): Promise<void> {
  await page.getByText(expected, { exact: true }).first().waitFor()
}

/** The methods table's row for one method: the row header is its name plus its badges. */
export function methodRow(page: Page, label: string): Locator {
  return page
    .getByRole('row')
    .filter({ has: page.getByRole('rowheader').filter({ hasText: new RegExp(`^\\s*${escapeRegExp(label)}\\b`) }) })
}

export function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** Names of the rows whose header carries the "Preferred" label. */
export async function preferredRows(page: Page): Promise<string[]> {
  const headers = page.getByRole('rowheader')
  const names: string[] = []
  for (const header of await headers.all()) {
    const badge = header.getByText(text('methods.preferred'), { exact: true })
    if ((await badge.count()) > 0) names.push(normalise(await header.locator('.method-name').innerText()))
  }
  return names
}

// ---------------------------------------------------------------------------------------------------------------
// Screenshots and accessibility

/** The few browser globals used inside page.evaluate (this project's Node tsconfig has no DOM types). */
interface BrowserWindow {
  scrollTo(x: number, y: number): void
  scrollBy(x: number, y: number): void
  requestAnimationFrame(callback: () => void): number
}

/**
 * Saves the viewport (1100×800) into test-results/screenshots/NAME.png. With
 * `show`, that element is scrolled to the top first, so the picture shows it
 * the way a person would look at it.
 */
export async function screenshot(page: Page, name: string, show?: Locator): Promise<string> {
  mkdirSync(screenshotDir, { recursive: true })
  if (show) {
    await show.evaluate((element) => element.scrollIntoView({ block: 'start' }))
  } else {
    await page.evaluate(() => (globalThis as unknown as BrowserWindow).scrollTo(0, 0))
  }
  // Let a focus ring or a scroll settle into the frame that is captured.
  await page.evaluate(
    () =>
      new Promise<void>((done) => {
        const { requestAnimationFrame } = globalThis as unknown as BrowserWindow
        requestAnimationFrame(() => requestAnimationFrame(() => done()))
      }),
  )
  const path = join(screenshotDir, `${name}.png`)
  await page.screenshot({ path, animations: 'disabled', caret: 'hide' })
  return path
}

/** The browser's document, inside page.evaluate. */
interface BrowserDocument {
  readonly document: {
    readonly documentElement: { readonly scrollWidth: number; readonly clientWidth: number }
    elementFromPoint(x: number, y: number): unknown
  }
}

/** How far the page scrolls sideways: 0 when everything fits the window's width. */
export async function sidewaysScroll(page: Page): Promise<number> {
  return page.evaluate(() => {
    const root = (globalThis as unknown as BrowserDocument).document.documentElement
    return root.scrollWidth - root.clientWidth
  })
}

/**
 * Scrolls the page (only the page, only up or down) to put `target` in the
 * middle of the window, then checks its bounding box lies wholly inside the
 * viewport and nothing clips it: the point just inside its far right edge is
 * the target itself. (Playwright's scrollIntoViewIfNeeded would also scroll a
 * box around it sideways, and so hide a button cut off by that box.)
 */
export async function expectWhollyInView(page: Page, target: Locator): Promise<void> {
  await target.evaluate((element) => {
    const view = globalThis as unknown as BrowserWindow & { readonly innerHeight: number }
    const box = element.getBoundingClientRect()
    view.scrollBy(0, box.top - (view.innerHeight - box.height) / 2)
  })
  const box = await target.boundingBox()
  const size = page.viewportSize()
  if (!box || !size) throw new Error('no bounding box or viewport to compare')
  expect(box.x).toBeGreaterThanOrEqual(0)
  expect(box.y).toBeGreaterThanOrEqual(0)
  expect(box.x + box.width).toBeLessThanOrEqual(size.width)
  expect(box.y + box.height).toBeLessThanOrEqual(size.height)
  const edge = { x: box.x + box.width - 2, y: box.y + box.height / 2 }
  const hit = await target.evaluate((element, point) => {
    const found = (globalThis as unknown as BrowserDocument).document.elementFromPoint(point.x, point.y)
    return found !== null && (found === element || element.contains(found as typeof element))
  }, edge)
  expect(hit, 'the right edge of the element is covered or clipped').toBe(true)
}

interface AxeViolation {
  readonly id: string
  readonly impact?: string | null
  readonly help: string
  readonly helpUrl: string
  readonly nodes: readonly { readonly target: readonly unknown[]; readonly failureSummary?: string }[]
}

function describeViolations(violations: readonly AxeViolation[]): string {
  return violations
    .map((v) => {
      const nodes = v.nodes.map((n) => `    ${n.target.map(String).join(' ')}: ${normalise(n.failureSummary ?? '')}`)
      return [`  ${v.id} (${v.impact ?? 'no impact'}): ${v.help} ${v.helpUrl}`, ...nodes].join('\n')
    })
    .join('\n')
}

/**
 * axe-core on the page as it is now (the whole document, every rule axe runs
 * by default, WCAG 2.x A/AA and best practices): no serious or critical
 * violation. The message lists every violation found, of any impact.
 */
export async function expectAccessible(page: Page, screen: string): Promise<readonly AxeViolation[]> {
  const results = await new AxeBuilder({ page }).analyze()
  const violations = results.violations as readonly AxeViolation[]
  const blocking = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
  expect(
    blocking.map((v) => v.id),
    `axe on "${screen}" (${page.url()}) found:\n${describeViolations(violations)}`,
  ).toEqual([])
  return violations
}

// ---------------------------------------------------------------------------------------------------------------
// Codes from where a person finds them

/** The six-digit code in an email or a text message. */
export function codeIn(message: string): string {
  const match = /\b(\d{6})\b/.exec(message)
  if (!match) throw new Error('no six-digit code in the message')
  return match[1]!
}

/**
 * The next code emailed to `to`. Security notices (a method added, the
 * preferred method changed, S16) go to the same mailbox and are passed over.
 */
export async function emailedCode(smtp: SmtpPeer, to: string): Promise<string> {
  for (;;) {
    const mail = await smtp.waitForMessage(to)
    if (/\b\d{6}\b/.test(mail.text)) return codeIn(mail.text)
  }
}

/** The next code texted to `e164` (fakesmsc's log of what Kannel delivered). */
export async function textedCode(kannel: KannelPeer, e164: string): Promise<string> {
  return codeIn((await kannel.waitForSms(e164)).text)
}

export interface TotpKey {
  readonly uri: URL
  /** Base32, as in the otpauth URI. */
  readonly secret: string
}

/** Reads the QR code on the page the way a phone does: from a picture of the screen, with zbarimg. */
export async function scanQrCode(page: Page, name: string): Promise<TotpKey> {
  const image = page.getByRole('img', { name: text('wizard.totp.qrAlt'), exact: true })
  await image.waitFor()
  // Decoded before the picture is taken, so the screenshot is never of a half-loaded image.
  await image.evaluate((element) => (element as unknown as { decode(): Promise<void> }).decode())
  mkdirSync(screenshotDir, { recursive: true })
  const path = join(screenshotDir, `${name}.png`)
  await image.screenshot({ path })
  const { stdout } = await run(zbarimgBin, ['--raw', '--nodbus', path])
  const uri = new URL(stdout.trim())
  expect(uri.protocol).toBe('otpauth:')
  expect(uri.host).toBe('totp')
  const secret = uri.searchParams.get('secret')
  if (!secret) throw new Error('the otpauth URI in the QR code has no secret')
  return { uri, secret }
}

const period = 30

export interface TotpCode {
  readonly code: string
  /** The 30-second time step the code belongs to. */
  readonly step: number
}

/**
 * What an authenticator app shows, computed by oathtool for an explicit time.
 * A code's time step can be used only once (replay rule), so after `usedStep`
 * this waits for the next step to begin.
 */
export async function authenticatorCode(secret: string, usedStep: number | null = null): Promise<TotpCode> {
  if (usedStep !== null) {
    const wait = (usedStep + 1) * period * 1000 - Date.now()
    if (wait > 0) await new Promise((done) => setTimeout(done, wait + 250))
  }
  const seconds = Math.floor(Date.now() / 1000)
  const { stdout } = await run(oathtoolBin, ['--totp', '-d', '6', '-b', secret, '-N', `@${seconds}`])
  return { code: stdout.trim(), step: Math.floor(seconds / period) }
}

/** The recovery codes in a list named "Recovery codes" (the wizard's last step, or the regenerate dialog). */
export async function recoveryCodesShown(scope: Page | Locator): Promise<string[]> {
  const list = scope.getByRole('list', { name: text('recovery.listLabel'), exact: true })
  await list.waitFor()
  const codes = (await list.getByRole('listitem').allInnerTexts()).map(normalise)
  expect(codes).toHaveLength(10)
  for (const code of codes) expect(code).toMatch(/^[A-Z0-9]{4}(-[A-Z0-9]{4}){3}$/)
  return codes
}

// ---------------------------------------------------------------------------------------------------------------
// Signing in and out

export async function signIn(page: Page, person: Pick<Person, 'username' | 'password'>): Promise<void> {
  await heading(page, 'signIn.title').waitFor()
  await field(page, 'fields.username').fill(person.username)
  await field(page, 'fields.password').fill(person.password)
  await button(page, 'signIn.submit').click()
}

export async function expectMyAccount(page: Page): Promise<void> {
  await heading(page, 'account.title').waitFor()
  expect(page.url()).toMatch(/#\/account$/)
}

/** The second step of signing in, showing one method (its type is the step's heading). */
export async function expectChallenge(page: Page, type: MethodType): Promise<void> {
  await heading(page, 'challenge.title').waitFor()
  expect(page.url()).toMatch(/#\/sign-in\/verify$/)
  await heading(page, `methodTypes.${type}`, 2).waitFor()
}

/** "Use another method", then the choice whose accessible name starts with the type and label. */
export async function useAnotherMethod(page: Page, type: MethodType, label: string): Promise<void> {
  await button(page, 'challenge.useAnotherMethod').click()
  const name = new RegExp(`^${escapeRegExp(text(`methodTypes.${type}`))} ${escapeRegExp(label)}\\b`)
  await page.getByRole('button', { name }).click()
  await heading(page, `methodTypes.${type}`, 2).waitFor()
}

export async function enterCode(page: Page, code: string, submitKey = 'challenge.verify'): Promise<void> {
  await field(page, 'code.label').fill(code)
  await button(page, submitKey).click()
}

export async function signOut(page: Page): Promise<void> {
  await button(page, 'account.signOut').click()
  await heading(page, 'signIn.title').waitFor()
  await expectMessage(page, 'status', text('signIn.notices.signedOut'))
}

// ---------------------------------------------------------------------------------------------------------------
// The setup wizard, as the manual walks it

/**
 * My account → "Add" → pick the type on the new line → "Setup" → type the
 * password → "Next Step". Leaves the wizard on its second step.
 */
export async function beginSetup(
  page: Page,
  type: MethodType,
  password: string,
  shots: { readonly add?: string; readonly password?: string } = {},
): Promise<void> {
  await expectMyAccount(page)
  await heading(page, 'methods.title', 2).waitFor()
  await button(page, 'methods.add').click()
  const typeSelect = page.getByLabel(text('methods.draft.typeLabel'), { exact: true })
  await typeSelect.selectOption({ label: text(`methodTypes.${type}`) })
  if (shots.add) await screenshot(page, shots.add, heading(page, 'methods.title', 2))
  await button(page, 'methods.draft.setup').click()
  await heading(page, `wizard.title.${type}`).waitFor()
  expect(page.url()).toMatch(new RegExp(`#/account/mfa/setup/${type}$`))
  await heading(page, 'wizard.password.title', 2).waitFor()
  await field(page, 'fields.password').fill(password)
  if (shots.password) await screenshot(page, shots.password)
  await button(page, 'wizard.next').click()
}

export interface EnabledMethod {
  /** Shown on the wizard's last step when this was the account's first method; null otherwise. */
  readonly recoveryCodes: string[] | null
}

/**
 * The last step: the recovery codes with "I have saved these codes" (first
 * method only), then "Enable". Ends back on My account with the message.
 */
export async function finishSetup(
  page: Page,
  expectRecoveryCodes: boolean,
  label: string,
  shot?: string,
): Promise<string[] | null> {
  let codes: string[] | null = null
  const enable = button(page, 'wizard.enable.submit')
  if (expectRecoveryCodes) {
    await heading(page, 'wizard.recovery.title', 2).waitFor()
    codes = await recoveryCodesShown(page)
    // S11: nothing is enabled until the person says the codes are saved.
    await expect.poll(() => enable.isDisabled()).toBe(true)
    await page.getByRole('checkbox', { name: text('wizard.recovery.saved'), exact: true }).check()
    if (shot) await screenshot(page, shot)
  } else {
    await heading(page, 'wizard.enable.title', 2).waitFor()
    if (shot) await screenshot(page, shot)
  }
  await enable.click()
  await expectMyAccount(page)
  await expectNotice(
    page,
    text(expectRecoveryCodes ? 'account.flash.methodEnabledPreferred' : 'account.flash.methodEnabled', { label }),
  )
  await methodRow(page, label).waitFor()
  return codes
}

export interface SetupShots {
  readonly add?: string
  readonly password?: string
  readonly destination?: string
  readonly code?: string
  readonly finish?: string
}

/** Email: the address → "Send Code" → the code from the SMTP server → "Next Step" → finish. */
export async function setUpEmail(
  page: Page,
  world: Pick<MfaWorld, 'smtp'>,
  password: string,
  address: string,
  first: boolean,
  shots: SetupShots = {},
): Promise<EnabledMethod> {
  await beginSetup(page, 'email', password, shots)
  await heading(page, 'wizard.destination.title.email', 2).waitFor()
  await field(page, 'fields.email').fill(address)
  if (shots.destination) await screenshot(page, shots.destination)
  await button(page, 'code.send').click()
  await heading(page, 'wizard.code.title.email', 2).waitFor()
  await field(page, 'code.label').fill(await emailedCode(world.smtp, address))
  if (shots.code) await screenshot(page, shots.code)
  await button(page, 'wizard.next').click()
  return { recoveryCodes: await finishSetup(page, first, text('wizard.defaultLabel.email'), shots.finish) }
}

/** Picks a country in the searchable "Country code" selector by typing part of its name. */
export async function chooseCountry(page: Page, phone: Phone, shot?: string): Promise<void> {
  const combobox = page.getByRole('combobox', { name: text('phone.countryLabel'), exact: true })
  await combobox.click()
  await combobox.fill(phone.country.slice(0, 6))
  const option = page.getByRole('option', { name: `${phone.country} +${phone.dialCode}`, exact: true })
  await option.waitFor()
  if (shot) await screenshot(page, shot)
  await option.click()
  await expect.poll(() => combobox.inputValue()).toBe(`${phone.country} (+${phone.dialCode})`)
}

/** SMS: country code and number ("Looks right") → "Send Code" → the code from fakesmsc → "Next Step" → finish. */
export async function setUpSms(
  page: Page,
  world: Pick<MfaWorld, 'kannel'>,
  password: string,
  phone: Phone,
  first: boolean,
  shots: SetupShots & { readonly countries?: string } = {},
): Promise<EnabledMethod> {
  await beginSetup(page, 'sms', password, shots)
  await heading(page, 'wizard.destination.title.sms', 2).waitFor()
  await chooseCountry(page, phone, shots.countries)
  await field(page, 'phone.numberLabel').fill(phone.national)
  // Checked as it is typed: "✓ Looks right: +1 201 555 0123" (the mark is decoration).
  await page.getByText(text('phone.valid', { number: phone.international })).waitFor()
  if (shots.destination) await screenshot(page, shots.destination)
  await button(page, 'code.send').click()
  await heading(page, 'wizard.code.title.sms', 2).waitFor()
  await field(page, 'code.label').fill(await textedCode(world.kannel, phone.e164))
  if (shots.code) await screenshot(page, shots.code)
  await button(page, 'wizard.next').click()
  return { recoveryCodes: await finishSetup(page, first, text('wizard.defaultLabel.sms'), shots.finish) }
}

export interface EnabledAuthenticator extends EnabledMethod {
  readonly key: TotpKey
  /** The time step whose code confirmed the setup; it cannot be used again. */
  readonly usedStep: number
}

/**
 * Authenticator: the QR code read from a screenshot by zbarimg (checked against
 * the key shown as text), the code from oathtool → "Next Step" → finish.
 */
export async function setUpAuthenticator(
  page: Page,
  password: string,
  first: boolean,
  shots: SetupShots & { readonly qr?: string } = {},
): Promise<EnabledAuthenticator> {
  await beginSetup(page, 'totp', password, shots)
  await heading(page, 'wizard.totp.title', 2).waitFor()
  const key = await scanQrCode(page, shots.qr ?? 'wizard-qr-code')
  // The key shown as text (grouped for reading) is the same secret.
  const shownKey = normalise(await page.locator('#wizard-totp-key').innerText()).replace(/\s/g, '')
  expect(shownKey).toBe(key.secret)
  expect(key.uri.searchParams.get('issuer')).toBe('Keyhold')
  const { code, step } = await authenticatorCode(key.secret)
  await field(page, 'code.label').fill(code)
  if (shots.code) await screenshot(page, shots.code)
  await button(page, 'wizard.next').click()
  const recoveryCodes = await finishSetup(page, first, text('wizard.defaultLabel.totp'), shots.finish)
  return { key, usedStep: step, recoveryCodes }
}

// ---------------------------------------------------------------------------------------------------------------
// The operator's side, with the CLI (issue 5)

/** `keyhold policy set` with the document on stdin, as an operator pipes it in. */
export async function setPolicy(dataDir: string, document: unknown): Promise<void> {
  await cliOk(dataDir, ['policy', 'set'], JSON.stringify(document))
}

export type CliMethod =
  | { readonly type: 'email'; readonly email: string }
  | { readonly type: 'sms'; readonly phone: Phone }
  | { readonly type: 'totp' }

async function cliJson<T>(dataDir: string, args: readonly string[]): Promise<T> {
  const result = await runCli(dataDir, [...args, '--json'])
  if (result.code !== 0) throw new Error(`keyhold ${args.join(' ')} failed (${result.code}):\n${result.stderr}`)
  return JSON.parse(result.stdout) as T
}

/**
 * Sets up a method for `username` with `keyhold mfa enroll begin|verify|enable`, the code taken from
 * where it went (the SMTP server, fakesmsc, oathtool). Returns the method's id, and an authenticator's key.
 */
export async function enrollWithCli(
  dataDir: string,
  peers: { readonly smtp: SmtpPeer; readonly kannel: KannelPeer },
  username: string,
  method: CliMethod,
): Promise<{ readonly methodId: number; readonly secret: string | null; readonly usedStep: number | null }> {
  const destination =
    method.type === 'email' ? ['--email', method.email] : method.type === 'sms' ? ['--phone', method.phone.e164] : []
  const begun = await cliJson<{ enrollmentId: string; secret?: string }>(dataDir, [
    'mfa',
    'enroll',
    'begin',
    username,
    '--type',
    method.type,
    ...destination,
  ])
  const totp = method.type === 'totp' ? await authenticatorCode(begun.secret!) : null
  const code =
    method.type === 'email'
      ? await emailedCode(peers.smtp, method.email)
      : method.type === 'sms'
        ? await textedCode(peers.kannel, method.phone.e164)
        : totp!.code
  await cliJson(dataDir, ['mfa', 'enroll', 'verify', begun.enrollmentId, '--code', code])
  const enabled = await cliJson<{ id: number }>(dataDir, ['mfa', 'enroll', 'enable', begun.enrollmentId])
  // The step whose code confirmed an authenticator cannot sign in again (S7): the caller waits for the next.
  return { methodId: enabled.id, secret: begun.secret ?? null, usedStep: totp?.step ?? null }
}

export { plural, text }
