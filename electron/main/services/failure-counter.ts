import { AppError } from '../domain/app-error'
import { afterFailure, attemptsLeftBeforeLock, lockStatus, unlockedState } from '../domain/lockout'
import { iso } from './account-view'
import type { CoreDeps } from './deps'
import type { AccountRecord } from './ports'

/**
 * S13: one counter of consecutive failures per account, shared by the
 * password, TOTP, email and SMS codes and recovery codes. Call these inside
 * the transaction that made the check, and return (not throw) the error they
 * give, or the transaction rolls the count back.
 */
export function lockedError(until: number | null): AppError {
  return until === null
    ? new AppError('LOCKED', 'This account is locked after too many failed attempts; an administrator must unlock it', {
        lockedUntil: null,
      })
    : new AppError('LOCKED', `This account is locked until ${iso(until)} after too many failed attempts`, {
        lockedUntil: iso(until),
      })
}

/** The lock in force now, as an error, or null. */
export function currentLock(account: AccountRecord, now: number): AppError | null {
  const status = lockStatus(account, now)
  return status.locked ? lockedError(status.until) : null
}

export interface FailureOutcome {
  /** LOCKED when this failure locked the account; otherwise null. */
  readonly locked: AppError | null
  readonly attemptsLeft: number
}

export function registerFailure(
  deps: Pick<CoreDeps, 'accounts' | 'audit' | 'sessions' | 'policy'>,
  account: AccountRecord,
  now: number,
  actor: string,
  event: string,
  factor: string,
): FailureOutcome {
  const policy = deps.policy(account.role)
  const next = afterFailure(account, now, policy)
  deps.accounts.setLockState(account.id, next, now)
  deps.audit.append({ actor, event, accountId: account.id, detail: { factor } }, now)
  const status = lockStatus(next, now)
  if (!status.locked) return { locked: null, attemptsLeft: attemptsLeftBeforeLock(next, policy) }
  deps.audit.append(
    { actor: 'system', event: 'account.locked', accountId: account.id, detail: { failures: next.failedAttempts } },
    now,
  )
  deps.sessions.endAllForAccount(account.id, now)
  return { locked: lockedError(status.until), attemptsLeft: 0 }
}

export function clearFailures(deps: Pick<CoreDeps, 'accounts'>, account: AccountRecord, now: number): void {
  if (account.failedAttempts !== 0 || account.lockedUntil !== null)
    deps.accounts.setLockState(account.id, unlockedState, now)
}
