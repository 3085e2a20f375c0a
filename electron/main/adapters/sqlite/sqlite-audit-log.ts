import { createHmac } from 'node:crypto'
import { usernameKey } from '../../domain/username'
import type { AuditEntry, AuditLog } from '../../services/ports'
import type { SqliteDatabase } from './open-database'
import type { SettingsStore } from './sqlite-settings'

/**
 * S22: an append-only log whose rows form an HMAC chain: each row's mac covers
 * its content and the previous row's mac. The newest mac (head) and the row
 * count live in settings, so a deleted tail is detected as well as an edited,
 * inserted or deleted row. Triggers refuse UPDATE and DELETE on the table.
 *
 * S29: a row names the account it was about. Version 2 of the MAC body (every
 * row written since the ids_never_reused migration) covers the username; version-1 rows, written
 * before, keep verifying with their own body and are never rewritten, and their
 * account's name comes from audit_legacy_names (filled by that migration).
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
  mac_version: number
  username: string | null
  username_key: string | null
}

/** A row as listed: the name of its account, from the row itself or, for version 1, from the kept record. */
interface ListedRow extends AuditRow {
  name: string | null
}

type MacFields = Pick<AuditRow, 'id' | 'at' | 'actor' | 'event' | 'account_id' | 'detail' | 'mac_version' | 'username'>

function macOf(key: Uint8Array, previous: string, row: MacFields): string {
  // A JSON array is an unambiguous encoding of the fields. Version 1's array has six elements
  // and version 2's eight, led by the version: no body of one can be read as the other's.
  const body =
    row.mac_version === 1
      ? JSON.stringify([row.id, row.at, row.actor, row.event, row.account_id, row.detail])
      : JSON.stringify([2, row.id, row.at, row.actor, row.event, row.account_id, row.username, row.detail])
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
  /** The username of the account the entry was about, as it was then (S29); null if unknown. */
  readonly username: string | null
  readonly detail: Record<string, unknown>
}

export interface AuditQuery {
  readonly accountId?: number | undefined
  /**
   * Instead of accountId: entries about every account that had this username key (S29), each with its own
   * account id: a deleted account's and a later one's of the same name alike.
   */
  readonly usernameKey?: string | undefined
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
  /** Whether an account has or ever had this username key, as far as the log and the accounts tell. */
  knowsUsernameKey(key: string): boolean
}

export function createSqliteAuditLog(db: SqliteDatabase, settings: SettingsStore, key: Uint8Array): SqliteAuditLog {
  const lastId = db.prepare<[], { id: number | null }>('SELECT max(id) AS id FROM audit_log')
  // Works on every schema: restore verifies the chain of a backup made before the
  // ids_never_reused migration, whose rows have no version or username columns yet.
  const all = db.prepare<[], Partial<AuditRow> & Omit<AuditRow, 'mac_version' | 'username' | 'username_key'>>(
    'SELECT * FROM audit_log ORDER BY id',
  )
  // Writing and listing need the current schema; prepared on first use.
  let prepared: ReturnType<typeof prepare> | null = null
  const statements = () => (prepared ??= prepare())
  function prepare() {
    const insert = db.prepare(
      `INSERT INTO audit_log (id, at, actor, event, account_id, detail, mac, mac_version, username, username_key)
       VALUES (@id, @at, @actor, @event, @account_id, @detail, @mac, @mac_version, @username, @username_key)`,
    )
    const nameOfAccount = db.prepare<[number], string>('SELECT username FROM accounts WHERE id = ?').pluck()
    // One statement for every filter: a NULL parameter switches its condition off. The account filter
    // uses audit_log_account; the others scan newest first and stop at the limit.
    type Filters = { event: string | null; from: number | null; until: number | null; limit: number }
    const otherFilters = `(@event IS NULL OR instr(lower(l.event), @event) > 0)
          AND (@from IS NULL OR l.at >= @from)
          AND (@until IS NULL OR l.at < @until)`
    // A version-1 row's name: the kept record whose range holds the row.
    const listedName = `coalesce(l.username, (SELECT n.username FROM audit_legacy_names n
          WHERE n.account_id = l.account_id AND l.id BETWEEN n.first_row AND n.last_row)) AS name`
    const newest = db.prepare<Filters & { account: number | null }, ListedRow>(
      `SELECT l.*, ${listedName} FROM audit_log l
        WHERE (@account IS NULL OR l.account_id = @account) AND ${otherFilters}
        ORDER BY l.id DESC LIMIT @limit`,
    )
    // By name: version-2 rows through audit_log_username, version-1 rows through the kept
    // record's ranges and audit_log_account.
    const newestByName = db.prepare<Filters & { key: string }, ListedRow>(
      `SELECT l.*, ${listedName} FROM audit_log l
        WHERE l.id IN (
            SELECT id FROM audit_log WHERE username_key = @key
            UNION ALL
            SELECT a.id FROM audit_legacy_names n JOIN audit_log a
              ON a.account_id = n.account_id AND a.id BETWEEN n.first_row AND n.last_row AND a.mac_version = 1
            WHERE n.username_key = @key)
          AND ${otherFilters}
        ORDER BY l.id DESC LIMIT @limit`,
    )
    const knownKey = db
      .prepare<{ key: string }, number>(
        `SELECT EXISTS (SELECT 1 FROM accounts WHERE username_key = @key)
             OR EXISTS (SELECT 1 FROM audit_log WHERE username_key = @key)
             OR EXISTS (SELECT 1 FROM audit_legacy_names WHERE username_key = @key)`,
      )
      .pluck()
    return { insert, nameOfAccount, newest, newestByName, knownKey }
  }
  const toRecord = (row: ListedRow): AuditRecord => ({
    id: row.id,
    at: row.at,
    actor: row.actor,
    event: row.event,
    accountId: row.account_id,
    username: row.name,
    detail: JSON.parse(row.detail) as Record<string, unknown>,
  })

  return {
    append(entry: AuditEntry, now: number) {
      // Runs inside the caller's transaction (the audited change and its row land together);
      // when called alone, wrap it so the head, count and row stay in step.
      const write = () => {
        const previous = settings.get(headKey) ?? genesis
        const count = Number(settings.get(countKey) ?? '0')
        const username =
          entry.accountId === null ? null : (entry.username ?? statements().nameOfAccount.get(entry.accountId) ?? null)
        const row = {
          id: (lastId.get()?.id ?? 0) + 1,
          at: now,
          actor: entry.actor,
          event: entry.event,
          account_id: entry.accountId,
          detail: JSON.stringify(entry.detail ?? {}),
          mac_version: 2,
          username,
        }
        const mac = macOf(key, previous, row)
        statements().insert.run({ ...row, mac, username_key: username === null ? null : usernameKey(username) })
        settings.set(headKey, mac)
        settings.set(countKey, String(count + 1))
      }
      if (db.inTransaction) write()
      else db.transaction(write).immediate()
    },
    list(query) {
      const filters = {
        event: query.event?.toLowerCase() ?? null,
        from: query.from ?? null,
        until: query.until ?? null,
        limit: query.limit,
      }
      const rows =
        query.usernameKey === undefined
          ? statements().newest.all({ ...filters, account: query.accountId ?? null })
          : statements().newestByName.all({ ...filters, key: query.usernameKey })
      return rows.map(toRecord)
    },
    knowsUsernameKey: (usernameKeyText) => statements().knownKey.get({ key: usernameKeyText }) === 1,
    verify() {
      let previous = genesis
      let rows = 0
      let newestVersion = 1
      for (const stored of all.iterate()) {
        // A table from before the migration has no such columns: every row is version 1.
        const row = {
          ...stored,
          mac_version: stored.mac_version ?? 1,
          username: stored.username ?? null,
          username_key: stored.username_key ?? null,
        }
        rows += 1
        // Version 1 is only for rows written before the ids_never_reused migration: none may follow a version-2 row.
        if (row.mac_version < newestVersion) {
          return { ok: false, rows, problem: `row ${row.id} uses an older MAC version than the rows before it` }
        }
        newestVersion = row.mac_version
        if (macOf(key, previous, row) !== row.mac) {
          return { ok: false, rows, problem: `row ${row.id} does not match the chain` }
        }
        // The key is derived from the covered username; a changed key would hide a row from a name filter.
        const expectedKey = row.mac_version === 2 && row.username !== null ? usernameKey(row.username) : null
        if (row.username_key !== expectedKey) {
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
