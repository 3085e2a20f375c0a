import { createHmac } from 'node:crypto'
import type { AuditEntry, AuditLog } from '../../services/ports'
import type { SqliteDatabase } from './open-database'
import type { SettingsStore } from './sqlite-settings'

/**
 * S22: an append-only log whose rows form an HMAC chain: each row's mac covers
 * its content and the previous row's mac. The newest mac (head) and the row
 * count live in settings, so a deleted tail is detected as well as an edited,
 * inserted or deleted row. Triggers refuse UPDATE and DELETE on the table.
 */
const headKey = 'audit.head'
const countKey = 'audit.count'
const genesis = 'keyhold-audit-genesis'

interface AuditRow {
  id: number
  at: number
  actor: string
  event: string
  account_id: number | null
  detail: string
  mac: string
}

function macOf(key: Uint8Array, previous: string, row: Omit<AuditRow, 'mac'>): string {
  // A JSON array is an unambiguous encoding of the fields.
  const body = JSON.stringify([row.id, row.at, row.actor, row.event, row.account_id, row.detail])
  return createHmac('sha256', key).update(previous).update('\n').update(body).digest('hex')
}

export interface AuditVerification {
  readonly ok: boolean
  readonly rows: number
  /** The first row whose mac does not match, or a description of what is wrong. */
  readonly problem: string | null
}

export interface AuditRecord {
  readonly id: number
  readonly at: number
  readonly actor: string
  readonly event: string
  readonly accountId: number | null
  readonly detail: Record<string, unknown>
}

export interface AuditQuery {
  readonly accountId?: number | undefined
  /** Part of the event name, any case. */
  readonly event?: string | undefined
  /** Epoch ms: at or after `from`, before `until`. */
  readonly from?: number | undefined
  readonly until?: number | undefined
  readonly limit: number
}

export interface SqliteAuditLog extends AuditLog {
  verify(): AuditVerification
  /** Newest first. */
  list(query: AuditQuery): AuditRecord[]
}

export function createSqliteAuditLog(db: SqliteDatabase, settings: SettingsStore, key: Uint8Array): SqliteAuditLog {
  const insert = db.prepare(
    'INSERT INTO audit_log (id, at, actor, event, account_id, detail, mac) VALUES (@id, @at, @actor, @event, @account_id, @detail, @mac)',
  )
  const lastId = db.prepare<[], { id: number | null }>('SELECT max(id) AS id FROM audit_log')
  const all = db.prepare<[], AuditRow>('SELECT * FROM audit_log ORDER BY id')
  // One statement for every filter: a NULL parameter switches its condition off. The account filter
  // uses audit_log_account; the others scan newest first and stop at the limit.
  const newest = db.prepare<
    { account: number | null; event: string | null; from: number | null; until: number | null; limit: number },
    AuditRow
  >(
    `SELECT * FROM audit_log
      WHERE (@account IS NULL OR account_id = @account)
        AND (@event IS NULL OR instr(lower(event), @event) > 0)
        AND (@from IS NULL OR at >= @from)
        AND (@until IS NULL OR at < @until)
      ORDER BY id DESC LIMIT @limit`,
  )
  const toRecord = (row: AuditRow): AuditRecord => ({
    id: row.id,
    at: row.at,
    actor: row.actor,
    event: row.event,
    accountId: row.account_id,
    detail: JSON.parse(row.detail) as Record<string, unknown>,
  })

  return {
    append(entry: AuditEntry, now: number) {
      // Runs inside the caller's transaction (the audited change and its row land together);
      // when called alone, wrap it so the head, count and row stay in step.
      const write = () => {
        const previous = settings.get(headKey) ?? genesis
        const count = Number(settings.get(countKey) ?? '0')
        const row = {
          id: (lastId.get()?.id ?? 0) + 1,
          at: now,
          actor: entry.actor,
          event: entry.event,
          account_id: entry.accountId,
          detail: JSON.stringify(entry.detail ?? {}),
        }
        const mac = macOf(key, previous, row)
        insert.run({ ...row, mac })
        settings.set(headKey, mac)
        settings.set(countKey, String(count + 1))
      }
      if (db.inTransaction) write()
      else db.transaction(write).immediate()
    },
    list: (query) =>
      newest
        .all({
          account: query.accountId ?? null,
          event: query.event?.toLowerCase() ?? null,
          from: query.from ?? null,
          until: query.until ?? null,
          limit: query.limit,
        })
        .map(toRecord),
    verify() {
      let previous = genesis
      let rows = 0
      for (const row of all.iterate()) {
        rows += 1
        if (macOf(key, previous, row) !== row.mac) {
          return { ok: false, rows, problem: `row ${row.id} does not match the chain` }
        }
        previous = row.mac
      }
      const head = settings.get(headKey) ?? genesis
      const count = Number(settings.get(countKey) ?? '0')
      if (count !== rows) return { ok: false, rows, problem: `expected ${count} rows, found ${rows}` }
      if (head !== previous) return { ok: false, rows, problem: 'the newest row is not the recorded head' }
      return { ok: true, rows, problem: null }
    },
  }
}
