import Database from 'better-sqlite3'
import { closeSync, existsSync } from 'node:fs'
import { schemaVersion } from '../../../../db/migrator'
import { createAesGcmCipher } from '../crypto/aes-gcm-cipher'
import type { SqliteDatabase } from '../sqlite/open-database'
import { createSqliteAuditLog, type AuditVerification } from '../sqlite/sqlite-audit-log'
import { createSqliteSettings } from '../sqlite/sqlite-settings'
import { createPrivateFile, prepareDatabaseFile } from '../system/private-files'

/** better-sqlite3's binary for the running runtime (the Electron build under `Keyhold --cli`); see open-database.ts. */
export interface BindingOptions {
  readonly nativeBinding?: string
}

function openFile(file: string, options: BindingOptions): SqliteDatabase {
  // S31: not through a link, and any file SQLite adds beside it takes this file's 0600.
  prepareDatabaseFile(file, { create: false })
  return new Database(file, {
    fileMustExist: true,
    ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
  })
}

/**
 * The database file as a whole, for backup and restore: a consistent copy
 * taken while Keyhold runs (S21: the SQLite backup API, never a file copy),
 * a check of a copy before it is trusted, and the test of whether anyone has
 * a data folder's database open.
 */

/**
 * Copies the open database with SQLite's online backup API: consistent even
 * while the app writes (WAL). The copy is turned into a single self-contained
 * file (rollback journal) and checked before anyone relies on it.
 */
export async function snapshotDatabase(
  db: SqliteDatabase,
  dest: string,
  options: BindingOptions = {},
): Promise<{ schemaVersion: number }> {
  // S31: SQLite would create the copy 0644; an empty file is an empty database, and the copy takes its 0600.
  closeSync(createPrivateFile(dest))
  await db.backup(dest)
  const copy = openFile(dest, options)
  try {
    copy.pragma('journal_mode = DELETE')
    const integrity = integrityOf(copy)
    if (integrity !== 'ok') throw new Error(`The database copy does not pass integrity_check: ${integrity}`)
    return { schemaVersion: schemaVersion(copy) }
  } finally {
    copy.close()
  }
}

function integrityOf(db: SqliteDatabase): string {
  const rows = db.pragma('integrity_check') as { integrity_check: string }[]
  return rows.map((r) => r.integrity_check).join('; ')
}

export interface DatabaseInspection {
  readonly integrity: string
  readonly schemaVersion: number
  /** `vault.key_id`: which master key the database was made with. */
  readonly keyId: string | null
  /** The audit chain checked with the audit key the master key unseals (S22); null if it could not be unsealed. */
  readonly audit: AuditVerification | null
  readonly accounts: number | null
}

/** Everything restore checks in a decrypted backup before it replaces anything. */
export function inspectDatabaseFile(
  file: string,
  masterKey: Uint8Array,
  options: BindingOptions = {},
): DatabaseInspection {
  const db = openFile(file, options)
  try {
    const integrity = integrityOf(db)
    const version = schemaVersion(db)
    if (integrity !== 'ok') return { integrity, schemaVersion: version, keyId: null, audit: null, accounts: null }
    const settings = createSqliteSettings(db)
    const keyId = settings.get('vault.key_id')
    const sealed = settings.get('vault.audit_key')
    let audit: AuditVerification | null = null
    if (sealed !== null) {
      try {
        const auditKey = Buffer.from(createAesGcmCipher([masterKey]).decrypt(sealed, 'vault.audit_key'), 'base64')
        audit = createSqliteAuditLog(db, settings, auditKey).verify()
      } catch {
        audit = null
      }
    }
    const accounts = (db.prepare('SELECT count(*) AS n FROM accounts').get() as { n: number }).n
    return { integrity, schemaVersion: version, keyId, audit, accounts }
  } finally {
    db.close()
  }
}

export class DatabaseInUseError extends Error {
  constructor(file: string) {
    super(`${file} is open in another program (the Keyhold app, the browser preview or another keyhold command)`)
    this.name = 'DatabaseInUseError'
  }
}

/**
 * Whether anyone has the database open, asked of SQLite itself: in WAL mode
 * every open connection holds a shared lock (the wal-index), so an exclusive
 * lock with no waiting succeeds only when nobody else has the file open: the
 * app, the preview, another CLI command, in any process. The OS drops a dead
 * process's locks, so there is no stale lock file to clean up after a crash.
 *
 * On success the file is folded into one self-contained file (checkpoint,
 * rollback journal) and closed, ready to be moved aside. Returns false when
 * there is no database.
 */
export function takeOverDatabase(file: string, options: BindingOptions = {}): boolean {
  if (!existsSync(file)) return false
  const db = openFile(file, options)
  try {
    lockExclusively(db, file)
    // Still held (exclusive locking mode): fold the WAL in and leave no -wal or -shm beside the file.
    db.pragma('journal_mode = DELETE')
    return true
  } finally {
    db.close()
  }
}

/** The same test, changing nothing: throws DatabaseInUseError while anyone else has the file open. */
export function assertDatabaseNotInUse(file: string, options: BindingOptions = {}): void {
  if (!existsSync(file)) return
  const db = openFile(file, options)
  try {
    lockExclusively(db, file)
  } finally {
    db.close()
  }
}

function lockExclusively(db: SqliteDatabase, file: string): void {
  db.pragma('busy_timeout = 0')
  // Set before the first read, so this connection never shares the wal-index: it needs the file to itself.
  db.pragma('locking_mode = EXCLUSIVE')
  try {
    db.exec('BEGIN EXCLUSIVE')
    db.exec('COMMIT')
  } catch (error) {
    if ((error as { code?: string }).code === 'SQLITE_BUSY') throw new DatabaseInUseError(file)
    throw error
  }
}
