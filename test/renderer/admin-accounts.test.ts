import { flushPromises, type DOMWrapper } from '@vue/test-utils'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { Result } from '../../electron/shared/errors'
import type { ResponseOf } from '../../electron/shared/schemas'
import {
  adminView,
  deferred,
  fail,
  manyAccounts,
  ok,
  setupCodeValue,
  stepUpRequired,
  type FakeBridge,
} from './support/fake-bridge'
import {
  alertTexts,
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

/** Issue 5, "Accounts": the list (search as you type, pages), create, and one account's page. */

let bridge: FakeBridge
let app: MountedApp

type AccountList = Result<ResponseOf<'admin:list-accounts'>>

withFakeBridge(
  (fake) => {
    bridge = fake
  },
  { utc: true, appState: 'signed-in' },
)

function dialog() {
  return app.wrapper.get('dialog')
}

/** The title of the dialog on top (the step-up dialog sits at the root of the app, so ask the document). */
function dialogTitle(): string | null {
  const found = document.querySelectorAll('dialog')
  return found.length === 0 ? null : (found[found.length - 1]!.querySelector('h2')?.textContent?.trim() ?? null)
}

async function click(text: string, within: Pick<DOMWrapper<Element>, 'findAll'> = app.wrapper): Promise<void> {
  await clickButton(within, text)
}

/** Answers the "Confirm your password" dialog. */
async function confirmPassword(): Promise<void> {
  expect(dialogTitle()).toBe('Confirm your password')
  await inputByLabel(app.wrapper, 'Password').setValue('orbit lantern pebble quartz')
  await click('Confirm')
}

function rows(): string[] {
  return app.wrapper.findAll('#accounts-table tbody tr').map((r) => r.get('th').text())
}

function status(): string {
  return app.wrapper.get('.list-status').text().replace(/\s+/g, ' ').trim()
}

describe('the account list', () => {
  it('shows the accounts with their MFA state, lock, disabled state and a pending setup code', async () => {
    bridge.adminListAccounts.mockResolvedValue(
      ok({
        accounts: [
          adminView({
            username: 'ada',
            role: 'admin',
            mfa: { state: 'enrolled', methods: ['totp', 'sms'], deadline: null },
          }),
          adminView({
            username: 'bob',
            displayName: 'Bob Builder',
            locked: true,
            lockedUntil: '2026-11-28T09:00:00.000Z',
            mfa: { state: 'grace', methods: [], deadline: '2026-12-05T09:00:00.000Z' },
          }),
          adminView({
            username: 'carol',
            disabled: true,
            mfa: { state: 'overdue', methods: [], deadline: '2026-11-20T09:00:00.000Z' },
          }),
          adminView({
            username: 'dave',
            setupCodePending: true,
            mfa: { state: 'invited', methods: [], deadline: null },
          }),
          adminView({ username: 'erin', mfa: { state: 'none', methods: [], deadline: null } }),
        ],
        total: 5,
      }),
    )
    app = await mountApp('/admin/accounts')
    expect(app.wrapper.get('h1').text()).toBe('Accounts')
    expect(document.title).toBe('Accounts – Keyhold')
    expect(bridge.adminListAccounts).toHaveBeenCalledWith({ limit: 50, offset: 0 })
    expect(status()).toBe('Showing 1–5 of 5 accounts.')
    expect(rows()).toEqual(['ada', 'bob', 'carol', 'dave', 'erin'])

    const cells = (username: string) =>
      app.wrapper
        .findAll('#accounts-table tbody tr')
        .find((r) => r.get('th').text() === username)!
        .findAll('th, td')
        .map((c) => c.text().replace(/\s+/g, ' ').trim())
    expect(cells('ada')).toEqual([
      'ada',
      'ada',
      'Administrator',
      'Enrolled Authenticator app Text message (SMS)',
      'Active',
      'Never',
    ])
    expect(cells('bob')[3]).toBe('Grace period until Dec 5, 2026, 9:00 AM')
    expect(cells('bob')[4]).toBe('Locked until Nov 28, 2026, 9:00 AM')
    expect(cells('carol')[3]).toBe('Overdue since Nov 20, 2026, 9:00 AM')
    expect(cells('carol')[4]).toBe('Disabled')
    expect(cells('dave')[3]).toBe('Invited')
    expect(cells('dave')[4]).toBe('Setup code not used yet')
    expect(cells('erin')[3]).toBe('No MFA')
    // The method icons are decorative; their names are there for screen readers.
    const adaRow = app.wrapper.findAll('#accounts-table tbody tr')[0]!
    expect(adaRow.findAll('svg').every((svg) => svg.attributes('aria-hidden') === 'true')).toBe(true)
    expect(adaRow.get('th a').attributes('href')).toContain('/admin/accounts/ada')
  })

  it('searches as you type: one request 200 ms after the last keystroke, from the first page', async () => {
    bridge.adminListAccounts.mockResolvedValue(ok({ accounts: manyAccounts(50), total: 120 }))
    app = await mountApp('/admin/accounts')
    await click('Next page')
    expect(bridge.adminListAccounts).toHaveBeenLastCalledWith({ limit: 50, offset: 50 })
    bridge.adminListAccounts.mockClear()

    const search = inputByLabel(app.wrapper, 'Search accounts')
    bridge.adminListAccounts.mockResolvedValue(ok({ accounts: [adminView({ username: 'bob' })], total: 1 }))
    await search.setValue('b')
    await search.setValue('bo')
    await search.setValue('bob')
    app.clock.advance(199)
    await flushPromises()
    expect(bridge.adminListAccounts).not.toHaveBeenCalled()
    app.clock.advance(1)
    await flushPromises()
    expect(bridge.adminListAccounts).toHaveBeenCalledTimes(1)
    expect(bridge.adminListAccounts).toHaveBeenCalledWith({ search: 'bob', limit: 50, offset: 0 })
    expect(rows()).toEqual(['bob'])
    expect(status()).toBe('Showing 1–1 of 1 accounts that match “bob”.')
    expect(hasButton(app.wrapper, 'Next page')).toBe(false)

    bridge.adminListAccounts.mockResolvedValue(ok({ accounts: [], total: 0 }))
    await search.setValue('zz')
    app.clock.advance(200)
    await flushPromises()
    expect(status()).toBe('No accounts match “zz”.')
    expect(app.wrapper.find('#accounts-table').exists()).toBe(false)
  })

  it('drops an answer that arrives after a newer search was sent', async () => {
    app = await mountApp('/admin/accounts')
    const slow = deferred<AccountList>()
    const fast = deferred<AccountList>()
    bridge.adminListAccounts.mockReturnValueOnce(slow.promise).mockReturnValueOnce(fast.promise)

    const search = inputByLabel(app.wrapper, 'Search accounts')
    await search.setValue('a')
    app.clock.advance(200)
    await search.setValue('al')
    app.clock.advance(200)
    await flushPromises()
    expect(bridge.adminListAccounts.mock.calls.map((c) => c[0].search)).toEqual([undefined, 'a', 'al'])

    fast.resolve(ok({ accounts: [adminView({ username: 'alice' })], total: 1 }))
    await flushPromises()
    expect(rows()).toEqual(['alice'])
    // The older question's answer comes last and is ignored.
    slow.resolve(ok({ accounts: [adminView({ username: 'ada' }), adminView({ username: 'alice' })], total: 2 }))
    await flushPromises()
    expect(rows()).toEqual(['alice'])
    expect(status()).toBe('Showing 1–1 of 1 accounts that match “al”.')
  })

  it('pages through 50 at a time and shows the total', async () => {
    bridge.adminListAccounts.mockImplementation(async (input) => {
      const offset = input.offset ?? 0
      return ok({ accounts: manyAccounts(Math.min(50, 120 - offset), offset + 1), total: 120 })
    })
    app = await mountApp('/admin/accounts')
    expect(status()).toBe('Showing 1–50 of 120 accounts.')
    expect(pageText(app.wrapper)).toContain('Page 1 of 3')
    expect(buttonByText(app.wrapper, 'Previous page').attributes('disabled')).toBeDefined()
    await click('Next page')
    await click('Next page')
    expect(bridge.adminListAccounts).toHaveBeenLastCalledWith({ limit: 50, offset: 100 })
    expect(status()).toBe('Showing 101–120 of 120 accounts.')
    expect(rows()[0]).toBe('user101')
    expect(pageText(app.wrapper)).toContain('Page 3 of 3')
    expect(buttonByText(app.wrapper, 'Next page').attributes('disabled')).toBeDefined()
    await click('Previous page')
    expect(bridge.adminListAccounts).toHaveBeenLastCalledWith({ limit: 50, offset: 50 })
  })

  it('says why the list could not be read, and reads it again on "Try again"', async () => {
    bridge.adminListAccounts.mockResolvedValueOnce(fail({ code: 'INTERNAL', message: 'x' }))
    app = await mountApp('/admin/accounts')
    expect(alertTexts(app.wrapper).join(' ')).toContain('Something went wrong inside Keyhold. Try again.')
    await click('Try again')
    expect(rows()).toEqual(['ada'])
  })
})

describe('creating an account', () => {
  it('S15: creates the account after step-up and shows its setup code once, valid 7 days', async () => {
    const writeText = vi.fn(async () => undefined)
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true })
    bridge.adminCreateAccount.mockResolvedValueOnce(stepUpRequired())
    app = await mountApp('/admin/accounts')
    await click('Create account')
    expect(dialogTitle()).toBe('Create an account')

    await inputByLabel(app.wrapper, 'Username').setValue(' bob ')
    await inputByLabel(app.wrapper, 'Email').setValue('bob@example.org')
    await inputByLabel(app.wrapper, 'Role').setValue('admin')
    await dialog().get('form').trigger('submit')
    await flushPromises()
    await confirmPassword()

    expect(bridge.adminCreateAccount).toHaveBeenCalledTimes(2)
    expect(bridge.adminCreateAccount).toHaveBeenLastCalledWith({
      username: 'bob',
      email: 'bob@example.org',
      phone: null,
      role: 'admin',
    })
    expect(dialogTitle()).toBe('Account “bob” created')
    const code = dialog().get('#created-setup-code-value')
    expect(code.text()).toBe(setupCodeValue)
    expect(code.attributes('aria-label')).toBe('Setup code')
    const text = dialog().text().replace(/\s+/g, ' ')
    expect(text).toContain('This code is shown only this once.')
    expect(text).toContain('It is valid for 7 days, until Dec 5, 2026, 8:30 AM.')
    expect(text).toContain('under “Have a setup code?”')

    await click('Copy', dialog())
    expect(writeText).toHaveBeenCalledWith(setupCodeValue)
    expect(dialog().text()).toContain('The setup code was copied.')

    // The list is read again and says what happened; once closed, the code is gone for good.
    expect(pageText(app.wrapper)).toContain('Account “bob” was created.')
    await click('Done')
    expect(app.wrapper.find('dialog').exists()).toBe(false)
    expect(pageText(app.wrapper)).not.toContain(setupCodeValue)
  })

  it('needs a username, and puts the main process refusals beside their fields', async () => {
    app = await mountApp('/admin/accounts')
    await click('Create account')
    await dialog().get('form').trigger('submit')
    await flushPromises()
    expect(fieldError(app.wrapper, 'Username')).toBe('Enter a username.')
    expect(bridge.adminCreateAccount).not.toHaveBeenCalled()

    bridge.adminCreateAccount.mockResolvedValueOnce(
      fail({ code: 'CONFLICT', message: 'x', fields: [{ field: 'username', message: 'This username is taken' }] }),
    )
    await inputByLabel(app.wrapper, 'Username').setValue('ada')
    await dialog().get('form').trigger('submit')
    await flushPromises()
    expect(fieldError(app.wrapper, 'Username')).toBe('This username is taken.')

    bridge.adminCreateAccount.mockResolvedValueOnce(
      fail({ code: 'VALIDATION', message: 'x', fields: [{ field: 'phone', message: 'Start the number with +' }] }),
    )
    await inputByLabel(app.wrapper, 'Username').setValue('bob')
    await inputByLabel(app.wrapper, 'Phone').setValue('020 7946 0958')
    await dialog().get('form').trigger('submit')
    await flushPromises()
    expect(fieldError(app.wrapper, 'Phone')).toBe(
      'Enter a valid phone number with its country code, for example +44 20 7946 0958.',
    )
    expect(dialogTitle()).toBe('Create an account')
  })
})

describe("an account's page", () => {
  beforeEach(() => {
    bridge.adminGetAccount.mockResolvedValue(
      ok(adminView({ username: 'bob', displayName: 'Bob', email: 'bob@example.org', role: 'admin' })),
    )
  })

  async function openBob(): Promise<void> {
    app = await mountApp('/admin/accounts/bob')
    expect(bridge.adminGetAccount).toHaveBeenCalledWith({ username: 'bob' })
    expect(app.wrapper.get('h1').text()).toBe('Account: bob')
  }

  it('S15: saves only what changed, after step-up', async () => {
    bridge.adminUpdateAccount.mockResolvedValueOnce(stepUpRequired())
    await openBob()
    expect((inputByLabel(app.wrapper, 'Display name').element as HTMLInputElement).value).toBe('Bob')
    await inputByLabel(app.wrapper, 'Display name').setValue('Bob Builder')
    await inputByLabel(app.wrapper, 'Email').setValue('')
    await click('Save changes')
    await confirmPassword()
    expect(bridge.adminUpdateAccount).toHaveBeenLastCalledWith({
      username: 'bob',
      displayName: 'Bob Builder',
      email: null,
    })
    expect(pageText(app.wrapper)).toContain('The changes were saved.')

    await click('Save changes')
    expect(bridge.adminUpdateAccount).toHaveBeenCalledTimes(2)
    expect(pageText(app.wrapper)).toContain('Nothing was changed.')
  })

  it('LAST_ADMIN: says the last administrator cannot be made a user', async () => {
    bridge.adminUpdateAccount.mockResolvedValueOnce(fail({ code: 'LAST_ADMIN', message: 'x' }))
    await openBob()
    await inputByLabel(app.wrapper, 'Role').setValue('user')
    await click('Save changes')
    expect(bridge.adminUpdateAccount).toHaveBeenCalledWith({ username: 'bob', role: 'user' })
    expect(alertTexts(app.wrapper)).toContain(
      'This is the last enabled administrator, so it cannot be made a user. Make another account an administrator first.',
    )
  })

  it('disables and enables the account, and explains LAST_ADMIN for disabling', async () => {
    await openBob()
    bridge.adminSetDisabled.mockResolvedValueOnce(fail({ code: 'LAST_ADMIN', message: 'x' }))
    await click('Disable account')
    expect(alertTexts(app.wrapper)).toContain(
      'This is the last enabled administrator, so it cannot be disabled. Make another account an administrator first.',
    )
    await click('Disable account')
    expect(bridge.adminSetDisabled).toHaveBeenLastCalledWith({ username: 'bob', disabled: true })
    expect(pageText(app.wrapper)).toContain('“bob” is disabled.')
    await click('Enable account')
    expect(bridge.adminSetDisabled).toHaveBeenLastCalledWith({ username: 'bob', disabled: false })
    expect(pageText(app.wrapper)).toContain('“bob” is enabled.')
  })

  it('offers Unlock only for a locked account', async () => {
    await openBob()
    expect(hasButton(app.wrapper, 'Unlock')).toBe(false)
    app.unmount()
    bridge.adminGetAccount.mockResolvedValue(ok(adminView({ username: 'bob', locked: true, lockedUntil: null })))
    app = await mountApp('/admin/accounts/bob')
    expect(pageText(app.wrapper)).toContain('Locked until an administrator unlocks it')
    await click('Unlock')
    expect(bridge.adminUnlock).toHaveBeenCalledWith({ username: 'bob' })
    expect(pageText(app.wrapper)).toContain('“bob” is unlocked.')
    expect(hasButton(app.wrapper, 'Unlock')).toBe(false)
  })

  it('resets the password after a confirmation and step-up, and shows the new setup code once', async () => {
    bridge.adminResetPassword.mockResolvedValueOnce(stepUpRequired())
    await openBob()
    await click('Reset password')
    expect(dialogTitle()).toBe('Reset the password of “bob”?')
    // Focus starts on the harmless choice.
    expect(document.activeElement?.textContent?.trim()).toBe('Cancel')
    await click('Reset password', dialog())
    await confirmPassword()
    expect(bridge.adminResetPassword).toHaveBeenCalledTimes(2)
    expect(dialogTitle()).toBe('New setup code for “bob”')
    expect(dialog().get('#setup-code-value').text()).toBe(setupCodeValue)
    await click('Done')
    expect(app.wrapper.find('dialog').exists()).toBe(false)
    expect(pageText(app.wrapper)).not.toContain(setupCodeValue)
    expect(pageText(app.wrapper)).toContain('The password of “bob” was reset. The setup code is valid for 7 days.')
  })

  it('resets MFA only once confirmed', async () => {
    await openBob()
    await click('Reset MFA')
    expect(dialogTitle()).toBe('Reset MFA of “bob”?')
    await click('Cancel', dialog())
    expect(bridge.adminResetMfa).not.toHaveBeenCalled()
    await click('Reset MFA')
    await click('Reset MFA', dialog())
    expect(bridge.adminResetMfa).toHaveBeenCalledWith({ username: 'bob' })
    expect(pageText(app.wrapper)).toContain('MFA of “bob” was reset: 2 methods were removed.')
  })

  it('deletes the account once confirmed and goes back to the list, which says so', async () => {
    await openBob()
    bridge.adminDeleteAccount.mockResolvedValueOnce(fail({ code: 'LAST_ADMIN', message: 'x' }))
    await click('Delete account')
    expect(dialogTitle()).toBe('Delete “bob”?')
    await click('Delete account', dialog())
    // The refusal stays in the dialog, in words for this action.
    expect(dialog().text()).toContain(
      'This is the last enabled administrator, so it cannot be deleted. Make another account an administrator first.',
    )
    await click('Delete account', dialog())
    expect(bridge.adminDeleteAccount).toHaveBeenCalledTimes(2)
    expect(app.router.currentRoute.value.name).toBe('admin-accounts')
    expect(pageText(app.wrapper)).toContain('Account “bob” was deleted.')
  })

  it('says when the account no longer exists', async () => {
    bridge.adminGetAccount.mockResolvedValue(fail({ code: 'NOT_FOUND', message: 'x' }))
    app = await mountApp('/admin/accounts/ghost')
    expect(alertTexts(app.wrapper)).toContain('This account no longer exists. Try again')
    expect(headingByText(app.wrapper, 'Account: ghost').exists()).toBe(true)
  })
})
