import type { AccountView } from '../../shared/schemas'
import { lockStatus } from '../domain/lockout'
import type { AccountRecord } from './ports'

const iso = (ms: number): string => new Date(ms).toISOString()

/** What may leave the main process about an account: never the hash or counters. */
export function toAccountView(account: AccountRecord, now: number): AccountView {
  const lock = lockStatus(account, now)
  return {
    username: account.username,
    displayName: account.displayName,
    email: account.email,
    phone: account.phone,
    role: account.role,
    disabled: account.disabled,
    locked: lock.locked,
    lockedUntil: lock.locked && lock.until !== null ? iso(lock.until) : null,
    createdAt: iso(account.createdAt),
    lastSignInAt: account.lastSignInAt === null ? null : iso(account.lastSignInAt),
    passwordChangedAt: iso(account.passwordChangedAt),
  }
}

export { iso }
