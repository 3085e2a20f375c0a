import Database from 'better-sqlite3'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { migrations, parseMigrationFiles } from '../../../db/migrations'
import {
  DatabaseTooNewError,
  ForeignKeyCheckError,
  MigrationFailedError,
  migrate,
  schemaVersion,
  type Migration,
} from '../../../db/migrator'
import { openDatabase } from '../../../electron/main/adapters/sqlite/open-database'
import { createSqliteAccountRepo } from '../../../electron/main/adapters/sqlite/sqlite-account-repo'
import { usernameSkeleton } from '../../../electron/main/domain/username-look-alike'

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

  it('opens a current database without the write lock, while another connection holds it (issue 15)', () => {
    migrate(db, migrations)
    const writer = openDatabase(join(dir, 'keyhold.db'))
    const reader = openDatabase(join(dir, 'keyhold.db'))
    try {
      writer.exec('BEGIN IMMEDIATE')
      // No waiting: a lock request would fail at once instead of after the 5 s busy timeout.
      reader.pragma('busy_timeout = 0')
      expect(migrate(reader, migrations)).toEqual({ from: migrations.length, to: migrations.length, applied: [] })
    } finally {
      writer.exec('ROLLBACK')
      writer.close()
      reader.close()
    }
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
      { version: 1, name: 'a', sql: 'A', foreignKeysOff: false },
      { version: 2, name: 'b', sql: 'B', foreignKeysOff: false },
    ])
    expect(parseMigrationFiles({ './migrations/0001_a.sql': '-- x\n-- keyhold:foreign-keys-off\nA' })[0]).toMatchObject(
      {
        foreignKeysOff: true,
      },
    )
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

  it('S30: username_skeletons fills the skeleton of existing accounts; a look-alike pair is kept and reported', () => {
    const at = migrations.findIndex((m) => m.name === 'username_skeletons') + 1
    migrate(db, upTo(at - 1))
    const insert = db.prepare(
      "INSERT INTO accounts (username, username_key, display_name, role, password_hash, password_changed_at, created_at, updated_at) VALUES (?, ?, ?, 'user', 'h', 1, 1, 1)",
    )
    // Written before the check: Latin "copa" and Cyrillic "сора".
    insert.run('copa', 'copa', 'Latin')
    insert.run('\u0441\u043e\u0440\u0430', '\u0441\u043e\u0440\u0430', 'Cyrillic')
    insert.run('mary', 'mary', 'Mary')
    migrate(db, upTo(at))
    const skeletons = db.prepare('SELECT username, username_skeleton FROM accounts ORDER BY id').all()
    expect(skeletons).toEqual([
      { username: 'copa', username_skeleton: usernameSkeleton('copa') },
      { username: '\u0441\u043e\u0440\u0430', username_skeleton: usernameSkeleton('copa') },
      { username: 'mary', username_skeleton: usernameSkeleton('mary') },
    ])
    const index = db
      .prepare("SELECT * FROM pragma_index_list('accounts') WHERE name = 'accounts_username_skeleton'")
      .get()
    expect(index).toMatchObject({ unique: 0 })
    const repo = createSqliteAccountRepo(db)
    expect(repo.lookAlikePairs()).toEqual([['copa', '\u0441\u043e\u0440\u0430']])
    expect(repo.findLookAlike('rnary')?.username).toBe('mary')
    expect(repo.findLookAlike('Mary')).toBeNull()
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
})

/**
 * S29: a migration that rebuilds a referenced table runs with foreign keys off (set outside the
 * transaction, where the pragma works), is checked by PRAGMA foreign_key_check before it commits,
 * and leaves foreign keys on again.
 */
describe('foreign-keys-off migrations (S29)', () => {
  const parentChild: Migration = {
    version: 1,
    name: 'tables',
    sql: `CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT NOT NULL) STRICT;
          CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parent (id) ON DELETE CASCADE) STRICT;`,
  }
  const rebuild = (foreignKeysOff: boolean): Migration => ({
    version: 2,
    name: 'rebuild',
    foreignKeysOff,
    sql: `CREATE TABLE parent_new (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL) STRICT;
          INSERT INTO parent_new SELECT id, name FROM parent;
          DROP TABLE parent;
          ALTER TABLE parent_new RENAME TO parent;`,
  })
  const populate = () => {
    migrate(db, [parentChild])
    db.exec("INSERT INTO parent VALUES (1, 'a'), (2, 'b'); INSERT INTO child VALUES (10, 1), (11, 2), (12, 2);")
  }

  it('keeps every child row of a rebuilt parent, and turns foreign keys back on', () => {
    populate()
    migrate(db, [parentChild, rebuild(true)])
    expect(db.prepare('SELECT id, parent_id FROM child ORDER BY id').all()).toEqual([
      { id: 10, parent_id: 1 },
      { id: 11, parent_id: 2 },
      { id: 12, parent_id: 2 },
    ])
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1)
    expect(db.pragma('foreign_key_check')).toEqual([])
    // The foreign key still works against the rebuilt table.
    db.prepare('DELETE FROM parent WHERE id = 2').run()
    expect(db.prepare('SELECT count(*) FROM child').pluck().get()).toBe(1)
  })

  it('without the mode the same rebuild cascade-deletes the children (why the mode exists)', () => {
    populate()
    migrate(db, [parentChild, rebuild(false)])
    expect(db.prepare('SELECT count(*) FROM child').pluck().get()).toBe(0)
  })

  it('rolls back and restores foreign keys when the check finds an orphan', () => {
    populate()
    const orphaning: Migration = { ...rebuild(true), sql: rebuild(true).sql + 'DELETE FROM parent WHERE id = 1;' }
    expect(() => migrate(db, [parentChild, orphaning])).toThrow(ForeignKeyCheckError)
    expect(schemaVersion(db)).toBe(1)
    expect(db.prepare('SELECT count(*) FROM parent').pluck().get()).toBe(2)
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1)
  })
})
