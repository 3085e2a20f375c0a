import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { actor, createCoreFixture, type CoreFixture } from '../support/core-fixture'

/** S22: the HMAC chain with its stored head and count catches every kind of tampering. */
describe('audit log chain (S22)', () => {
  let f: CoreFixture
  beforeEach(() => {
    f = createCoreFixture()
    for (let i = 0; i < 5; i++)
      f.audit.append({ actor, event: `test.${i}`, accountId: null, detail: { i } }, f.clock.now() + i)
    expect(f.audit.verify()).toEqual({ ok: true, rows: 5, problem: null })
    // A tamperer with the file can drop the append-only triggers; the chain must still tell.
    f.db.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;')
  })
  afterEach(() => f.close())

  it('detects an edited row', () => {
    f.db.prepare("UPDATE audit_log SET actor = 'cli:someone-else' WHERE id = 3").run()
    expect(f.audit.verify()).toMatchObject({ ok: false, problem: 'row 3 does not match the chain' })
  })

  it('detects a deleted row in the middle', () => {
    f.db.prepare('DELETE FROM audit_log WHERE id = 2').run()
    expect(f.audit.verify().ok).toBe(false)
  })

  it('detects an inserted row', () => {
    f.db
      .prepare(
        "INSERT INTO audit_log (id, at, actor, event, account_id, detail, mac) SELECT 6, at, actor, 'forged', NULL, '{}', mac FROM audit_log WHERE id = 5",
      )
      .run()
    expect(f.audit.verify().ok).toBe(false)
  })

  it('detects a cut tail, even though the rows left form a valid chain', () => {
    f.db.prepare('DELETE FROM audit_log WHERE id >= 4').run()
    expect(f.audit.verify()).toMatchObject({ ok: false, problem: 'expected 5 rows, found 3' })
  })

  it('detects a cut tail with the count rewritten too, through the head', () => {
    f.db.prepare('DELETE FROM audit_log WHERE id = 5').run()
    f.db.prepare("UPDATE settings SET value = '4' WHERE key = 'audit.count'").run()
    expect(f.audit.verify()).toMatchObject({ ok: false, problem: 'the newest row is not the recorded head' })
  })

  it('lists newest first, per account when asked', () => {
    expect(f.audit.list({ limit: 2 }).map((e) => e.event)).toEqual(['test.4', 'test.3'])
    expect(f.audit.list({ accountId: 99, limit: 10 })).toEqual([])
  })
})
