import Database from 'better-sqlite3'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  authenticatorCode,
  button,
  chooseCountry,
  emailedCode,
  enrollWithCli,
  enterCode,
  expectAccessible,
  expectChallenge,
  expectMyAccount,
  field,
  finishSetup,
  heading,
  normalise,
  plural,
  runCli,
  scanQrCode,
  screenshot,
  setPolicy,
  signIn,
  signOut,
  text,
  textedCode,
  ukPhone,
  usPhone,
  withMfaWorld,
  type MfaWorld,
  type Person,
} from '../support/e2e-flows'

/**
 * Issue 5, "Tests": the MFA policy enforced end to end, in Debian's Chromium
 * against the browser preview and the real services. Prompt (an invitation
 * with "Later"), Required within its grace period (the deadline at sign-in)
 * and past it (the wizard and nothing else, in the window and at the IPC
 * boundary, S14), "strong methods only" (S8: email and SMS neither offered nor
 * accepted), and the setup page offering only what the policy allows, with the
 * SMS country list limited to the site's countries. The operator's side goes
 * through the CLI on the same data folder.
 */
const olga: Person = {
  username: 'olga',
  displayName: 'Olga Operator',
  email: 'olga@example.org',
  password: 'granite harbour signal thirty',
}
/** A new account under Required: within its grace period. */
const gail: Person = {
  username: 'gail',
  displayName: 'Gail Grace',
  email: 'gail@example.org',
  password: 'amber orchard pencil seventy',
}
/** An account that has had its 14 days under Required and not used them. */
const dave: Person = {
  username: 'dave',
  displayName: 'Dave Late',
  email: 'dave@example.org',
  password: 'copper lantern meadow ninety',
}
/** Only weaker methods (email and SMS), past the deadline too: meets "strong methods only". */
const sam: Person = {
  username: 'sam',
  displayName: 'Sam Weak',
  email: 'sam@example.org',
  password: 'velvet canyon orbit fifteen',
}
/** An authenticator app and SMS. */
const tess: Person = {
  username: 'tess',
  displayName: 'Tess Both',
  email: 'tess@example.org',
  password: 'silver tundra pocket eighty',
}
/** No MFA, met by the Prompt policy and the limited setup page. */
const pia: Person = {
  username: 'pia',
  displayName: 'Pia Prompt',
  email: 'pia@example.org',
  password: 'harbor quilt meadow sixty',
}

const day = 24 * 3_600_000
const graceDays = 14
/** How far back Required began, and dave's and sam's accounts were made (see `backdate`). */
const monthAgo = 30 * day
const samEmail = 'sam.codes@example.org'
const tessPhone = { ...usPhone, national: '201 555 0124', international: '+1 201 555 0124', e164: '+12015550124' }
const samPhone = { ...usPhone, national: '201 555 0125', international: '+1 201 555 0125', e164: '+12015550125' }
/** The site texts codes only to these countries (the SMS allow-list). */
const smsCountries = ['GB', 'IE']

let world: MfaWorld
let page: Page
/** When the world was prepared; the deadlines follow from it. */
let preparedAt: number
let gailCreatedAt: number
let tessTotp: { secret: string; usedStep: number }
let tessSmsId: number

/** The policy in force, changed the way an operator does it: `policy get`, edit, `policy set`. */
async function changePolicy(dataDir: string, site: Record<string, unknown>): Promise<void> {
  const current = await runCli(dataDir, ['policy', 'get', '--json'])
  expect(current.code).toBe(0)
  const view = JSON.parse(current.stdout) as { site: Record<string, unknown>; roles: unknown }
  await setPolicy(dataDir, { site: { ...view.site, ...site }, roles: view.roles })
}

/**
 * Keyhold takes time from the system clock only, so "14 days later" cannot be
 * waited for. Instead the rows are written as they would look after a month:
 * the policy version's "Required since" and the accounts' creation times, a
 * month back. The deadline is then computed by the product itself, from those
 * rows (grace counts from when Required began or from the account's creation,
 * whichever is later). Done before the preview opens the folder, so nothing has
 * the old values cached.
 */
function backdate(dataDir: string, now: number): number {
  const db = new Database(join(dataDir, 'keyhold.db'))
  try {
    const since = now - monthAgo
    const newest = db.prepare('SELECT max(version) AS v FROM policy_versions').get() as { v: number }
    db.prepare('UPDATE policy_versions SET required_since = ? WHERE version = ?').run(
      JSON.stringify({ site: since, admin: null, user: null }),
      newest.v,
    )
    const setCreated = db.prepare('UPDATE accounts SET created_at = ? WHERE username = ?')
    for (const person of [dave, sam]) expect(setCreated.run(since, person.username).changes).toBe(1)
    const gailRow = db.prepare('SELECT created_at FROM accounts WHERE username = ?').get(gail.username) as {
      created_at: number
    }
    return gailRow.created_at
  } finally {
    db.close()
  }
}

/** As the window shows a time: en-US, UTC (the tabs' locale and zone), date and time. */
function shown(ms: number): string {
  return new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(ms)
}

interface CallResult {
  readonly ok: boolean
  readonly value?: unknown
  readonly error?: { readonly code: string }
}

/** One call through this tab's own `window.keyhold` (its session), as any script in the page could make it. */
async function call(name: string, input: unknown): Promise<CallResult> {
  return page.evaluate(
    ({ name, input }) =>
      (globalThis as unknown as { keyhold: Record<string, (input: unknown) => Promise<CallResult>> }).keyhold[name]!(
        input,
      ),
    { name, input },
  )
}

/** The page the policy sends an account to: "Set up multi-factor authentication". */
async function expectSetupPage(): Promise<void> {
  await heading(page, 'mfaChoose.title').waitFor()
  expect(page.url()).toMatch(/#\/account\/mfa\/setup$/)
}

/** The types offered on the setup page, by their visible names. */
async function offeredTypes(): Promise<string[]> {
  const list = page.getByRole('list', { name: text('mfaChoose.choicesLabel'), exact: true })
  return (await list.getByRole('button').allInnerTexts()).map(normalise)
}

/**
 * From the setup page's choice through the authenticator wizard: password, QR code, code, then the
 * recovery codes if the account has none yet, and Enable.
 */
async function setUpAuthenticatorFromChoice(person: Person, firstMethod: boolean): Promise<void> {
  await button(page, 'methodTypes.totp').click()
  await heading(page, 'wizard.title.totp').waitFor()
  await field(page, 'fields.password').fill(person.password)
  await button(page, 'wizard.next').click()
  await heading(page, 'wizard.totp.title', 2).waitFor()
  const key = await scanQrCode(page, `policy-${person.username}-qr`)
  await enterCode(page, (await authenticatorCode(key.secret)).code, 'wizard.next')
  await finishSetup(page, firstMethod, text('wizard.defaultLabel.totp'))
}

withMfaWorld(
  {
    people: [olga, gail, dave, sam, tess, pia],
    async prepare(dataDir, peers) {
      // Methods made while the policy still allowed them (the default policy).
      await enrollWithCli(dataDir, peers, sam.username, { type: 'email', email: samEmail })
      await enrollWithCli(dataDir, peers, sam.username, { type: 'sms', phone: samPhone })
      const totp = await enrollWithCli(dataDir, peers, tess.username, { type: 'totp' })
      tessTotp = { secret: totp.secret!, usedStep: totp.usedStep! }
      tessSmsId = (await enrollWithCli(dataDir, peers, tess.username, { type: 'sms', phone: tessPhone })).methodId
      await changePolicy(dataDir, { enforcement: 'required', gracePeriodDays: graceDays })
      const countries = await runCli(dataDir, ['provider', 'sms-countries', '--set', smsCountries.join(',')])
      expect(countries.code, countries.stderr).toBe(0)
      preparedAt = Date.now()
      gailCreatedAt = backdate(dataDir, preparedAt)
    },
  },
  (started, tab) => {
    world = started
    page = tab
  },
)

describe('Required, within the grace period', () => {
  it('the account sees the deadline at sign-in and can carry on; Dismiss hides it for this session', async () => {
    await signIn(page, gail)
    await expectMyAccount(page)
    // A new account: 14 days from its creation (later than the day Required began).
    const deadline = shown(gailCreatedAt + graceDays * day)
    const prompt = page.locator('.mfa-prompt')
    expect(normalise(await prompt.getByRole('heading', { level: 2 }).innerText())).toBe(
      normalise(text('mfaPrompt.grace.title', { deadline })),
    )
    expect(normalise(await prompt.locator('.mfa-prompt__text').innerText())).toBe(
      normalise(text('mfaPrompt.grace.text', { deadline })),
    )
    await screenshot(page, 'policy-grace-prompt')
    await expectAccessible(page, 'My account with the grace-period prompt')

    // Everything else still works until the deadline, in the window and at the IPC boundary.
    await page.goto(`${world.preview.url}#/account/password`)
    await heading(page, 'changePassword.title').waitFor()
    expect((await call('listMethods', {})).ok).toBe(true)
    await page.goto(`${world.preview.url}#/account`)
    await expectMyAccount(page)
    await button(page, 'mfaPrompt.dismiss').click()
    await expect.poll(() => prompt.count()).toBe(0)
    await signOut(page)

    // The next sign-in shows it again.
    await signIn(page, gail)
    await expectMyAccount(page)
    await prompt.getByRole('heading', { level: 2 }).waitFor()
    await signOut(page)
  })
})

describe('Required, past the deadline (S14)', () => {
  it('the account is taken to the setup page and cannot reach anything else', async () => {
    await signIn(page, dave)
    await expectSetupPage()
    // Required began a month ago and dave's account is as old: the 14 days ended 16 days ago.
    const deadline = shown(preparedAt - monthAgo + graceDays * day)
    const notice = page.locator('.notice--warning')
    expect(normalise(await notice.innerText())).toBe(
      normalise(`${text('mfaChoose.required')} ${text('mfaChoose.deadlinePassed', { deadline })}`),
    )
    // No way out but setting up a method or signing out.
    expect(await button(page, 'mfaPrompt.later').count()).toBe(0)
    expect(await page.getByRole('link', { name: text('common.backToAccount'), exact: true }).count()).toBe(0)
    await button(page, 'account.signOut').waitFor()
    await screenshot(page, 'policy-required-setup')
    await expectAccessible(page, 'setup page, Required past the deadline')

    // Typing another page's address lands back here.
    for (const route of ['#/account', '#/account/password', '#/account/email', '#/admin/accounts']) {
      await page.goto(`${world.preview.url}${route}`)
      await expectSetupPage()
    }
    // S14: the main process refuses other channels to this session whatever the window does...
    for (const [name, input] of [
      ['changePassword', { newPassword: 'another long passphrase here' }],
      ['regenerateRecoveryCodes', {}],
      ['beginContactChange', { email: 'dave.new@example.org' }],
    ] as const) {
      expect(await call(name, input), name).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
    }
    // ...while the calls the wizard needs still work.
    expect(await call('getMyAccount', {})).toMatchObject({ ok: true, value: { username: dave.username } })

    await setUpAuthenticatorFromChoice(dave, true)
    // The sign-in is complete: My account, and the channels refused before now answer.
    await page.goto(`${world.preview.url}#/account/password`)
    await heading(page, 'changePassword.title').waitFor()
    const methods = (await call('listMethods', {})) as { ok: true; value: { methods: { id: number }[] } }
    expect(await call('setPreferredMethod', { methodId: methods.value.methods[0]!.id })).toMatchObject({ ok: true })
    await page.goto(`${world.preview.url}#/account`)
    await expectMyAccount(page)
    await signOut(page)
  })
})

describe('strong methods only (S8)', () => {
  beforeAll(async () => {
    // Required stays on (since a month ago); email and SMS stop counting.
    await changePolicy(world.dataDir, { strongMethodsOnly: true })
  })

  it('an account with an authenticator and SMS is challenged with the authenticator only', async () => {
    await signIn(page, tess)
    await expectChallenge(page, 'totp')
    // Nothing else to choose: the SMS method is neither listed nor usable.
    expect(await button(page, 'challenge.useAnotherMethod').count()).toBe(0)
    const challenge = (await call('getChallenge', {})) as { ok: true; value: { methods: { type: string }[] } }
    expect(challenge.value.methods.map((m) => m.type)).toEqual(['totp'])
    expect(await call('sendSignInCode', { methodId: tessSmsId })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
    const { code } = await authenticatorCode(tessTotp.secret, tessTotp.usedStep)
    await enterCode(page, code)
    await expectMyAccount(page)
    // Her setup page offers the authenticator app alone.
    await page.goto(`${world.preview.url}#/account/mfa/setup`)
    await expectSetupPage()
    expect(await offeredTypes()).toEqual([text('methodTypes.totp')])
    await page.goto(`${world.preview.url}#/account`)
    await expectMyAccount(page)
    await signOut(page)
  })

  it('an account with only email and SMS still proves itself with them, then must set up an authenticator app', async () => {
    await signIn(page, sam)
    // The password alone never opens an account that has a second factor, even one the policy no longer
    // accepts: otherwise whoever knows the password could set up their own authenticator and take it over.
    await expectChallenge(page, 'email')
    await button(page, 'code.send').click()
    await enterCode(page, await emailedCode(world.smtp, samEmail))
    // Sam's grace period is over, so the proved session may only set up an allowed method (S14).
    await expectSetupPage()
    expect(await call('changePassword', { newPassword: 'another long passphrase here' })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
    expect(await offeredTypes()).toEqual([text('methodTypes.totp')])
    await page.getByText(plural('mfaChoose.limited', 1), { exact: true }).waitFor()
    await expectAccessible(page, 'setup page, strong methods only')
    // The engine refuses what the page does not offer.
    expect(await call('beginEnrollment', { type: 'sms', phone: samPhone.e164 })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
    // The wizard's address for another type explains instead of starting.
    await page.goto(`${world.preview.url}#/account/mfa/setup/email`)
    await heading(page, 'wizard.title.email').waitFor()
    await page
      .getByRole('alert')
      .filter({ hasText: text('wizard.forbidden.email') })
      .waitFor()
    expect(await field(page, 'fields.password').count()).toBe(0)
    await expectAccessible(page, 'wizard for a type the policy does not allow')
    await page.getByRole('link', { name: text('wizard.chooseAnother'), exact: true }).click()
    await expectSetupPage()

    // Sam's recovery codes came with his first method and still stand: no new ones.
    await setUpAuthenticatorFromChoice(sam, false)
    await signOut(page)
  })
})

describe('Prompt, and a setup page limited to what the policy allows', () => {
  beforeAll(async () => {
    await changePolicy(world.dataDir, {
      enforcement: 'prompt',
      strongMethodsOnly: false,
      allowedMethods: ['totp', 'sms'],
    })
  })

  it('a user without MFA is invited after sign-in and can choose "Later"', async () => {
    await signIn(page, pia)
    await expectMyAccount(page)
    const prompt = page.locator('.mfa-prompt')
    await prompt.getByRole('heading', { level: 2, name: text('mfaPrompt.invited.title'), exact: true }).waitFor()
    await button(prompt, 'mfaPrompt.setUpNow').waitFor()
    await screenshot(page, 'policy-invited')
    await expectAccessible(page, 'My account with the invitation')
    await button(prompt, 'mfaPrompt.later').click()
    await expect.poll(() => prompt.count()).toBe(0)
    await expectMyAccount(page)
    await signOut(page)
  })

  it('"Set up now" offers only the allowed types, and the SMS countries are the site\'s', async () => {
    await signIn(page, pia)
    await expectMyAccount(page)
    await button(page.locator('.mfa-prompt'), 'mfaPrompt.setUpNow').click()
    await expectSetupPage()
    expect(await offeredTypes()).toEqual([text('methodTypes.totp'), text('methodTypes.sms')])
    await page.getByText(plural('mfaChoose.limited', 2), { exact: true }).waitFor()
    // The engine refuses what the page leaves out: a type, and a country the site does not text.
    expect(await call('beginEnrollment', { type: 'email', email: 'pia.codes@example.org' })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
    expect(await call('beginEnrollment', { type: 'sms', phone: usPhone.e164 })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION' },
    })

    await button(page, 'methodTypes.sms').click()
    await heading(page, 'wizard.title.sms').waitFor()
    await field(page, 'fields.password').fill(pia.password)
    await button(page, 'wizard.next').click()
    await heading(page, 'wizard.destination.title.sms', 2).waitFor()
    // Pia has no phone and reads English (US), which the site does not text: the first listed country.
    const combobox = page.getByRole('combobox', { name: text('phone.countryLabel'), exact: true })
    expect(await combobox.inputValue()).toBe('Ireland (+353)')
    await page
      .getByText(plural('phone.countriesListed', 2).replace('{countries}', 'Ireland and United Kingdom'), {
        exact: true,
      })
      .waitFor()
    await page.getByRole('button', { name: text('phone.showCountries'), exact: true }).click()
    const options = page.getByRole('listbox', { name: text('phone.countryLabel'), exact: true }).getByRole('option')
    expect((await options.allInnerTexts()).map(normalise)).toEqual(['🇮🇪 Ireland +353', '🇬🇧 United Kingdom +44'])
    await expectAccessible(page, 'SMS wizard with the site country list')
    await page.keyboard.press('Escape')

    // A number from elsewhere is refused before anything is sent.
    await field(page, 'phone.numberLabel').fill(usPhone.international)
    const notListed = text('phone.countryNotListed', { country: 'United States' })
    await page.locator('#wizard-phone-number-status').filter({ hasText: notListed }).waitFor()
    await button(page, 'code.send').click()
    await page.getByRole('alert').filter({ hasText: notListed }).waitFor()
    await heading(page, 'wizard.destination.title.sms', 2).waitFor()

    await field(page, 'phone.numberLabel').fill('')
    await chooseCountry(page, ukPhone)
    await field(page, 'phone.numberLabel').fill(ukPhone.national)
    await page.getByText(text('phone.valid', { number: ukPhone.international })).waitFor()
    await button(page, 'code.send').click()
    await heading(page, 'wizard.code.title.sms', 2).waitFor()
    await field(page, 'code.label').fill(await textedCode(world.kannel, ukPhone.e164))
    await button(page, 'wizard.next').click()
    await finishSetup(page, true, text('wizard.defaultLabel.sms'))
    await signOut(page)
  })
})
