import { neutraliseCsvCell } from '../../../electron/shared/csv-cells'
import type { AuditEntry } from '../api/keyhold-client'

/**
 * The audit entries on screen as CSV (RFC 4180: quoted where needed, CRLF
 * line ends), for a spreadsheet. A cell that would run as a formula gets a
 * leading apostrophe by the rule the CLI's account export uses too (S28), so
 * opening the file never runs anything a name or a provider's message put there.
 */
export const auditCsvHeader = ['id', 'time', 'event', 'account', 'actor', 'detail'] as const

export function detailText(detail: AuditEntry['detail']): string {
  return Object.entries(detail)
    .map(([key, value]) => `${key}=${value === null ? '' : String(value)}`)
    .join(', ')
}

function cell(value: string): string {
  const safe = neutraliseCsvCell(value)
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe
}

export function auditCsv(entries: readonly AuditEntry[]): string {
  const rows = entries.map((e) => [String(e.id), e.at, e.event, e.account ?? '', e.actor, detailText(e.detail)])
  return [auditCsvHeader, ...rows].map((row) => row.map(cell).join(',')).join('\r\n') + '\r\n'
}

export interface AuditFilter {
  /** Part of the event name, any case. */
  readonly event: string
  /** Local date-times as an `<input type="datetime-local">` gives them; '' for no bound. */
  readonly from: string
  readonly to: string
}

function bound(value: string): number | null {
  if (value.trim() === '') return null
  // A datetime-local value has no zone: Date reads it as local time, as the person meant it.
  const ms = new Date(value).getTime()
  return Number.isNaN(ms) ? null : ms
}

/**
 * The same filters as the main process takes them (ISO times, "to" through
 * the end of its minute), so it searches the whole log, not just what was
 * fetched. Null when the range is reversed: nothing can match.
 */
export function auditQueryOf(filter: AuditFilter): { event?: string; from?: string; until?: string } | null {
  const event = filter.event.trim()
  const from = bound(filter.from)
  const to = bound(filter.to)
  const until = to === null ? null : to + 60_000
  if (from !== null && until !== null && from >= until) return null
  return {
    ...(event === '' ? {} : { event: event.slice(0, 64) }),
    ...(from === null ? {} : { from: new Date(from).toISOString() }),
    ...(until === null ? {} : { until: new Date(until).toISOString() }),
  }
}

/** The fetched entries that match the filters on the page, at once while the main process is asked again. */
export function filterAudit(entries: readonly AuditEntry[], filter: AuditFilter): AuditEntry[] {
  const text = filter.event.trim().toLowerCase()
  const from = bound(filter.from)
  const to = bound(filter.to)
  return entries.filter((entry) => {
    if (text !== '' && !entry.event.toLowerCase().includes(text)) return false
    const at = Date.parse(entry.at)
    if (from !== null && at < from) return false
    // "To 10:30" includes everything during that minute.
    if (to !== null && at >= to + 60_000) return false
    return true
  })
}
