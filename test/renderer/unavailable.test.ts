import { flushPromises } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { deferred, fail, installBridge, ok, readyState, sessionFor, type FakeBridge } from './support/fake-bridge'
import { buttonByText, mountApp, type MountedApp } from './support/mount-app'
import { withFakeBridge } from './support/renderer-test'

let bridge: FakeBridge
let app: MountedApp | undefined

const locked = {
  status: 'unavailable' as const,
  problem: {
    code: 'KEYCHAIN_LOCKED' as const,
    message: 'The system keychain is locked, so Keyhold cannot read its master key.',
    fix: 'Unlock your keychain, then start Keyhold again.',
  },
}

withFakeBridge((fake) => {
  bridge = fake
  app = undefined
})

describe('unavailable page', () => {
  it('S19: explains the problem with a title from its code, the message and how to fix it', async () => {
    bridge.getAppState.mockResolvedValue(ok(locked))
    app = await mountApp('/sign-in')
    expect(app.router.currentRoute.value.name).toBe('unavailable')
    expect(app.wrapper.get('h1').text()).toBe('The system keychain is locked')
    expect(app.wrapper.text()).toContain('The system keychain is locked, so Keyhold cannot read its master key.')
    expect(app.wrapper.get('h2').text()).toBe('How to fix')
    expect(app.wrapper.text()).toContain('Unlock your keychain, then start Keyhold again.')
    expect(app.wrapper.find('form').exists()).toBe(false)
  })

  it('"Try again" asks again, and goes on once the problem is fixed', async () => {
    bridge.getAppState.mockResolvedValue(ok(locked))
    app = await mountApp('/')
    const answer = deferred<Awaited<ReturnType<FakeBridge['getAppState']>>>()
    bridge.getAppState.mockReturnValue(answer.promise)
    await buttonByText(app.wrapper, 'Try again').trigger('click')
    await flushPromises()
    expect(buttonByText(app.wrapper, 'Try again').attributes('disabled')).toBeDefined()
    answer.resolve(ok(locked))
    await flushPromises()
    expect(app.router.currentRoute.value.name).toBe('unavailable')
    expect(app.wrapper.text()).toContain('Keyhold is still unavailable.')

    bridge.getAppState.mockResolvedValue(ok(readyState({ setupRequired: true })))
    await buttonByText(app.wrapper, 'Try again').trigger('click')
    await flushPromises()
    expect(app.router.currentRoute.value.name).toBe('setup')
    expect(bridge.getAppState).toHaveBeenCalledTimes(3)
  })

  it('explains a window that cannot reach Keyhold at all', async () => {
    installBridge(undefined)
    app = await mountApp('/')
    expect(app.router.currentRoute.value.name).toBe('unavailable')
    expect(app.wrapper.get('h1').text()).toBe('Keyhold could not start')
    expect(app.wrapper.text()).toContain('Close Keyhold and open it again.')
  })

  it('a call answering UNAVAILABLE mid-session brings up the explanation', async () => {
    bridge.getAppState.mockResolvedValue(ok(readyState({ session: sessionFor() })))
    app = await mountApp('/account')
    expect(app.router.currentRoute.value.name).toBe('account')
    bridge.getAppState.mockResolvedValue(ok(locked))
    bridge.getMyAccount.mockResolvedValue(fail({ code: 'UNAVAILABLE', message: 'keychain locked' }))
    await app.router.push('/account/password')
    await app.router.push('/account')
    await flushPromises()
    expect(app.router.currentRoute.value.name).toBe('unavailable')
    expect(app.wrapper.get('h1').text()).toBe('The system keychain is locked')
  })
})
