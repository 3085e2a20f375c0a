import type { SecurityPolicy } from './policy'

/**
 * S13 lockout arithmetic, pure. One counter of consecutive failures per account:
 * every `lockoutThreshold`-th failure locks the account, for `lockoutBaseMs`
 * doubled once per earlier lock, capped at `lockoutMaxMs`. At
 * `adminUnlockAfterFailures` the lock no longer expires by itself.
 */
export interface LockState {
  readonly failedAttempts: number
  /** ms since the epoch; null when not time-locked. */
  readonly lockedUntil: number | null
  readonly adminLocked: boolean
}

export type LockStatus = { readonly locked: false } | { readonly locked: true; readonly until: number | null }

export function lockStatus(state: LockState, now: number): LockStatus {
  if (state.adminLocked) return { locked: true, until: null }
  if (state.lockedUntil !== null && state.lockedUntil > now) return { locked: true, until: state.lockedUntil }
  return { locked: false }
}

/** The state after one more failure at `now`. */
export function afterFailure(state: LockState, now: number, policy: SecurityPolicy): LockState {
  const failedAttempts = state.failedAttempts + 1
  if (failedAttempts >= policy.adminUnlockAfterFailures) {
    return { failedAttempts, lockedUntil: null, adminLocked: true }
  }
  if (failedAttempts % policy.lockoutThreshold !== 0) {
    return { failedAttempts, lockedUntil: state.lockedUntil, adminLocked: false }
  }
  const earlierLocks = failedAttempts / policy.lockoutThreshold - 1
  // 2 ** 30 would overflow nothing here, but cap the exponent so the product stays finite.
  const duration = Math.min(policy.lockoutBaseMs * 2 ** Math.min(earlierLocks, 30), policy.lockoutMaxMs)
  return { failedAttempts, lockedUntil: now + duration, adminLocked: false }
}

export function attemptsLeftBeforeLock(state: LockState, policy: SecurityPolicy): number {
  const intoCycle = state.failedAttempts % policy.lockoutThreshold
  const toAdmin = policy.adminUnlockAfterFailures - state.failedAttempts
  return Math.max(0, Math.min(policy.lockoutThreshold - intoCycle, toAdmin))
}

export const unlockedState: LockState = { failedAttempts: 0, lockedUntil: null, adminLocked: false }
