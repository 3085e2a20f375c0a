import type { AccountRecord, Role } from '../../services/ports'

/** A row of the accounts table, as better-sqlite3 returns it (shared by the repository and the search). */
export interface AccountRow {
  id: number
  username: string
  display_name: string
  email: string | null
  phone: string | null
  role: Role
  disabled: number
  password_hash: string
  password_changed_at: number
  failed_attempts: number
  locked_until: number | null
  admin_locked: number
  created_at: number
  updated_at: number
  last_sign_in_at: number | null
  password_short: number
}

export function toAccountRecord(row: AccountRow): AccountRecord {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    email: row.email,
    phone: row.phone,
    role: row.role,
    disabled: row.disabled === 1,
    passwordHash: row.password_hash,
    passwordChangedAt: row.password_changed_at,
    failedAttempts: row.failed_attempts,
    lockedUntil: row.locked_until,
    adminLocked: row.admin_locked === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastSignInAt: row.last_sign_in_at,
    passwordShort: row.password_short === 1,
  }
}
