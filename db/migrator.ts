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
}

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
  const run = db.transaction((): MigrationReport => {
    // Read the version inside the transaction: two processes opening one file
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
    return { from, to: Math.max(from, latest), applied: pending.map((m) => m.version) }
  })
  return run.immediate()
}
