import Database from 'better-sqlite3'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { migrations, parseMigrationFiles } from '../../../db/migrations'
import { DatabaseTooNewError, MigrationFailedError, migrate, schemaVersion, type Migration } from '../../../db/migrator'
import { BadMethodRowError } from '../../../electron/main/adapters/sqlite/method-fields-row'
import { openDatabase } from '../../../electron/main/adapters/sqlite/open-database'
import { createSqliteEnrollmentRepo } from '../../../electron/main/adapters/sqlite/sqlite-enrollment-repo'
import { createSqliteMethodRepo } from '../../../electron/main/adapters/sqlite/sqlite-method-repo'
import type { NewMethod } from '../../../electron/main/services/mfa-ports'

let dir: string
let db: Database.Database
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'keyhold-migrate-'))
  db = openDatabase(join(dir, 'keyhold.db'))
})
afterEach(() => {
  db.close()
  rmSync(dir, { recursive: true, force: true })
})

const tables = () =>
  (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map(
    (t) => t.name,
  )

describe('migrations', () => {
  it('S21: opens with WAL, synchronous=FULL, foreign keys and a busy timeout', () => {
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(db.pragma('synchronous', { simple: true })).toBe(2) // FULL
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1)
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000)
  })

  it('takes a fresh database to the latest version with STRICT tables', () => {
    const report = migrate(db, migrations)
    expect(report).toEqual({ from: 0, to: migrations.length, applied: migrations.map((m) => m.version) })
    expect(schemaVersion(db)).toBe(migrations.length)
    expect(tables()).toEqual(expect.arrayContaining(['accounts', 'audit_log', 'sessions', 'settings']))
    const strict = db
      .prepare(
        "SELECT name, strict FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite_%'",
      )
      .all() as {
      name: string
      strict: number
    }[]
    expect(strict.every((t) => t.strict === 1)).toBe(true)
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
  })

  it('does nothing when run again', () => {
    migrate(db, migrations)
    const before = db.prepare('SELECT sql FROM sqlite_schema ORDER BY name').all()
    expect(migrate(db, migrations)).toEqual({ from: migrations.length, to: migrations.length, applied: [] })
    expect(db.prepare('SELECT sql FROM sqlite_schema ORDER BY name').all()).toEqual(before)
  })

  it('refuses a database from a newer Keyhold and leaves it untouched', () => {
    migrate(db, migrations)
    db.pragma(`user_version = ${migrations.length + 1}`)
    expect(() => migrate(db, migrations)).toThrow(DatabaseTooNewError)
    expect(schemaVersion(db)).toBe(migrations.length + 1)
  })

  it('rolls back every pending migration when one fails', () => {
    const broken: Migration[] = [
      ...migrations,
      { version: migrations.length + 1, name: 'good', sql: 'CREATE TABLE extra (id INTEGER PRIMARY KEY) STRICT;' },
      { version: migrations.length + 2, name: 'broken', sql: 'CREATE TABLE nope (;' },
    ]
    expect(() => migrate(db, broken)).toThrow(MigrationFailedError)
    expect(schemaVersion(db)).toBe(0)
    expect(tables()).toEqual([])
  })

  it('refuses a list with gaps and names files strictly', () => {
    expect(() => migrate(db, [{ version: 2, name: 'x', sql: '' }])).toThrow(/without gaps/)
    expect(() => parseMigrationFiles({ './migrations/init.sql': '' })).toThrow(/0001_name\.sql/)
    expect(parseMigrationFiles({ './migrations/0002_b.sql': 'B', './migrations/0001_a.sql': 'A' })).toEqual([
      { version: 1, name: 'a', sql: 'A' },
      { version: 2, name: 'b', sql: 'B' },
    ])
  })

  it('S22: the audit table refuses UPDATE and DELETE', () => {
    migrate(db, migrations)
    db.prepare("INSERT INTO audit_log (at, actor, event, mac) VALUES (1, 'system', 'x', 'm')").run()
    expect(() => db.prepare("UPDATE audit_log SET event = 'y'").run()).toThrow(/append-only/)
    expect(() => db.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/)
  })
})

describe('migrations that move data', () => {
  const upTo = (n: number) => migrations.slice(0, n)

  it('0003 keeps every session when it rebuilds the sessions table', () => {
    migrate(db, upTo(2))
    db.prepare(
      "INSERT INTO accounts (id, username, username_key, display_name, role, password_hash, password_changed_at, created_at, updated_at) VALUES (1, 'a', 'a', 'A', 'user', 'h', 1, 1, 1)",
    ).run()
    db.prepare(
      "INSERT INTO sessions (id, account_id, state, created_at, last_seen_at, step_up_at, factor_failures) VALUES ('s1', 1, 'pending_mfa', 5, 6, 7, 2)",
    ).run()
    migrate(db, upTo(3))
    expect(db.prepare('SELECT * FROM sessions').all()).toEqual([
      {
        id: 's1',
        account_id: 1,
        state: 'pending_mfa',
        created_at: 5,
        last_seen_at: 6,
        step_up_at: 7,
        ended_at: null,
        factor_failures: 2,
      },
    ])
    db.prepare("UPDATE sessions SET state = 'enrollment_required'").run()
    expect(db.pragma('foreign_key_check')).toEqual([])
  })

  it('0004 indexes the accounts that already exist for search', () => {
    migrate(db, upTo(3))
    db.prepare(
      "INSERT INTO accounts (id, username, username_key, display_name, email, role, password_hash, password_changed_at, created_at, updated_at) VALUES (1, 'alice', 'alice', 'Alice Smith', 'alice@example.org', 'user', 'h', 1, 1, 1)",
    ).run()
    migrate(db, upTo(4))
    expect(db.prepare('SELECT rowid FROM accounts_fts WHERE accounts_fts MATCH \'"smi"*\'').all()).toEqual([
      { rowid: 1 },
    ])
  })

  it('0005 keeps every method and enrollment when it drops the type list, and the repositories refuse an unknown type', () => {
    migrate(db, upTo(4))
    db.prepare(
      "INSERT INTO accounts (id, username, username_key, display_name, role, password_hash, password_changed_at, created_at, updated_at) VALUES (1, 'a', 'a', 'A', 'user', 'h', 1, 1, 1)",
    ).run()
    const methodRows = [
      {
        id: 7,
        account_id: 1,
        type: 'totp',
        label: 'Phone',
        destination: null,
        secret_enc: 'sealed',
        algorithm: 'sha256',
        digits: 8,
        period: 30,
        last_used_step: 1234,
        preferred: 1,
        created_at: 10,
        last_used_at: 20,
      },
      {
        id: 8,
        account_id: 1,
        type: 'sms',
        label: 'Mobile',
        destination: '+447700900123',
        secret_enc: null,
        algorithm: null,
        digits: null,
        period: null,
        last_used_step: null,
        preferred: 0,
        created_at: 11,
        last_used_at: null,
      },
    ]
    const enrollmentRow = {
      id: 'e1',
      account_id: 1,
      type: 'email',
      label: 'Work',
      destination: 'a@example.org',
      secret_enc: null,
      algorithm: null,
      digits: null,
      period: null,
      last_used_step: null,
      verified_at: 30,
      recovery_batch: 'b1',
      created_at: 25,
      expires_at: 99,
      failed_attempts: 3,
    }
    const insertAll = (table: string, row: Record<string, unknown>) =>
      db
        .prepare(
          `INSERT INTO ${table} (${Object.keys(row).join(', ')}) VALUES (${Object.keys(row)
            .map((k) => `@${k}`)
            .join(', ')})`,
        )
        .run(row)
    for (const row of methodRows) insertAll('mfa_methods', row)
    insertAll('mfa_enrollments', enrollmentRow)
    // Before: the schema itself lists the types.
    expect(() => insertAll('mfa_methods', { ...methodRows[1]!, id: 9, preferred: 0, type: 'fax' })).toThrow(/CHECK/)

    migrate(db, upTo(5))
    expect(db.prepare('SELECT * FROM mfa_methods ORDER BY id').all()).toEqual(methodRows)
    expect(db.prepare('SELECT * FROM mfa_enrollments').all()).toEqual([enrollmentRow])
    expect(db.pragma('foreign_key_check')).toEqual([])
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
    // The indexes came back: still one preferred method per account.
    expect(() => db.prepare('UPDATE mfa_methods SET preferred = 1 WHERE id = 8').run()).toThrow(/UNIQUE/)
    // A method holds a secret or a destination, never both, whatever its type.
    expect(() => db.prepare("UPDATE mfa_methods SET destination = 'x@example.org' WHERE id = 7").run()).toThrow(/CHECK/)
    const methods = createSqliteMethodRepo(db)
    expect(methods.listActive(1).map((m) => [m.id, m.type])).toEqual([
      [7, 'totp'],
      [8, 'sms'],
    ])
    expect(createSqliteEnrollmentRepo(db).find(1, 'e1')).toMatchObject({ type: 'email', destination: 'a@example.org' })

    // After: the type list is the code's. An unknown type is refused on the way in…
    const forged = { ...methods.listActive(1)[1]!, type: 'fax', preferred: false } as unknown as NewMethod
    expect(() => methods.insert(forged)).toThrow(BadMethodRowError)
    expect(methods.countActive(1)).toBe(2)
    // …and a row that got in some other way is never handed on as a method.
    insertAll('mfa_methods', { ...methodRows[1]!, id: 9, preferred: 0, type: 'fax' })
    expect(() => methods.listActive(1)).toThrow(/unknown type "fax"/)
    expect(() => methods.typesFor([1])).toThrow(BadMethodRowError)
    expect(() => methods.typesByAccount()).toThrow(BadMethodRowError)
    // A known type with the wrong columns for it is refused too.
    db.prepare("UPDATE mfa_methods SET type = 'totp' WHERE id = 9").run()
    expect(() => methods.find(1, 9)).toThrow(BadMethodRowError)

    // The accounts they belong to still delete them.
    db.prepare('DELETE FROM accounts WHERE id = 1').run()
    expect(db.prepare('SELECT count(*) AS n FROM mfa_methods').get()).toEqual({ n: 0 })
    expect(db.prepare('SELECT count(*) AS n FROM mfa_enrollments').get()).toEqual({ n: 0 })
  })
})
