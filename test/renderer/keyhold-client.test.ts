import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import * as client from '../../renderer/src/api/keyhold-client'
import { KeyholdError } from '../../renderer/src/api/keyhold-error'
import { adminAccount, createFakeBridge, fail, installBridge, type FakeBridge } from './support/fake-bridge'

describe('keyhold-client', () => {
  let bridge: FakeBridge

  beforeEach(() => {
    bridge = createFakeBridge()
    installBridge(bridge)
  })

  afterEach(() => installBridge(undefined))

  it('returns the value of a successful call and passes the request through unchanged', async () => {
    const account = await client.getMyAccount()
    expect(account).toEqual(adminAccount)

    await client.signIn({ username: 'ada', password: 'correct horse battery staple' })
    expect(bridge.signIn).toHaveBeenCalledWith({ username: 'ada', password: 'correct horse battery staple' })
  })

  it('throws a KeyholdError carrying the whole ErrorPayload of a refusal', async () => {
    bridge.createFirstAdmin.mockResolvedValue(
      fail({
        code: 'VALIDATION',
        message: 'email: Enter a valid email address',
        fields: [{ field: 'email', message: 'Enter a valid email address' }],
      }),
    )
    const error = await client
      .createFirstAdmin({ username: 'ada', displayName: 'Ada', email: 'nope', password: 'x' })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KeyholdError)
    const keyholdError = error as KeyholdError
    expect(keyholdError.code).toBe('VALIDATION')
    expect(keyholdError.fields).toEqual([{ field: 'email', message: 'Enter a valid email address' }])
  })

  it('exposes lock, attempts and weak-password details', async () => {
    bridge.signIn.mockResolvedValueOnce(
      fail({ code: 'LOCKED', message: 'locked', lockedUntil: '2026-11-28T15:45:00.000Z' }),
    )
    const locked = (await client.signIn({ username: 'ada', password: 'p' }).catch((e: unknown) => e)) as KeyholdError
    expect(locked.lockedUntil).toBe('2026-11-28T15:45:00.000Z')

    bridge.signIn.mockResolvedValueOnce(fail({ code: 'INVALID_CREDENTIALS', message: 'wrong', attemptsLeft: 3 }))
    const wrong = (await client.signIn({ username: 'ada', password: 'p' }).catch((e: unknown) => e)) as KeyholdError
    expect(wrong.attemptsLeft).toBe(3)

    bridge.changePassword.mockResolvedValueOnce(
      fail({ code: 'WEAK_PASSWORD', message: 'short', reason: 'too-short', minLength: 15 }),
    )
    const weak = (await client.changePassword({ newPassword: 'short' }).catch((e: unknown) => e)) as KeyholdError
    expect([weak.reason, weak.minLength]).toEqual(['too-short', 15])
  })

  it('tells listeners when a call finds the session gone, and only then', async () => {
    const ended = vi.fn()
    const stop = client.onSessionEnded(ended)

    bridge.getMyAccount.mockResolvedValueOnce(fail({ code: 'INVALID_CREDENTIALS', message: 'x' }))
    await expect(client.getMyAccount()).rejects.toBeInstanceOf(KeyholdError)
    expect(ended).not.toHaveBeenCalled()

    bridge.getMyAccount.mockResolvedValueOnce(fail({ code: 'SESSION_EXPIRED', message: 'ended' }))
    await expect(client.getMyAccount()).rejects.toMatchObject({ code: 'SESSION_EXPIRED' })
    bridge.getMyAccount.mockResolvedValueOnce(fail({ code: 'UNAUTHENTICATED', message: 'sign in' }))
    await expect(client.getMyAccount()).rejects.toMatchObject({ code: 'UNAUTHENTICATED' })
    expect(ended.mock.calls.map(([e]) => (e as KeyholdError).code)).toEqual(['SESSION_EXPIRED', 'UNAUTHENTICATED'])

    stop()
    bridge.getMyAccount.mockResolvedValueOnce(fail({ code: 'SESSION_EXPIRED', message: 'ended' }))
    await expect(client.getMyAccount()).rejects.toBeInstanceOf(KeyholdError)
    expect(ended).toHaveBeenCalledTimes(2)
  })

  it('tells listeners when the main process is unavailable', async () => {
    const unavailable = vi.fn()
    const stop = client.onServiceUnavailable(unavailable)
    bridge.getMyAccount.mockResolvedValueOnce(fail({ code: 'UNAVAILABLE', message: 'keychain locked' }))
    await expect(client.getMyAccount()).rejects.toMatchObject({ code: 'UNAVAILABLE' })
    expect(unavailable).toHaveBeenCalledTimes(1)
    stop()
  })

  it('turns a bridge that rejects into an INTERNAL KeyholdError', async () => {
    bridge.getAppState.mockRejectedValue(new TypeError('Failed to fetch'))
    const error = (await client.getAppState().catch((e: unknown) => e)) as KeyholdError
    expect(error).toBeInstanceOf(KeyholdError)
    expect(error.code).toBe('INTERNAL')
    expect(error.cause).toBeInstanceOf(TypeError)
  })

  it('reports a window without a bridge as UNAVAILABLE instead of crashing', async () => {
    installBridge(undefined)
    await expect(client.getAppState()).rejects.toMatchObject({ code: 'UNAVAILABLE' })
  })

  it('sends sign-out and password calls with exactly the contract inputs', async () => {
    await client.signOut()
    await client.confirmPassword({ password: 'old' })
    await client.changePassword({ newPassword: 'new one' })
    expect(bridge.signOut).toHaveBeenCalledWith({})
    expect(bridge.confirmPassword).toHaveBeenCalledWith({ password: 'old' })
    expect(bridge.changePassword).toHaveBeenCalledWith({ newPassword: 'new one' })
    expect(await client.getAppState()).toEqual({
      status: 'ready',
      setupRequired: false,
      session: null,
      challengePending: false,
    })
  })
})
