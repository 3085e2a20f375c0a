import { vi, type Mock } from 'vitest'
import type { KeyholdApi } from '../../../electron/shared/api'
import type { ErrorPayload, Result } from '../../../electron/shared/errors'
import type { AccountView, AppState, SessionView } from '../../../electron/shared/schemas'

/**
 * A stand-in for `window.keyhold` (the preload or the preview shim), playing the
 * main process's part: each method is a mock that answers with a Result. Tests
 * set the answers they need; everything else answers like a fresh, ready app.
 */
export type FakeBridge = { [M in BridgeMethod]: Mock<KeyholdApi[M]> }

/** The channels this renderer calls (issue 2); the fake answers only these. */
type BridgeMethod =
  'getAppState' | 'createFirstAdmin' | 'signIn' | 'signOut' | 'confirmPassword' | 'getMyAccount' | 'changePassword'

export const adminAccount: AccountView = {
  username: 'ada',
  displayName: 'Ada Lovelace',
  email: 'ada@example.org',
  phone: '+441632960961',
  role: 'admin',
  disabled: false,
  locked: false,
  lockedUntil: null,
  createdAt: '2026-11-01T09:00:00.000Z',
  lastSignInAt: '2026-11-28T08:30:00.000Z',
  passwordChangedAt: '2026-11-01T09:00:00.000Z',
}

export function sessionFor(account: AccountView = adminAccount): SessionView {
  return {
    account,
    expiresAt: '2026-11-28T20:30:00.000Z',
    idleTimeoutMinutes: 30,
    stepUpUntil: '2026-11-28T08:35:00.000Z',
  }
}

export function ok<T>(value: T): Result<T> {
  return { ok: true, value }
}

export function fail(error: ErrorPayload): Result<never> {
  return { ok: false, error }
}

export function readyState(options: { setupRequired?: boolean; session?: SessionView | null } = {}): AppState {
  return { status: 'ready', setupRequired: options.setupRequired ?? false, session: options.session ?? null }
}

export function createFakeBridge(): FakeBridge {
  return {
    getAppState: vi.fn<KeyholdApi['getAppState']>(async () => ok(readyState())),
    createFirstAdmin: vi.fn<KeyholdApi['createFirstAdmin']>(async (input) => ok({ username: input.username })),
    signIn: vi.fn<KeyholdApi['signIn']>(async () => ok({ status: 'signed-in' as const, session: sessionFor() })),
    signOut: vi.fn<KeyholdApi['signOut']>(async () => ok({})),
    confirmPassword: vi.fn<KeyholdApi['confirmPassword']>(async () => ok({ stepUpUntil: '2026-11-28T08:40:00.000Z' })),
    getMyAccount: vi.fn<KeyholdApi['getMyAccount']>(async () => ok(adminAccount)),
    changePassword: vi.fn<KeyholdApi['changePassword']>(async () => ok({})),
  }
}

/** Puts the fake where the preload would: `window.keyhold`. */
export function installBridge(bridge: FakeBridge | undefined): void {
  Object.defineProperty(window, 'keyhold', { value: bridge, configurable: true, writable: false })
}

/** A promise the test resolves when it chooses, to look at the page while a call is in flight. */
export function deferred<T>() {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((r) => {
    resolve = r
  })
  return { promise, resolve }
}
