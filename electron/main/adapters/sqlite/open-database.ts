import Database from 'better-sqlite3'
import { migrate, type MigrationReport } from '../../../../db/migrator'
import { migrations } from '../../../../db/migrations'
import { usernameKey } from '../../domain/username'
import { usernameSkeleton } from '../../domain/username-look-alike'
import { prepareDatabaseFile } from '../system/private-files'
import { countCommits } from './commit-counter'

export type SqliteDatabase = Database.Database

export interface OpenDatabaseOptions {
  /** better-sqlite3 binary built for the running runtime (Electron or Node); see README. */
  readonly nativeBinding?: string
  readonly readonly?: boolean
}

/**
 * S21: WAL with synchronous=FULL (a committed change survives power loss),
 * foreign keys on, and a busy timeout so the app and the CLI writing at the
 * same moment wait for each other instead of failing with "database is locked".
 * S31: the folder 0700, the file and its -wal/-shm 0600, never through a link.
 */
export function openDatabase(file: string, options: OpenDatabaseOptions = {}): SqliteDatabase {
  prepareDatabaseFile(file, { create: true })
  const db = new Database(file, {
    ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
  })
  try {
    db.pragma('busy_timeout = 5000')
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = FULL')
    db.pragma('foreign_keys = ON')
    // The ids_never_reused migration keys the names it finds in old audit rows exactly as the application keys usernames.
    db.function('keyhold_username_key', { deterministic: true }, (name: unknown) =>
      typeof name === 'string' ? usernameKey(name) : null,
    )
    // The username_skeletons migration fills the skeleton of every existing account the same way (S30).
    db.function('keyhold_username_skeleton', { deterministic: true }, (name: unknown) =>
      typeof name === 'string' ? usernameSkeleton(name) : null,
    )
    countCommits(db)
    return db
  } catch (error) {
    db.close()
    throw error
  }
}

export function openAndMigrate(
  file: string,
  options: OpenDatabaseOptions = {},
): { db: SqliteDatabase; report: MigrationReport } {
  const db = openDatabase(file, options)
  try {
    return { db, report: migrate(db, migrations) }
  } catch (error) {
    db.close()
    throw error
  }
}
