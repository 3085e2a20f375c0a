import type Database from 'better-sqlite3'
import { createHmac, randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { migrations } from '../../../db/migrations'
import { migrate } from '../../../db/migrator'
import { openDatabase } from '../../../electron/main/adapters/sqlite/open-database'
import { createSqliteAccountRepo } from '../../../electron/main/adapters/sqlite/sqlite-account-repo'
import { createSqliteAuditLog } from '../../../electron/main/adapters/sqlite/sqlite-audit-log'
import { createSqliteSettings } from '../../../electron/main/adapters/sqlite/sqlite-settings'

/**
 * S29: the ids_never_reused migration rebuilds accounts and mfa_methods with AUTOINCREMENT and names the accounts of
 * old audit rows. Run on a populated file of the schema before it: nothing that hangs off an account may be lost.
 */
const version = migrations.findIndex((m) => m.name === 'ids_never_reused') + 1
const upTo = (n: number) => migrations.slice(0, n)

let dir: string
let db: Database.Database
const key = new Uint8Array(randomBytes(32))
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'keyhold-migrate-ids-'))
  db = openDatabase(join(dir, 'keyhold.db'))
})
afterEach(() => {
  db.close()
  rmSync(dir, { recursive: true, force: true })
})

/** Audit rows as Keyhold wrote them before that migration: MAC body version 1, no username. */
function writeVersion1Audit(rows: { event: string; accountId: number | null; detail?: object }[]): void {
  let previous = 'keyhold-audit-genesis'
  rows.forEach((row, index) => {
    const fields = [index + 1, 1000 + index, 'cli:root', row.event, row.accountId, JSON.stringify(row.detail ?? {})]
    const mac = createHmac('sha256', key).update(previous).update('\n').update(JSON.stringify(fields)).digest('hex')
    db.prepare(
      'INSERT INTO audit_log (id, at, actor, event, account_id, detail, mac) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run(...fields, mac)
    previous = mac
  })
  db.prepare("INSERT INTO settings (key, value) VALUES ('audit.head', ?), ('audit.count', ?)").run(
    previous,
    String(rows.length),
  )
}

function populateBefore(): void {
  migrate(db, upTo(version - 1))
  const account = db.prepare(
    `INSERT INTO accounts (id, username, username_key, display_name, email, role, password_hash, password_changed_at, created_at, updated_at, password_short)
     VALUES (?, ?, ?, ?, ?, ?, 'h', 1, 1, 1, ?)`,
  )
  account.run(1, 'root', 'root', 'Root Admin', null, 'admin', 0)
  account.run(2, 'Bob', 'bob', 'Bob Smith', 'bob@example.org', 'user', 1)
  account.run(3, 'carol', 'carol', 'Carol Jones', null, 'user', 0)
  db.exec(`
    INSERT INTO mfa_methods (id, account_id, type, label, secret_enc, algorithm, digits, period, preferred, created_at)
      VALUES (7, 2, 'totp', 'Phone', 'enc', 'sha1', 6, 30, 1, 5);
    INSERT INTO mfa_methods (id, account_id, type, label, destination, preferred, created_at)
      VALUES (8, 2, 'email', 'Mail', 'bob@example.org', 0, 6);
    INSERT INTO sessions (id, account_id, state, created_at, last_seen_at) VALUES ('s-bob', 2, 'active', 1, 2);
    INSERT INTO recovery_codes (account_id, batch, code_hash, active, created_at) VALUES (2, 'b1', 'rh1', 1, 3), (2, 'b1', 'rh2', 1, 3);
    INSERT INTO otp_codes (account_id, purpose, subject, destination, code_hash, created_at, expires_at)
      VALUES (2, 'sign-in', 's-bob:8', 'bob@example.org', 'oh', 4, 9);
    INSERT INTO mfa_enrollments (id, account_id, type, label, created_at, expires_at) VALUES ('e1', 3, 'totp', 'New', 1, 2);
    INSERT INTO setup_codes (account_id, code_hash, created_at, expires_at) VALUES (3, 'sh', 1, 2);
  `)
  // Id 2 belonged to olga before Bob; id 4 to dave, deleted: only the audit log remembers them.
  writeVersion1Audit([
    { event: 'account.created', accountId: 2 }, // 1 olga
    { event: 'account.deleted', accountId: 2, detail: { username: 'olga' } }, // 2 olga
    { event: 'account.created', accountId: 2 }, // 3 Bob
    { event: 'account.created', accountId: 4 }, // 4 dave
    { event: 'mfa.enabled', accountId: 2, detail: { methodId: 9 } }, // 5 Bob, a method id above any left
    { event: 'account.deleted', accountId: 4, detail: { username: 'dave' } }, // 6 dave
    { event: 'policy.changed', accountId: null }, // 7
    { event: 'sign-in.succeeded', accountId: 2 }, // 8 Bob
  ])
}

const dump = (sql: string) => db.prepare(sql).all()

describe('the ids_never_reused migration on a populated file (S29)', () => {
  it('keeps every method, session, code, enrollment and setup code; rebuilds search; ids never come back', () => {
    populateBefore()
    const children = [
      'SELECT * FROM mfa_methods ORDER BY id',
      'SELECT * FROM sessions ORDER BY id',
      'SELECT * FROM recovery_codes ORDER BY id',
      'SELECT * FROM otp_codes ORDER BY id',
      'SELECT * FROM mfa_enrollments ORDER BY id',
      'SELECT * FROM setup_codes ORDER BY account_id',
      'SELECT * FROM accounts ORDER BY id',
    ]
    const before = children.map(dump)
    const auditBefore = dump('SELECT id, at, actor, event, account_id, detail, mac FROM audit_log ORDER BY id')

    migrate(db, upTo(version))

    expect(children.map(dump)).toEqual(before)
    expect(before[0]).toHaveLength(2)
    expect(before[2]).toHaveLength(2)
    // The old rows are not rewritten.
    expect(dump('SELECT id, at, actor, event, account_id, detail, mac FROM audit_log ORDER BY id')).toEqual(auditBefore)
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
    expect(db.pragma('foreign_key_check')).toEqual([])
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1)
    expect(
      dump("SELECT name FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = 'accounts' ORDER BY name"),
    ).toEqual([{ name: 'accounts_fts_delete' }, { name: 'accounts_fts_insert' }, { name: 'accounts_fts_update' }])

    // Search finds existing accounts and follows new ones, updates and deletions through the triggers
    // (through the later migrations too: the repository writes their columns).
    migrate(db, migrations)
    const repo = createSqliteAccountRepo(db)
    const search = (text: string) => repo.list({ search: text, limit: 10, offset: 0 }).accounts.map((a) => a.username)
    expect(search('smi')).toEqual(['Bob'])
    const newAccount = (username: string, displayName: string) =>
      repo.insert({
        username,
        displayName,
        email: null,
        phone: null,
        role: 'user',
        passwordHash: 'h',
        passwordShort: false,
        now: 10,
      })
    const erin = newAccount('erin', 'Erin Smithers')
    expect(search('smi')).toEqual(['Bob', 'erin'])
    repo.update(erin.id, { displayName: 'Erin Other' }, 11)
    expect(search('smi')).toEqual(['Bob'])
    expect(search('othe')).toEqual(['erin'])

    // Id 4 was dave's (known only from the audit log): the next account gets 5, and a deleted
    // top id is not handed out again.
    expect(erin.id).toBe(5)
    repo.delete(erin.id)
    expect(search('othe')).toEqual([])
    expect(newAccount('fay', 'Fay').id).toBe(6)
    // Method 9 was named in the audit log: the next method is 10.
    db.prepare(
      "INSERT INTO mfa_methods (account_id, type, label, destination, created_at) VALUES (3, 'email', 'm', 'c@example.org', 1)",
    ).run()
    expect(db.prepare('SELECT max(id) FROM mfa_methods').pluck().get()).toBe(10)
    // Cascades still work against the rebuilt accounts table.
    repo.delete(2)
    expect(db.prepare('SELECT count(*) FROM mfa_methods WHERE account_id = 2').pluck().get()).toBe(0)
    expect(db.prepare("SELECT count(*) FROM sessions WHERE id = 's-bob'").pluck().get()).toBe(0)
  })

  it('verifies the chain of a file still at the schema before it (restore checks such a backup)', () => {
    populateBefore()
    const audit = createSqliteAuditLog(db, createSqliteSettings(db), key)
    expect(audit.verify()).toEqual({ ok: true, rows: 8, problem: null })
    db.exec('DROP TRIGGER audit_log_no_update')
    db.prepare("UPDATE audit_log SET actor = 'cli:someone' WHERE id = 3").run()
    expect(audit.verify()).toMatchObject({ ok: false, problem: 'row 3 does not match the chain' })
  })

  it('names the account of every old audit row, verifies old and new rows in one chain, and filters by name', () => {
    populateBefore()
    migrate(db, upTo(version))
    const audit = createSqliteAuditLog(db, createSqliteSettings(db), key)
    expect(audit.verify()).toEqual({ ok: true, rows: 8, problem: null })

    // A new row is version 2 and carries the username; the chain verifies across versions.
    audit.append({ actor: 'cli:root', event: 'account.unlocked', accountId: 2 }, 2000)
    audit.append({ actor: 'cli:root', event: 'account.deleted', accountId: 3, username: 'carol' }, 2001)
    expect(dump('SELECT id, mac_version, username FROM audit_log WHERE id > 8')).toEqual([
      { id: 9, mac_version: 2, username: 'Bob' },
      { id: 10, mac_version: 2, username: 'carol' },
    ])
    expect(audit.verify()).toEqual({ ok: true, rows: 10, problem: null })

    const byName = (name: string) =>
      audit.list({ usernameKey: name, limit: 100 }).map((r) => [r.id, r.accountId, r.username])
    expect(byName('olga')).toEqual([
      [2, 2, 'olga'],
      [1, 2, 'olga'],
    ])
    expect(byName('bob')).toEqual([
      [9, 2, 'Bob'],
      [8, 2, 'Bob'],
      [5, 2, 'Bob'],
      [3, 2, 'Bob'],
    ])
    expect(byName('dave')).toEqual([
      [6, 4, 'dave'],
      [4, 4, 'dave'],
    ])
    expect(byName('carol')).toEqual([[10, 3, 'carol']])
    expect(audit.knowsUsernameKey('olga')).toBe(true)
    expect(audit.knowsUsernameKey('nobody')).toBe(false)
    // Unfiltered, every row names its own account.
    expect(audit.list({ limit: 100 }).map((r) => r.username)).toEqual([
      'carol',
      'Bob',
      'Bob',
      null,
      'dave',
      'Bob',
      'dave',
      'Bob',
      'olga',
      'olga',
    ])
  })
})
