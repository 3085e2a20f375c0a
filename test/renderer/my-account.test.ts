import { flushPromises } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { adminAccount, deferred, fail, ok, type FakeBridge } from './support/fake-bridge'
import { buttonByText, mountApp, type MountedApp } from './support/mount-app'
import { withFakeBridge } from './support/renderer-test'

let bridge: FakeBridge
let app: MountedApp

/** The <dd> that follows the <dt> with this text. */
function detail(term: string): string {
  const row = app.wrapper.findAll('.details__row').find((r) => r.get('dt').text() === term)
  if (!row) throw new Error(`No detail "${term}"`)
  return row.get('dd').text().replace(/\s+/g, ' ')
}

withFakeBridge(
  (fake) => {
    bridge = fake
  },
  { appState: 'signed-in' },
)

describe('My account', () => {
  it('is where a signed-in person lands, showing their account as the main process has it', async () => {
    bridge.getMyAccount.mockResolvedValue(
      ok({ ...adminAccount, displayName: 'Ada King', phone: null, lastSignInAt: null }),
    )
    app = await mountApp('/')
    expect(app.router.currentRoute.value.name).toBe('account')
    expect(app.wrapper.get('h1').text()).toBe('My account')
    expect(detail('Display name')).toBe('Ada King')
    expect(detail('Username')).toBe('ada')
    expect(detail('Email')).toBe('ada@example.org')
    expect(detail('Phone')).toBe('Not set')
    expect(detail('Role')).toBe('Administrator')
    expect(detail('Last sign-in')).toBe('Never')
    expect(detail('Password changed')).toMatch(/2026/)
    expect(bridge.getMyAccount).toHaveBeenCalledTimes(1)
  })

  it('offers "Change password" as a link to the change-password page', async () => {
    app = await mountApp('/account')
    const link = app.wrapper.findAll('a').find((a) => a.text() === 'Change password')
    expect(link).toBeDefined()
    await link!.trigger('click')
    await flushPromises()
    expect(app.router.currentRoute.value.name).toBe('change-password')
  })

  it('shows a failed load with a way to try again', async () => {
    bridge.getMyAccount.mockResolvedValueOnce(fail({ code: 'INTERNAL', message: 'x' }))
    app = await mountApp('/account')
    expect(app.wrapper.get('.notice--error').text()).toContain('Something went wrong inside Keyhold. Try again.')
    bridge.getMyAccount.mockResolvedValueOnce(ok({ ...adminAccount, displayName: 'Ada Again' }))
    await buttonByText(app.wrapper, 'Try again').trigger('click')
    await flushPromises()
    expect(app.wrapper.find('.notice--error').exists()).toBe(false)
    expect(detail('Display name')).toBe('Ada Again')
  })

  it('signs out: the button is disabled meanwhile, then sign-in says so', async () => {
    app = await mountApp('/account')
    const answer = deferred<Awaited<ReturnType<FakeBridge['signOut']>>>()
    bridge.signOut.mockReturnValue(answer.promise)
    await buttonByText(app.wrapper, 'Sign out').trigger('click')
    await flushPromises()
    expect(buttonByText(app.wrapper, 'Sign out').attributes('disabled')).toBeDefined()
    answer.resolve(ok({}))
    await flushPromises()
    expect(app.router.currentRoute.value.name).toBe('sign-in')
    expect(app.wrapper.text()).toContain('You have signed out.')
    await app.router.push('/account')
    await flushPromises()
    expect(app.router.currentRoute.value.name).toBe('sign-in')
  })

  it('S17: a session that ended meanwhile sends the person to sign-in with a message', async () => {
    bridge.getMyAccount.mockResolvedValue(fail({ code: 'SESSION_EXPIRED', message: 'ended' }))
    app = await mountApp('/account')
    expect(app.router.currentRoute.value.name).toBe('sign-in')
    expect(app.wrapper.get('.notice').text()).toBe('Your session has ended. Sign in again.')
    expect((app.wrapper.get('#sign-in-username').element as HTMLInputElement).value).toBe('ada')
    expect(app.wrapper.find('.notice--error').exists()).toBe(false)
  })

  it('S17: UNAUTHENTICATED from any call does the same', async () => {
    app = await mountApp('/account')
    bridge.signOut.mockResolvedValue(fail({ code: 'INTERNAL', message: 'x' }))
    await buttonByText(app.wrapper, 'Sign out').trigger('click')
    await flushPromises()
    expect(app.router.currentRoute.value.name).toBe('account')
    expect(app.wrapper.get('.notice--error').text()).toBe('Something went wrong inside Keyhold. Try again.')

    bridge.getMyAccount.mockResolvedValue(fail({ code: 'UNAUTHENTICATED', message: 'sign in' }))
    await app.router.push('/account/password')
    await app.router.push('/account')
    await flushPromises()
    expect(app.router.currentRoute.value.name).toBe('sign-in')
    expect(app.wrapper.text()).toContain('Your session has ended. Sign in again.')
  })
})
