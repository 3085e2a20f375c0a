import type { UnknownNameRepo } from '../../services/ports'
import type { SqliteDatabase } from './open-database'

/**
 * S26: names without an account that failed to sign in (db/migrations, unknown_name_failures). At most `limit` rows: an
 * attacker spraying names fills it and pushes the oldest out, which only ever forgets a name that
 * nobody has tried for a long time relative to the spray; a real account's counter is never touched.
 */
export const unknownNameLimit = 10_000

interface Row {
  failed_attempts: number
  locked_until: number | null
  admin_locked: number
}

export function createSqliteUnknownNameRepo(db: SqliteDatabase, limit = unknownNameLimit): UnknownNameRepo {
  const find = db.prepare<[string], Row>(
    'SELECT failed_attempts, locked_until, admin_locked FROM unknown_name_failures WHERE name_key = ?',
  )
  const upsert = db.prepare<[string, number, number | null, number, number]>(
    `INSERT INTO unknown_name_failures (name_key, failed_attempts, locked_until, admin_locked, updated_at)
     VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (name_key) DO UPDATE SET failed_attempts = excluded.failed_attempts,
       locked_until = excluded.locked_until, admin_locked = excluded.admin_locked, updated_at = excluded.updated_at`,
  )
  const trim = db.prepare<[number]>(
    `DELETE FROM unknown_name_failures WHERE name_key IN
       (SELECT name_key FROM unknown_name_failures ORDER BY updated_at DESC, name_key LIMIT -1 OFFSET ?)`,
  )
  return {
    find: (nameKey) => {
      const row = find.get(nameKey)
      return row
        ? { failedAttempts: row.failed_attempts, lockedUntil: row.locked_until, adminLocked: row.admin_locked === 1 }
        : null
    },
    record: (nameKey, state, now) => {
      const isNew = find.get(nameKey) === undefined
      upsert.run(nameKey, state.failedAttempts, state.lockedUntil, state.adminLocked ? 1 : 0, now)
      // Only a new row can take the table past its limit.
      if (isNew) trim.run(limit)
    },
  }
}
