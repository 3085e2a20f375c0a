import Database from 'better-sqlite3'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { migrations } from '../../../db/migrations'
import { migrate } from '../../../db/migrator'
import { openDatabase } from '../../../electron/main/adapters/sqlite/open-database'
import { createSqliteOtpCodeRepo } from '../../../electron/main/adapters/sqlite/sqlite-otp-code-repo'

// Found by name, so the test follows the file if it is renumbered.
const version = migrations.find((m) => m.name === 'code_send_budgets')!.version

let dir: string
let db: Database.Database
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'keyhold-budgets-'))
  db = openDatabase(join(dir, 'keyhold.db'))
})
afterEach(() => {
  db.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('the code_send_budgets migration', () => {
  it('S27: sends stored before it are counted by canonical form, against every budget of their destination', () => {
    migrate(
      db,
      migrations.filter((m) => m.version < version),
    )
    const insert = db.prepare('INSERT INTO code_sends (destination, subject, sent_at) VALUES (?, ?, ?)')
    insert.run('Victim@Example.org', 'e1', 1_000)
    insert.run(' VICTIM@example.org ', 'e2', 2_000)
    insert.run('+14155552671', 'e3', 3_000)
    migrate(db, migrations)

    expect(db.prepare('SELECT destination FROM code_sends ORDER BY id').all()).toEqual([
      { destination: 'victim@example.org' },
      { destination: 'victim@example.org' },
      { destination: '+14155552671' },
    ])
    const repo = createSqliteOtpCodeRepo(db)
    // An old row says neither who asked nor why: it counts for any account and kind, for the hour it matters.
    for (const kind of ['sign-in', 'setup'] as const) {
      for (const accountId of [1, 2]) {
        expect(repo.countSendsSince({ kind, accountId, destination: 'victim@example.org' }, 0)).toBe(2)
      }
    }
    // New rows count only against their own budget.
    repo.recordSend({ kind: 'setup', accountId: 1, destination: 'victim@example.org' }, 'e4', 4_000)
    expect(repo.countSendsSince({ kind: 'setup', accountId: 1, destination: 'victim@example.org' }, 0)).toBe(3)
    expect(repo.countSendsSince({ kind: 'setup', accountId: 2, destination: 'victim@example.org' }, 0)).toBe(2)
    expect(repo.countSendsSince({ kind: 'sign-in', accountId: 1, destination: 'victim@example.org' }, 0)).toBe(2)
    expect(repo.countSendsSince({ kind: 'sign-in', accountId: 1, destination: 'victim@example.org' }, 2_500)).toBe(0)
  })
})
