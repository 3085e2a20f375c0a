import { AppError } from '../domain/app-error'
import { iso } from './account-view'
import type { MfaDeps } from './mfa-deps'

/** Reading the audit log (S22): newest first, and a check of its HMAC chain. */
export interface AuditReader {
  list(query: {
    accountId?: number | undefined
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
    detail: Record<string, unknown>
  }[]
  verify(): { ok: boolean; rows: number; problem: string | null }
}

export interface AuditEntryView {
  readonly id: number
  readonly at: string
  readonly actor: string
  readonly event: string
  readonly account: string | null
  readonly detail: Record<string, string | number | boolean | null>
}

export interface AuditListQuery {
  readonly username?: string | undefined
  /** Part of the event name, any case. */
  readonly event?: string | undefined
  /** ISO date-times: entries at or after `from` and before `until`. */
  readonly from?: string | undefined
  readonly until?: string | undefined
  readonly limit: number
}

const epoch = (value: string | undefined): number | undefined => (value === undefined ? undefined : Date.parse(value))

export function createAuditService(deps: MfaDeps, reader: AuditReader) {
  function list(query: AuditListQuery): AuditEntryView[] {
    let accountId: number | undefined
    if (query.username !== undefined) {
      const account = deps.accounts.findByUsername(query.username)
      if (!account) throw new AppError('NOT_FOUND', `No account named "${query.username}"`)
      accountId = account.id
    }
    const names = new Map<number, string | null>()
    const nameOf = (id: number | null, detail: Record<string, unknown>): string | null => {
      if (id === null) return null
      if (!names.has(id))
        names.set(
          id,
          deps.accounts.findById(id)?.username ?? (typeof detail.username === 'string' ? detail.username : null),
        )
      return names.get(id) ?? null
    }
    const rows = reader.list({
      accountId,
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
      account: nameOf(row.accountId, row.detail),
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
