import { flushPromises, type DOMWrapper } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'
import type { MethodView } from '../../electron/shared/mfa-schemas'
import {
  emailMethod,
  fail,
  ok,
  overview,
  recoveryCodes,
  smsMethod,
  totpMethod,
  type FakeBridge,
} from './support/fake-bridge'
import {
  buttonByText,
  fieldError,
  hasButton,
  inputByLabel,
  mountApp,
  pageText,
  type MountedApp,
} from './support/mount-app'
import { withFakeBridge } from './support/renderer-test'

/** "My account → Multi-factor authentication" (issue 4, screen 2), against a stubbed bridge. */

let bridge: FakeBridge
let app: MountedApp

/** The table row whose name cell starts with `label`. */
function row(label: string): DOMWrapper<Element> {
  const found = app.wrapper
    .findAll('.methods-table tbody tr')
    .find(
      (r) => r.find('th[scope="row"] .method-name').exists() && r.get('th[scope="row"] .method-name').text() === label,
    )
  if (!found) throw new Error(`No method row "${label}"`)
  return found
}

function rowButton(label: string, text: string): DOMWrapper<Element> {
  const button = row(label)
    .findAll('button')
    .find((b) => b.text() === text)
  if (!button) throw new Error(`No "${text}" in row "${label}"`)
  return button
}

function cells(label: string): string[] {
  return row(label)
    .findAll('th, td')
    .map((c) => c.text().replace(/\s+/g, ' ').trim())
}

function preferredRows(): string[] {
  return app.wrapper
    .findAll('.methods-table tbody tr')
    .filter((r) => r.find('.badge--preferred').exists())
    .map((r) => r.get('.method-name').text())
}

function dialog() {
  return app.wrapper.get('dialog')
}

async function show(methods: readonly MethodView[], remaining = 10): Promise<void> {
  bridge.listMethods.mockResolvedValue(ok(overview(methods, remaining)))
  app = await mountApp('/account')
}

withFakeBridge(
  (fake) => {
    bridge = fake
  },
  { utc: true, appState: 'signed-in' },
)

describe('the method list', () => {
  it('shows each method with its type, name, masked destination, last use and the "Preferred" label', async () => {
    await show([totpMethod, emailMethod, smsMethod])
    expect(app.wrapper.find('#mfa-title').text()).toBe('Multi-factor authentication')
    const headers = app.wrapper.findAll('.methods-table thead th').map((h) => h.text())
    expect(headers).toEqual(['Type', 'Name', 'Sends codes to', 'Last used', 'Actions'])
    expect(cells('Authenticator app').slice(0, 4)).toEqual([
      'Authenticator app',
      'Authenticator app Preferred',
      'Your app makes the codes',
      'Nov 27, 2026, 6:00 PM',
    ])
    expect(cells('Work email').slice(0, 4)).toEqual(['Email', 'Work email Less secure', 'a•••a@example.org', 'Never'])
    expect(cells('Text message').slice(0, 3)).toEqual([
      'Text message (SMS)',
      'Text message Less secure',
      '+44 •••••••961',
    ])
    expect(row('Authenticator app').find('svg.method-icon--totp').attributes('aria-hidden')).toBe('true')
    expect(preferredRows()).toEqual(['Authenticator app'])
    // The preferred method needs no "Set preferred".
    expect(
      row('Authenticator app')
        .findAll('button')
        .map((b) => b.text()),
    ).toEqual(['Rename', 'Remove'])
    expect(
      row('Work email')
        .findAll('button')
        .map((b) => b.text()),
    ).toEqual(['Set preferred', 'Rename', 'Remove'])
  })

  it('S15: "Set preferred" moves the "Preferred" label and says so', async () => {
    await show([totpMethod, emailMethod])
    await rowButton('Work email', 'Set preferred').trigger('click')
    await flushPromises()
    expect(bridge.setPreferredMethod).toHaveBeenCalledWith({ methodId: emailMethod.id })
    expect(preferredRows()).toEqual(['Work email'])
    expect(app.wrapper.get('.notice--success').text()).toBe('“Work email” is now your preferred method.')
    expect(document.activeElement).toBe(app.wrapper.get('.notice--success').element)
  })

  it('disables "Set preferred" while it runs', async () => {
    await show([totpMethod, emailMethod, smsMethod])
    let answer!: (value: Awaited<ReturnType<FakeBridge['setPreferredMethod']>>) => void
    bridge.setPreferredMethod.mockReturnValue(new Promise((resolve) => (answer = resolve)))
    await rowButton('Work email', 'Set preferred').trigger('click')
    await flushPromises()
    expect(rowButton('Work email', 'Set preferred').attributes('disabled')).toBeDefined()
    expect(rowButton('Work email', 'Set preferred').attributes('aria-busy')).toBe('true')
    expect(rowButton('Text message', 'Set preferred').attributes('disabled')).toBeDefined()
    answer(ok({ ...emailMethod, preferred: true }))
    await flushPromises()
    expect(preferredRows()).toEqual(['Work email'])
  })

  it('"Rename" asks for a name in a dialog and shows the new one', async () => {
    await show([totpMethod])
    await rowButton('Authenticator app', 'Rename').trigger('click')
    await flushPromises()
    expect(dialog().get('h2').text()).toBe('Rename the method')
    const name = inputByLabel(app.wrapper, 'Name')
    expect(document.activeElement).toBe(name.element)
    await name.setValue('   ')
    await buttonByText(app.wrapper, 'Save').trigger('click')
    await flushPromises()
    expect(fieldError(app.wrapper, 'Name')).toBe('Enter a name.')
    await name.setValue('Phone app')
    await buttonByText(app.wrapper, 'Save').trigger('click')
    await flushPromises()
    expect(bridge.renameMethod).toHaveBeenCalledWith({ methodId: totpMethod.id, label: 'Phone app' })
    expect(app.wrapper.find('dialog').exists()).toBe(false)
    expect(cells('Phone app')[1]).toBe('Phone app Preferred')
  })

  it('"Remove" asks first; Cancel keeps the method', async () => {
    await show([totpMethod, emailMethod])
    await rowButton('Work email', 'Remove').trigger('click')
    await flushPromises()
    expect(dialog().get('h2').text()).toBe('Remove this method?')
    expect(dialog().text()).toContain('You will no longer be able to sign in with Work email (a•••a@example.org).')
    // Focus starts on the harmless choice.
    expect(document.activeElement?.textContent?.trim()).toBe('Cancel')
    await buttonByText(app.wrapper, 'Cancel').trigger('click')
    await flushPromises()
    expect(app.wrapper.find('dialog').exists()).toBe(false)
    expect(bridge.removeMethod).not.toHaveBeenCalled()
  })

  it('S15: "Remove" confirmed removes the method and reads the list again', async () => {
    await show([totpMethod, emailMethod])
    await rowButton('Work email', 'Remove').trigger('click')
    await flushPromises()
    bridge.listMethods.mockResolvedValue(ok(overview([totpMethod])))
    const confirm = dialog()
      .findAll('button')
      .find((b) => b.text() === 'Remove')!
    await confirm.trigger('click')
    await flushPromises()
    expect(bridge.removeMethod).toHaveBeenCalledWith({ methodId: emailMethod.id })
    expect(app.wrapper.find('dialog').exists()).toBe(false)
    expect(() => row('Work email')).toThrow()
    expect(app.wrapper.get('.notice--success').text()).toBe('“Work email” was removed.')
  })

  it('S1: removing the last method of an account with a short password asks for a new one in the same dialog', async () => {
    await show([totpMethod])
    await rowButton('Authenticator app', 'Remove').trigger('click')
    await flushPromises()
    expect(dialog().text()).toContain('This is your only method')
    bridge.removeMethod.mockResolvedValueOnce(
      fail({
        code: 'WEAK_PASSWORD',
        message: 'x',
        reason: 'too-short',
        minLength: 15,
        fields: [{ field: 'newPassword', message: 'x' }],
      }),
    )
    const submit = () =>
      dialog()
        .findAll('button')
        .find((b) => b.text() === 'Remove')!
        .trigger('click')
    await submit()
    await flushPromises()
    expect(dialog().text()).toContain(
      'Without a second factor your password must have at least 15 characters. Choose a new password to remove this method.',
    )
    const newPassword = inputByLabel(app.wrapper, 'New password')
    expect(document.activeElement).toBe(newPassword.element)
    expect(app.wrapper.find('dialog .notice--error').exists()).toBe(false)

    await newPassword.setValue('short one')
    await inputByLabel(app.wrapper, 'Repeat new password').setValue('short two')
    await submit()
    await flushPromises()
    expect(fieldError(app.wrapper, 'Repeat new password')).toBe('The passwords do not match.')
    expect(bridge.removeMethod).toHaveBeenCalledTimes(1)

    bridge.removeMethod.mockResolvedValueOnce(
      fail({ code: 'WEAK_PASSWORD', message: 'x', reason: 'common', fields: [{ field: 'newPassword', message: 'x' }] }),
    )
    await newPassword.setValue('password password')
    await inputByLabel(app.wrapper, 'Repeat new password').setValue('password password')
    await submit()
    await flushPromises()
    expect(fieldError(app.wrapper, 'New password')).toBe(
      'This is one of the most commonly used passwords. Choose another.',
    )

    bridge.listMethods.mockResolvedValue(ok(overview([])))
    await inputByLabel(app.wrapper, 'New password').setValue('harbour kettle violin autumn')
    await inputByLabel(app.wrapper, 'Repeat new password').setValue('harbour kettle violin autumn')
    bridge.removeMethod.mockResolvedValueOnce(ok({ mfaEnabled: false }))
    await submit()
    await flushPromises()
    expect(bridge.removeMethod).toHaveBeenLastCalledWith({
      methodId: totpMethod.id,
      newPassword: 'harbour kettle violin autumn',
    })
    expect(app.wrapper.get('.notice--success').text()).toBe(
      '“Authenticator app” was removed. Multi-factor authentication is now off.',
    )
    expect(pageText(app.wrapper)).toContain('Multi-factor authentication is off.')
    expect(app.wrapper.find('#recovery-title').exists()).toBe(false)
  })

  it('"Add" adds a new line where the type is chosen, and "Setup" starts the wizard for it', async () => {
    await show([])
    expect(pageText(app.wrapper)).toContain('No sign-in methods yet.')
    await buttonByText(app.wrapper, 'Add').trigger('click')
    await flushPromises()
    const type = inputByLabel(app.wrapper, 'Type of the new method')
    expect(document.activeElement).toBe(type.element)
    expect(type.findAll('option').map((o) => o.text())).toEqual(['Authenticator app', 'Email', 'Text message (SMS)'])
    expect((type.element as HTMLSelectElement).value).toBe('totp')
    expect(bridge.beginEnrollment).not.toHaveBeenCalled()
    await type.setValue('email')
    await buttonByText(app.wrapper, 'Setup').trigger('click')
    await flushPromises()
    expect(app.router.currentRoute.value.name).toBe('mfa-setup')
    expect(app.router.currentRoute.value.params.type).toBe('email')
    expect(app.wrapper.get('h1').text()).toBe('Set up codes by email')
  })

  it('a new line can be discarded, and stays client-only until then', async () => {
    await show([totpMethod])
    await buttonByText(app.wrapper, 'Add').trigger('click')
    await buttonByText(app.wrapper, 'Add').trigger('click')
    await flushPromises()
    expect(app.wrapper.findAll('.methods-table__row--draft')).toHaveLength(2)
    await buttonByText(app.wrapper, 'Discard').trigger('click')
    await flushPromises()
    expect(app.wrapper.findAll('.methods-table__row--draft')).toHaveLength(1)
    expect(bridge.beginEnrollment).not.toHaveBeenCalled()
  })
})

describe('recovery codes on My account', () => {
  it('S12: says how many remain and warns when few are left', async () => {
    await show([totpMethod], 10)
    expect(app.wrapper.get('#recovery-title').text()).toBe('Recovery codes')
    expect(pageText(app.wrapper)).toContain('You have 10 unused recovery codes.')
    expect(app.wrapper.find('.notice--warning').exists()).toBe(false)
    app.unmount()

    await show([totpMethod], 3)
    expect(app.wrapper.get('.notice--warning').text()).toBe(
      'Only 3 recovery codes are left. Regenerate them and keep the new ones somewhere safe.',
    )
  })

  it('S11: "Regenerate" asks first, then shows the new codes once with Copy, Download and Print', async () => {
    await show([totpMethod], 2)
    await buttonByText(app.wrapper, 'Regenerate').trigger('click')
    await flushPromises()
    expect(dialog().get('h2').text()).toBe('Regenerate recovery codes?')
    const confirm = dialog()
      .findAll('button')
      .find((b) => b.text() === 'Regenerate')!
    await confirm.trigger('click')
    await flushPromises()
    expect(bridge.regenerateRecoveryCodes).toHaveBeenCalledTimes(1)
    expect(dialog().get('h2').text()).toBe('Your new recovery codes')
    expect(
      dialog()
        .findAll('.recovery-codes__code')
        .map((c) => c.text()),
    ).toEqual(recoveryCodes)
    expect(
      dialog()
        .findAll('button')
        .map((b) => b.text()),
    ).toEqual(['Copy', 'Download', 'Print', 'Done'])

    const writeText = vi.fn(async () => undefined)
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true })
    await buttonByText(app.wrapper, 'Copy').trigger('click')
    await flushPromises()
    expect(writeText).toHaveBeenCalledWith(expect.stringContaining(recoveryCodes.join('\n')))
    expect(dialog().text()).toContain('The codes were copied.')

    await buttonByText(app.wrapper, 'Done').trigger('click')
    await flushPromises()
    expect(app.wrapper.find('dialog').exists()).toBe(false)
    expect(pageText(app.wrapper)).toContain('You have 10 unused recovery codes.')
    expect(app.wrapper.find('.notice--warning').exists()).toBe(false)
    expect(pageText(app.wrapper)).not.toContain(recoveryCodes[0]!)
  })

  it('"Download" saves the codes as a .txt file', async () => {
    await show([totpMethod])
    const created: Blob[] = []
    const createObjectURL = vi.spyOn(URL, 'createObjectURL').mockImplementation((blob) => {
      created.push(blob as Blob)
      return 'blob:keyhold/codes'
    })
    const clicked: { href: string; download: string }[] = []
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push({ href: this.href, download: this.download })
    })
    await buttonByText(app.wrapper, 'Regenerate').trigger('click')
    await flushPromises()
    await dialog()
      .findAll('button')
      .find((b) => b.text() === 'Regenerate')!
      .trigger('click')
    await flushPromises()
    await buttonByText(app.wrapper, 'Download').trigger('click')
    expect(clicked).toEqual([{ href: 'blob:keyhold/codes', download: 'keyhold-recovery-codes-ada.txt' }])
    expect(created[0]!.type).toBe('text/plain;charset=utf-8')
    const text = await created[0]!.text()
    expect(text).toContain('Keyhold recovery codes for ada')
    for (const code of recoveryCodes) expect(text).toContain(code)
    createObjectURL.mockRestore()
    click.mockRestore()
  })

  it('offers no recovery codes while MFA is off', async () => {
    await show([])
    expect(app.wrapper.find('#recovery-title').exists()).toBe(false)
    expect(hasButton(app.wrapper, 'Regenerate')).toBe(false)
    expect(pageText(app.wrapper)).toContain('Multi-factor authentication is off.')
  })
})
