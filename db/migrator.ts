import type BetterSqlite3 from 'better-sqlite3'

/**
 * Forward-only migrations in the style of Signal Desktop: the schema version is
 * `PRAGMA user_version`; every pending migration runs inside one IMMEDIATE
 * transaction, so a failure leaves the database exactly as it was; a database
 * from a newer Keyhold is refused rather than guessed at.
 */
export interface Migration {
  readonly version: number
  readonly name: string
  readonly sql: string
  /**
   * The migration rebuilds a table that others reference (S29). Inside a transaction
   * `PRAGMA foreign_keys = OFF` does nothing, and dropping the old table with foreign keys
   * on would cascade-delete every child row; so the batch it belongs to runs with foreign
   * keys switched off around the transaction, and `PRAGMA foreign_key_check` must find
   * nothing before it commits. Declared in the file by {@link foreignKeysOffMarker}.
   */
  readonly foreignKeysOff?: boolean
}

/** A line of its own in a migration file that asks for {@link Migration.foreignKeysOff}. */
export const foreignKeysOffMarker = '-- keyhold:foreign-keys-off'

export class DatabaseTooNewError extends Error {
  constructor(
    readonly found: number,
    readonly supported: number,
  ) {
    super(`The database is at schema version ${found}, but this Keyhold supports up to ${supported}`)
    this.name = 'DatabaseTooNewError'
  }
}

export class MigrationFailedError extends Error {
  constructor(
    readonly migration: Migration,
    cause: unknown,
  ) {
    super(`Migration ${migration.version} (${migration.name}) failed: ${String(cause)}`, { cause })
    this.name = 'MigrationFailedError'
  }
}

/** Rows that point at a parent that is not there after a foreign-keys-off batch: nothing is committed. */
export class ForeignKeyCheckError extends Error {
  constructor(readonly violations: readonly { table: string; rowid: number | null; parent: string }[]) {
    const first = violations[0]
    super(
      `Migrations left ${violations.length} row(s) pointing at a missing parent` +
        (first ? ` (first: ${first.table} row ${String(first.rowid)} → ${first.parent})` : ''),
    )
    this.name = 'ForeignKeyCheckError'
  }
}

export interface MigrationReport {
  readonly from: number
  readonly to: number
  readonly applied: readonly number[]
}

export function schemaVersion(db: BetterSqlite3.Database): number {
  return db.pragma('user_version', { simple: true }) as number
}

export function checkMigrationList(migrations: readonly Migration[]): void {
  migrations.forEach((m, index) => {
    if (m.version !== index + 1) {
      throw new Error(`Migrations must be numbered 1, 2, 3… without gaps; found ${m.version} at position ${index + 1}`)
    }
  })
}

export function migrate(db: BetterSqlite3.Database, migrations: readonly Migration[]): MigrationReport {
  checkMigrationList(migrations)
  const latest = migrations.length
  // Nearly every open finds the schema current: read the version first and take the write lock only
  // when there is something to apply (a current database is opened by every CLI command, issue 15).
  // The same first look says whether foreign keys must be off: the pragma is ignored once a
  // transaction is open. The version read again inside the transaction decides.
  const seen = schemaVersion(db)
  if (seen > latest) throw new DatabaseTooNewError(seen, latest)
  if (seen === latest) return { from: seen, to: latest, applied: [] }
  const foreignKeysOff = migrations.some((m) => m.foreignKeysOff === true && m.version > seen)
  const run = db.transaction((): MigrationReport => {
    // Read the version again inside the transaction: two processes opening one file
    // at once must not both apply the same migration.
    const from = schemaVersion(db)
    if (from > latest) throw new DatabaseTooNewError(from, latest)
    const pending = migrations.filter((m) => m.version > from)
    for (const migration of pending) {
      try {
        db.exec(migration.sql)
      } catch (error) {
        throw new MigrationFailedError(migration, error)
      }
      // user_version lives in the database header and is covered by the transaction.
      db.pragma(`user_version = ${migration.version}`)
    }
    if (foreignKeysOff) {
      const violations = db.pragma('foreign_key_check') as { table: string; rowid: number | null; parent: string }[]
      if (violations.length > 0) throw new ForeignKeyCheckError(violations)
    }
    return { from, to: Math.max(from, latest), applied: pending.map((m) => m.version) }
  })
  if (!foreignKeysOff) return run.immediate()
  if (db.inTransaction) throw new Error('A migration that rebuilds tables cannot run inside an open transaction')
  const wasOn = db.pragma('foreign_keys', { simple: true }) === 1
  db.pragma('foreign_keys = OFF')
  try {
    return run.immediate()
  } finally {
    if (wasOn) db.pragma('foreign_keys = ON')
  }
}
