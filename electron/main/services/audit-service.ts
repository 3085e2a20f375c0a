import { AppError } from '../domain/app-error'
import { usernameKey } from '../domain/username'
import { iso } from './account-view'

/** Reading the audit log (S22): newest first, and a check of its HMAC chain. */
export interface AuditReader {
  list(query: {
    usernameKey?: string | undefined
    event?: string | undefined
    from?: number | undefined
    until?: number | undefined
    limit: number
  }): {
    id: number
    at: number
    actor: string
    event: string
    accountId: number | null
    username: string | null
    detail: Record<string, unknown>
  }[]
  knowsUsernameKey(key: string): boolean
  verify(): { ok: boolean; rows: number; problem: string | null }
}

export interface AuditEntryView {
  readonly id: number
  readonly at: string
  readonly actor: string
  readonly event: string
  /** The username of the account the entry was about, as it was then. */
  readonly account: string | null
  /** That account's id: two accounts that had one name one after the other differ here (S29). */
  readonly accountId: number | null
  readonly detail: Record<string, string | number | boolean | null>
}

export interface AuditListQuery {
  /**
   * Entries about every account that had this username, a deleted one's included (S29),
   * each with the id of the account it was about.
   */
  readonly username?: string | undefined
  /** Part of the event name, any case. */
  readonly event?: string | undefined
  /** ISO date-times: entries at or after `from` and before `until`. */
  readonly from?: string | undefined
  readonly until?: string | undefined
  readonly limit: number
}

const epoch = (value: string | undefined): number | undefined => (value === undefined ? undefined : Date.parse(value))

export function createAuditService(reader: AuditReader) {
  function list(query: AuditListQuery): AuditEntryView[] {
    const key = query.username === undefined ? undefined : usernameKey(query.username)
    if (key !== undefined && !reader.knowsUsernameKey(key)) {
      throw new AppError('NOT_FOUND', `No account named "${query.username}", now or before`)
    }
    const rows = reader.list({
      usernameKey: key,
      event: query.event,
      from: epoch(query.from),
      until: epoch(query.until),
      limit: query.limit,
    })
    return rows.map((row) => ({
      id: row.id,
      at: iso(row.at),
      actor: row.actor,
      event: row.event,
      // An entry from before S29 about an account the log cannot name: its deletion entry's detail may.
      account:
        row.username ??
        (row.accountId !== null && typeof row.detail.username === 'string' ? row.detail.username : null),
      accountId: row.accountId,
      detail: Object.fromEntries(
        Object.entries(row.detail).filter(
          (e): e is [string, string | number | boolean | null] =>
            ['string', 'number', 'boolean'].includes(typeof e[1]) || e[1] === null,
        ),
      ),
    }))
  }

  return { list, verify: () => reader.verify() }
}

export type AuditService = ReturnType<typeof createAuditService>
