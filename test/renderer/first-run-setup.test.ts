import { flushPromises } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { deferred, fail, ok, type FakeBridge } from './support/fake-bridge'
import { alertTexts, buttonByText, fieldError, inputByLabel, mountApp, type MountedApp } from './support/mount-app'
import { withFakeBridge } from './support/renderer-test'

let bridge: FakeBridge
let app: MountedApp

async function fillSetup(values: Partial<Record<string, string>> = {}) {
  const filled = {
    Username: 'ada',
    'Display name': 'Ada Lovelace',
    Email: 'ada@example.org',
    Password: 'orbit lantern pebble quartz',
    'Repeat password': 'orbit lantern pebble quartz',
    ...values,
  }
  for (const [label, value] of Object.entries(filled)) await inputByLabel(app.wrapper, label).setValue(value ?? '')
}

withFakeBridge(
  async (fake) => {
    bridge = fake
    app = await mountApp('/')
  },
  { appState: 'first-run' },
)

describe('first-run setup', () => {
  it('is where a fresh install goes, whatever page was asked for', async () => {
    expect(app.router.currentRoute.value.name).toBe('setup')
    expect(app.wrapper.get('h1').text()).toBe('Set up Keyhold')
    await app.router.push('/account')
    await flushPromises()
    expect(app.router.currentRoute.value.name).toBe('setup')
  })

  it('binds every label to its input, with the autocomplete password managers need', () => {
    expect(inputByLabel(app.wrapper, 'Username').attributes('autocomplete')).toBe('username')
    expect(inputByLabel(app.wrapper, 'Email').attributes('type')).toBe('email')
    expect(inputByLabel(app.wrapper, 'Password').attributes('autocomplete')).toBe('new-password')
    expect(inputByLabel(app.wrapper, 'Repeat password').attributes('autocomplete')).toBe('new-password')
    const hintId = inputByLabel(app.wrapper, 'Password').attributes('aria-describedby')
    expect(app.wrapper.get(`#${hintId}`).text()).toContain('At least 15 characters')
  })

  it('refuses two different passwords without asking the main process', async () => {
    await fillSetup({ 'Repeat password': 'orbit lantern pebble quartzz' })
    await buttonByText(app.wrapper, 'Create administrator').trigger('submit')
    await flushPromises()
    expect(fieldError(app.wrapper, 'Repeat password')).toBe('The passwords do not match.')
    expect(inputByLabel(app.wrapper, 'Repeat password').attributes('aria-invalid')).toBe('true')
    expect(bridge.createFirstAdmin).not.toHaveBeenCalled()
  })

  it('asks for the empty fields, and moves focus to the first one', async () => {
    await fillSetup({ Username: '   ', Email: '' })
    await app.wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(fieldError(app.wrapper, 'Username')).toBe('Enter a username.')
    expect(fieldError(app.wrapper, 'Email')).toBe('Enter an email address.')
    expect(fieldError(app.wrapper, 'Display name')).toBeNull()
    expect(document.activeElement?.id).toBe('setup-username')
    expect(bridge.createFirstAdmin).not.toHaveBeenCalled()
  })

  it('shows the main process field errors next to their fields', async () => {
    bridge.createFirstAdmin.mockResolvedValue(
      fail({
        code: 'VALIDATION',
        message: 'email: Enter a valid email address',
        fields: [
          { field: 'email', message: 'Enter a valid email address' },
          { field: 'username', message: 'Username may contain letters…' },
        ],
      }),
    )
    await fillSetup({ Email: 'ada-at-example', Username: '-ada' })
    await app.wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(fieldError(app.wrapper, 'Email')).toBe('Enter a valid email address.')
    expect(fieldError(app.wrapper, 'Username')).toMatch(/^Use 2 to 64 letters/)
    expect(alertTexts(app.wrapper)).toContain('Some fields need attention.')
    expect(document.activeElement?.id).toBe('setup-username')
    expect(app.router.currentRoute.value.name).toBe('setup')
  })

  it('S2: says why the main process refused the password, on the password field', async () => {
    bridge.createFirstAdmin.mockResolvedValue(
      fail({ code: 'WEAK_PASSWORD', message: 'common', reason: 'common', minLength: 15 }),
    )
    await fillSetup()
    await app.wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(fieldError(app.wrapper, 'Password')).toBe('This is one of the most commonly used passwords. Choose another.')
  })

  it('disables its button while the administrator is being created', async () => {
    const answer = deferred<Awaited<ReturnType<FakeBridge['createFirstAdmin']>>>()
    bridge.createFirstAdmin.mockReturnValue(answer.promise)
    await fillSetup()
    await app.wrapper.get('form').trigger('submit')
    await flushPromises()
    const button = buttonByText(app.wrapper, 'Create administrator')
    expect(button.attributes('disabled')).toBeDefined()
    expect(button.attributes('aria-busy')).toBe('true')
    expect(app.wrapper.text()).toContain('Creating the administrator…')

    // A second submit while pending sends nothing more.
    await app.wrapper.get('form').trigger('submit')
    expect(bridge.createFirstAdmin).toHaveBeenCalledTimes(1)

    answer.resolve(fail({ code: 'INTERNAL', message: 'x' }))
    await flushPromises()
    expect(buttonByText(app.wrapper, 'Create administrator').attributes('disabled')).toBeUndefined()
    expect(alertTexts(app.wrapper)).toContain('Something went wrong inside Keyhold. Try again.')
  })

  it('on success goes to sign-in with the username filled in and says so', async () => {
    bridge.createFirstAdmin.mockResolvedValue(ok({ username: 'ada' }))
    await fillSetup({ Username: '  ada  ' })
    await app.wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(bridge.createFirstAdmin).toHaveBeenCalledWith({
      username: 'ada',
      displayName: 'Ada Lovelace',
      email: 'ada@example.org',
      password: 'orbit lantern pebble quartz',
    })
    expect(app.router.currentRoute.value.name).toBe('sign-in')
    expect(app.wrapper.get('[role="status"].notice').text()).toBe('Administrator created. Sign in to continue.')
    expect((inputByLabel(app.wrapper, 'Username').element as HTMLInputElement).value).toBe('ada')
    expect(document.activeElement?.id).toBe('sign-in-password')
  })

  it('goes to sign-in when someone else finished setup first', async () => {
    bridge.createFirstAdmin.mockResolvedValue(fail({ code: 'SETUP_DONE', message: 'done' }))
    await fillSetup()
    await app.wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(app.router.currentRoute.value.name).toBe('sign-in')
    expect(app.wrapper.text()).toContain('Keyhold is already set up. Sign in to continue.')
  })
})
