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

  it('S29: detects a changed username, or a changed name key that would hide a row from a name filter', () => {
    f.audit.append({ actor, event: 'test.named', accountId: 42, username: 'bob' }, f.clock.now() + 10)
    expect(f.audit.verify()).toMatchObject({ ok: true, rows: 6 })
    f.db.prepare("UPDATE audit_log SET username_key = 'alice' WHERE id = 6").run()
    expect(f.audit.verify()).toMatchObject({ ok: false, problem: 'row 6 does not match the chain' })
    f.db.prepare("UPDATE audit_log SET username_key = 'alice', username = 'alice' WHERE id = 6").run()
    expect(f.audit.verify()).toMatchObject({ ok: false, problem: 'row 6 does not match the chain' })
  })

  it('S29: refuses a version-1 row after version-2 rows (the old body is only for rows written before)', () => {
    f.db.prepare('UPDATE audit_log SET mac_version = 1 WHERE id = 5').run()
    expect(f.audit.verify()).toMatchObject({ ok: false, problem: expect.stringMatching(/^row 5 /) })
  })

  it('lists newest first, per account when asked', () => {
    expect(f.audit.list({ limit: 2 }).map((e) => e.event)).toEqual(['test.4', 'test.3'])
    expect(f.audit.list({ accountId: 99, limit: 10 })).toEqual([])
  })
})

/** The audit viewer's and `audit list`'s filters run in the database, so old entries are found past the newest 1,000. */
describe('audit log filters', () => {
  let f: CoreFixture
  const minute = 60_000
  beforeEach(() => {
    f = createCoreFixture()
    const start = f.clock.now()
    // 1,200 routine rows, with two rare events among the oldest.
    f.audit.append({ actor, event: 'recovery-code.used', accountId: 7, detail: { remaining: 9 } }, start)
    f.audit.append({ actor, event: 'policy.changed', accountId: null, detail: {} }, start + minute)
    for (let i = 0; i < 1200; i++)
      f.audit.append({ actor, event: 'sign-in.succeeded', accountId: 8, detail: {} }, start + 2 * minute + i)
  })
  afterEach(() => f.close())

  it('finds an event by part of its name, any case, beyond the newest 1,000 rows', () => {
    expect(f.audit.list({ event: 'RECOVERY', limit: 1000 }).map((e) => e.event)).toEqual(['recovery-code.used'])
    expect(f.audit.list({ event: 'nothing-like-this', limit: 1000 })).toEqual([])
  })

  it('limits by time: from is inclusive, until exclusive; combines with the account', () => {
    const start = f.clock.now()
    expect(f.audit.list({ from: start, until: start + minute, limit: 10 }).map((e) => e.event)).toEqual([
      'recovery-code.used',
    ])
    expect(f.audit.list({ from: start + minute, until: start + 2 * minute, limit: 10 }).map((e) => e.event)).toEqual([
      'policy.changed',
    ])
    expect(f.audit.list({ accountId: 8, until: start + 2 * minute, limit: 10 })).toEqual([])
    expect(f.audit.list({ accountId: 8, from: start + 2 * minute + 1198, limit: 10 })).toHaveLength(2)
  })

  it('the service takes ISO times and names the account', () => {
    const start = f.clock.now()
    const entries = f.services.audit.list({
      event: 'policy',
      from: new Date(start).toISOString(),
      until: new Date(start + 2 * minute).toISOString(),
      limit: 5,
    })
    expect(entries.map((e) => e.event)).toEqual(['policy.changed'])
  })
})
