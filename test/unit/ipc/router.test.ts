import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { channelNames } from '../../../electron/shared/channels'
import { createHandlers } from '../../../electron/main/ipc/handlers'
import { createRouter, createUnavailableRouter, type Handlers, type Router } from '../../../electron/main/ipc/router'
import { actor, createCoreFixture, goodPassword, type CoreFixture } from '../support/core-fixture'

const window1 = { clientKey: 'window:1', transport: 'window' as const }
const window2 = { clientKey: 'window:2', transport: 'window' as const }

function handlersFor(f: CoreFixture): Handlers {
  return createHandlers({ services: f.services })
}

describe('router', () => {
  let f: CoreFixture
  let router: Router
  let internal: ReturnType<typeof vi.fn<(channel: string, error: unknown) => void>>
  beforeEach(async () => {
    f = createCoreFixture()
    internal = vi.fn<(channel: string, error: unknown) => void>()
    router = createRouter({ handlers: handlersFor(f), sessions: f.auth, onInternalError: internal })
    await f.accounts.createFirstAdmin({ username: 'alice', password: goodPassword }, actor)
  })
  afterEach(() => f.close())

  const signIn = (ctx = window1) => router.dispatch('auth:sign-in', { username: 'alice', password: goodPassword }, ctx)

  it('S25: refuses malformed input with VALIDATION and field names, changing nothing', async () => {
    const before = f.db.prepare('SELECT count(*) AS n FROM accounts').get()
    for (const input of [null, 42, 'x', [], { username: 'alice' }, { username: 'alice', password: 1 }]) {
      const result = await router.dispatch('auth:sign-in', input, window1)
      expect(result).toMatchObject({ ok: false, error: { code: 'VALIDATION' } })
    }
    const extra = await router.dispatch(
      'auth:sign-in',
      { username: 'alice', password: goodPassword, admin: true },
      window1,
    )
    expect(extra).toMatchObject({ ok: false, error: { code: 'VALIDATION' } })
    const setup = await router.dispatch(
      'setup:create-admin',
      { username: 'x', displayName: '', email: 'nope', password: '' },
      window1,
    )
    expect(setup.ok).toBe(false)
    if (!setup.ok)
      expect(setup.error.fields?.map((e) => e.field).sort()).toEqual(['displayName', 'email', 'password', 'username'])
    expect(f.db.prepare('SELECT count(*) AS n FROM accounts').get()).toEqual(before)
    expect(internal).not.toHaveBeenCalled()
  })

  it('answers NOT_FOUND for an unknown channel and UNAUTHENTICATED without a session', async () => {
    expect(await router.dispatch('fs:read-file', {}, window1)).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    })
    expect(await router.dispatch('__proto__', {}, window1)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } })
    expect(await router.dispatch('account:get-me', {}, window1)).toMatchObject({
      ok: false,
      error: { code: 'UNAUTHENTICATED' },
    })
  })

  it('binds a session to the client that signed in, and only to it', async () => {
    expect(await signIn()).toMatchObject({ ok: true })
    expect(await router.dispatch('account:get-me', {}, window1)).toMatchObject({
      ok: true,
      value: { username: 'alice' },
    })
    expect(await router.dispatch('account:get-me', {}, window2)).toMatchObject({
      ok: false,
      error: { code: 'UNAUTHENTICATED' },
    })
    expect(await router.dispatch('auth:sign-out', {}, window1)).toEqual({ ok: true, value: {} })
    expect(await router.dispatch('account:get-me', {}, window1)).toMatchObject({
      ok: false,
      error: { code: 'UNAUTHENTICATED' },
    })
  })

  it('S14: a session waiting for its second factor may only call pending channels (FORBIDDEN otherwise)', async () => {
    await signIn()
    // Turn the session into one that waits for a second factor, as the MFA check will.
    f.db.prepare("UPDATE sessions SET state = 'pending_mfa'").run()
    expect(await router.dispatch('account:get-me', {}, window1)).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
    expect(await router.dispatch('account:change-password', { newPassword: 'x'.repeat(20) }, window1)).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
    expect(await router.dispatch('auth:sign-out', {}, window1)).toEqual({ ok: true, value: {} })
  })

  it('S15: changing the password needs a recent password check', async () => {
    await signIn()
    f.clock.advance(5 * 60_000 + 1)
    const refused = await router.dispatch(
      'account:change-password',
      { newPassword: 'another-long-passphrase' },
      window1,
    )
    expect(refused).toMatchObject({ ok: false, error: { code: 'STEP_UP_REQUIRED' } })
    expect(await router.dispatch('auth:confirm-password', { password: goodPassword }, window1)).toMatchObject({
      ok: true,
    })
    expect(
      await router.dispatch('account:change-password', { newPassword: 'another-long-passphrase' }, window1),
    ).toEqual({
      ok: true,
      value: {},
    })
  })

  it('maps a programmer error to INTERNAL without its message or stack', async () => {
    const handlers = {
      ...handlersFor(f),
      'account:get-me': () => {
        throw new Error('secret path /home/alice/x')
      },
    }
    const broken = createRouter({ handlers, sessions: f.auth, onInternalError: internal })
    await broken.dispatch('auth:sign-in', { username: 'alice', password: goodPassword }, window1)
    const result = await broken.dispatch('account:get-me', {}, window1)
    expect(result).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'Something went wrong inside Keyhold' } })
    expect(JSON.stringify(result)).not.toContain('secret path')
    expect(internal).toHaveBeenCalledWith('account:get-me', expect.any(Error))
  })

  it('strips fields the contract does not name from responses', async () => {
    const leaky = {
      ...handlersFor(f),
      'account:get-me': () => ({ ...f.accounts.getAccount('alice'), passwordHash: '$argon2id$leak' }),
    }
    const router2 = createRouter({ handlers: leaky, sessions: f.auth })
    await router2.dispatch('auth:sign-in', { username: 'alice', password: goodPassword }, window1)
    const result = await router2.dispatch('account:get-me', {}, window1)
    expect(result.ok).toBe(true)
    expect(JSON.stringify(result)).not.toContain('argon2id')
  })

  it('has a handler for every channel of the contract', () => {
    expect(Object.keys(handlersFor(f)).sort()).toEqual([...channelNames].sort())
  })

  it('when unavailable, explains the problem and refuses everything else', async () => {
    const problem = {
      status: 'unavailable' as const,
      problem: { code: 'KEYCHAIN_LOCKED' as const, message: 'locked', fix: 'unlock it' },
    }
    const down = createUnavailableRouter(problem)
    expect(await down.dispatch('app:get-state', {}, window1)).toEqual({ ok: true, value: problem })
    expect(await down.dispatch('auth:sign-in', { username: 'a', password: 'b' }, window1)).toMatchObject({
      ok: false,
      error: { code: 'UNAVAILABLE' },
    })
  })
})
