import type Database from 'better-sqlite3'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { migrations } from '../../../db/migrations'
import { migrate } from '../../../db/migrator'
import { BadMethodRowError } from '../../../electron/main/adapters/sqlite/method-fields-row'
import { openDatabase } from '../../../electron/main/adapters/sqlite/open-database'
import { createSqliteEnrollmentRepo } from '../../../electron/main/adapters/sqlite/sqlite-enrollment-repo'
import { createSqliteMethodRepo } from '../../../electron/main/adapters/sqlite/sqlite-method-repo'
import type { NewMethod } from '../../../electron/main/services/mfa-ports'

/**
 * Issue 12: the method_types migration drops the CHECK that listed the method types
 * (the type table in electron/shared is the one list). Run on a populated file of
 * the schema before it: every method and pending enrollment moves as it was, the id
 * sequence goes on past every id used, and an unknown type is still refused — by
 * the repositories, in both directions.
 */
const version = migrations.findIndex((m) => m.name === 'method_types') + 1
const upTo = (n: number) => migrations.slice(0, n)

let dir: string
let db: Database.Database
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'keyhold-migrate-types-'))
  db = openDatabase(join(dir, 'keyhold.db'))
})
afterEach(() => {
  db.close()
  rmSync(dir, { recursive: true, force: true })
})

it('keeps every method and enrollment when it drops the type list, and the repositories refuse an unknown type', () => {
  migrate(db, upTo(version - 1))
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

  migrate(db, upTo(version))
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

it('keeps the method id sequence past every id used, deleted methods included (S29)', () => {
  migrate(db, upTo(version - 1))
  db.prepare(
    "INSERT INTO accounts (id, username, username_key, display_name, role, password_hash, password_changed_at, created_at, updated_at) VALUES (1, 'a', 'a', 'A', 'user', 'h', 1, 1, 1)",
  ).run()
  const add = db.prepare(
    "INSERT INTO mfa_methods (account_id, type, label, destination, preferred, created_at) VALUES (1, 'email', 'E', ?, 0, 1)",
  )
  add.run('a@example.org')
  const gone = Number(add.run('b@example.org').lastInsertRowid)
  db.prepare('DELETE FROM mfa_methods WHERE id = ?').run(gone)
  migrate(db, upTo(version))
  expect(Number(add.run('c@example.org').lastInsertRowid)).toBe(gone + 1)
  expect(db.prepare("SELECT name FROM sqlite_sequence WHERE name LIKE 'mfa_methods%'").all()).toEqual([
    { name: 'mfa_methods' },
  ])
})
