import { AppError } from '../domain/app-error'
import { afterFailure, attemptsLeftBeforeLock, lockStatus, unlockedState, type LockState } from '../domain/lockout'
import { usernameKey } from '../domain/username'
import { iso } from './account-view'
import type { CoreDeps } from './deps'
import type { CodeHasher } from './mfa-ports'
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

/**
 * S33: a check made outside a transaction is made again when the transaction finds that what it
 * checked changed meanwhile (a new password or hash, an account created or deleted); the last of
 * these rounds is decided as it stands, so a wrong answer is always counted.
 */
export const maxCheckRounds = 3

/** The lock in force now, as an error, or null. */
export function currentLock(state: LockState, now: number): AppError | null {
  const status = lockStatus(state, now)
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

/**
 * S26: a name without an account keeps a lock state of its own (deps.unknownNames), counted and
 * locked by the same rules as an account under the site's policy, so a wrong password, a wrong
 * setup code and the lock read the same whether the name exists or not. Keyed by a keyed hash of
 * the name as accounts compare it (usernameKey): what was typed is never stored.
 */
export type UnknownNameDeps = Pick<CoreDeps, 'unknownNames' | 'audit' | 'policy'> & {
  readonly codeHasher: Pick<CodeHasher, 'hash'>
}

export function unknownNameKey(deps: UnknownNameDeps, username: string): string {
  return deps.codeHasher.hash(usernameKey(username), 'unknown-username')
}

/** The lock in force now for a name without an account, as an error, or null. */
export function currentUnknownLock(deps: UnknownNameDeps, nameKey: string, now: number): AppError | null {
  const state = deps.unknownNames.find(nameKey)
  return state ? currentLock(state, now) : null
}

export function registerUnknownFailure(
  deps: UnknownNameDeps,
  nameKey: string,
  now: number,
  actor: string,
  event: string,
  factor: string,
): FailureOutcome {
  // The site's rules: a name without an account has no role.
  const policy = deps.policy()
  const next = afterFailure(deps.unknownNames.find(nameKey) ?? unlockedState, now, policy)
  deps.unknownNames.record(nameKey, next, now)
  deps.audit.append({ actor, event, accountId: null, detail: { factor, reason: 'unknown-user' } }, now)
  const status = lockStatus(next, now)
  return status.locked
    ? { locked: lockedError(status.until), attemptsLeft: 0 }
    : { locked: null, attemptsLeft: attemptsLeftBeforeLock(next, policy) }
}
