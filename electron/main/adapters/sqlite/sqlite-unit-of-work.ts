import type { UnitOfWork } from '../../services/ports'
import type { SqliteDatabase } from './open-database'

/**
 * S21: every check-and-consume is one BEGIN IMMEDIATE transaction: the write
 * lock is taken before the check, so two processes cannot both pass it.
 * Nested calls join the outer transaction (better-sqlite3 uses savepoints).
 */
export function createSqliteUnitOfWork(db: SqliteDatabase): UnitOfWork {
  return {
    tx<T>(fn: () => T): T {
      const result = db.transaction(fn).immediate()
      if (result instanceof Promise) {
        // An async function here would commit before its awaits run (ENVIRONMENT.md).
        throw new Error('A transaction body must be synchronous')
      }
      return result
    },
  }
}
