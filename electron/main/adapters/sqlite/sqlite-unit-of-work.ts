import { AppError } from '../../domain/app-error'
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
      let result: T
      try {
        result = db.transaction(fn).immediate()
      } catch (error) {
        const code = (error as { code?: unknown }).code
        if (code === 'SQLITE_FULL') {
          throw new AppError(
            'UNAVAILABLE',
            'Keyhold could not save this: the disk is full. Free some space and try again.',
          )
        }
        throw error
      }
      if (result instanceof Promise) {
        // An async function here would commit before its awaits run (ENVIRONMENT.md).
        throw new Error('A transaction body must be synchronous')
      }
      return result
    },
  }
}
