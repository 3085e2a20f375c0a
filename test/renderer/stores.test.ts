import { createPinia, setActivePinia } from 'pinia'
import { describe, expect, it } from 'vitest'
import { nextTick } from 'vue'
import { KeyholdError } from '../../renderer/src/api/keyhold-error'
import { useAccountStore } from '../../renderer/src/stores/account-store'
import { useAppStateStore } from '../../renderer/src/stores/app-state-store'
import { useSessionStore } from '../../renderer/src/stores/session-store'
import { adminAccount, deferred, fail, ok, readyState, sessionFor, type FakeBridge } from './support/fake-bridge'
import { withFakeBridge } from './support/renderer-test'

let bridge: FakeBridge

withFakeBridge((fake) => {
  setActivePinia(createPinia())
  bridge = fake
})

describe('app-state store', () => {
  it('reads a ready state and hands its session to the session store', async () => {
    bridge.getAppState.mockResolvedValue(ok(readyState({ session: sessionFor() })))
    const appState = useAppStateStore()
    await appState.load()
    expect(appState.status).toBe('ready')
    expect(appState.available).toBe(true)
    expect(appState.setupRequired).toBe(false)
    expect(useSessionStore().account?.username).toBe('ada')
  })

  it('S19: keeps the problem of an unavailable app to explain it', async () => {
    const problem = { code: 'KEYCHAIN_LOCKED' as const, message: 'The keychain is locked', fix: 'Unlock it' }
    bridge.getAppState.mockResolvedValue(ok({ status: 'unavailable', problem }))
    const appState = useAppStateStore()
    await appState.load()
    expect(appState.status).toBe('unavailable')
    expect(appState.available).toBe(false)
    expect(appState.problem).toEqual(problem)
  })

  it('does not throw when the state cannot be read; it records why', async () => {
    bridge.getAppState.mockRejectedValue(new Error('bridge down'))
    const appState = useAppStateStore()
    await expect(appState.load()).resolves.toBeUndefined()
    expect(appState.status).toBe('unreachable')
    expect(appState.loadError?.code).toBe('INTERNAL')
  })

  it('shares one request between concurrent loads', async () => {
    const answer = deferred<Awaited<ReturnType<FakeBridge['getAppState']>>>()
    bridge.getAppState.mockReturnValue(answer.promise)
    const appState = useAppStateStore()
    const first = appState.load()
    const second = appState.load()
    expect(appState.loading).toBe(true)
    answer.resolve(ok(readyState({ setupRequired: true })))
    await Promise.all([first, second])
    expect(bridge.getAppState).toHaveBeenCalledTimes(1)
    expect(appState.loading).toBe(false)
    expect(appState.setupRequired).toBe(true)
  })

  it('marks setup done after creating the first administrator, and returns the username', async () => {
    bridge.getAppState.mockResolvedValue(ok(readyState({ setupRequired: true })))
    const appState = useAppStateStore()
    await appState.load()
    const input = { username: 'ada', displayName: 'Ada', email: 'ada@example.org', password: 'p'.repeat(20) }
    await expect(appState.createFirstAdmin(input)).resolves.toBe('ada')
    expect(bridge.createFirstAdmin).toHaveBeenCalledWith(input)
    expect(appState.setupRequired).toBe(false)
  })

  it('treats SETUP_DONE as "no setup left to do" and still reports it', async () => {
    bridge.getAppState.mockResolvedValue(ok(readyState({ setupRequired: true })))
    bridge.createFirstAdmin.mockResolvedValue(fail({ code: 'SETUP_DONE', message: 'done' }))
    const appState = useAppStateStore()
    await appState.load()
    await expect(
      appState.createFirstAdmin({ username: 'ada', displayName: 'Ada', email: 'a@b.c', password: 'x' }),
    ).rejects.toMatchObject({ code: 'SETUP_DONE' })
    expect(appState.setupRequired).toBe(false)
  })

  it('keeps setup required when creating the administrator fails for another reason', async () => {
    bridge.getAppState.mockResolvedValue(ok(readyState({ setupRequired: true })))
    bridge.createFirstAdmin.mockResolvedValue(fail({ code: 'WEAK_PASSWORD', message: 'x', reason: 'common' }))
    const appState = useAppStateStore()
    await appState.load()
    await expect(
      appState.createFirstAdmin({ username: 'ada', displayName: 'Ada', email: 'a@b.c', password: 'x' }),
    ).rejects.toBeInstanceOf(KeyholdError)
    expect(appState.setupRequired).toBe(true)
  })
})

describe('session store', () => {
  it('signs in, keeps the session and clears any notice', async () => {
    const session = useSessionStore()
    session.announce('adminCreated', 'ada')
    await session.signIn('ada', 'correct horse battery staple')
    expect(bridge.signIn).toHaveBeenCalledWith({ username: 'ada', password: 'correct horse battery staple' })
    expect(session.signedIn).toBe(true)
    expect(session.notice).toBeNull()
  })

  it('stays signed out when sign-in is refused', async () => {
    bridge.signIn.mockResolvedValue(fail({ code: 'INVALID_CREDENTIALS', message: 'x', attemptsLeft: 4 }))
    const session = useSessionStore()
    await expect(session.signIn('ada', 'wrong')).rejects.toMatchObject({ attemptsLeft: 4 })
    expect(session.signedIn).toBe(false)
  })

  it('signs out, and treats an already-ended session as signed out', async () => {
    const session = useSessionStore()
    session.adopt(sessionFor())
    await session.signOut()
    expect(session.signedIn).toBe(false)
    expect(session.notice).toBe('signedOut')

    session.adopt(sessionFor())
    bridge.signOut.mockResolvedValue(fail({ code: 'UNAUTHENTICATED', message: 'x' }))
    await session.signOut()
    expect(session.signedIn).toBe(false)
  })

  it('stays signed in when sign-out fails for another reason', async () => {
    const session = useSessionStore()
    session.adopt(sessionFor())
    bridge.signOut.mockResolvedValue(fail({ code: 'INTERNAL', message: 'x' }))
    await expect(session.signOut()).rejects.toMatchObject({ code: 'INTERNAL' })
    expect(session.signedIn).toBe(true)
  })

  it('S17: ending a live session says it expired; ending none asks to sign in', () => {
    const session = useSessionStore()
    session.adopt(sessionFor())
    session.end('signInRequired')
    expect([session.signedIn, session.notice]).toEqual([false, 'sessionExpired'])
    session.end('signInRequired')
    expect(session.notice).toBe('signInRequired')
    expect(session.lastUsername).toBe('ada')
  })
})

describe('account store', () => {
  it('loads the signed-in account', async () => {
    const account = useAccountStore()
    await account.loadMe()
    expect(account.me).toEqual(adminAccount)
  })

  it('S15: confirms the current password before sending the new one', async () => {
    const account = useAccountStore()
    await account.changePassword('old password', 'a brand new passphrase')
    expect(bridge.confirmPassword).toHaveBeenCalledWith({ password: 'old password' })
    expect(bridge.changePassword).toHaveBeenCalledWith({ newPassword: 'a brand new passphrase' })
    expect(bridge.confirmPassword.mock.invocationCallOrder[0]).toBeLessThan(
      bridge.changePassword.mock.invocationCallOrder[0]!,
    )
  })

  it('S15: never sends the new password when the current one is wrong', async () => {
    bridge.confirmPassword.mockResolvedValue(fail({ code: 'INVALID_CREDENTIALS', message: 'Wrong password' }))
    const account = useAccountStore()
    await expect(account.changePassword('wrong', 'a brand new passphrase')).rejects.toMatchObject({
      code: 'INVALID_CREDENTIALS',
    })
    expect(bridge.changePassword).not.toHaveBeenCalled()
  })

  it('forgets the profile when the session ends', async () => {
    const session = useSessionStore()
    session.adopt(sessionFor())
    const account = useAccountStore()
    await account.loadMe()
    session.end('sessionExpired')
    await nextTick()
    expect(account.me).toBeNull()
  })
})
