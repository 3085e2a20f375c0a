import type { AuditEntryView } from '../../services/audit-service'
import { CliError, stringOption, UsageError, type CommandDefinition } from '../command'
import { withKeyhold } from '../open-data-dir'
import { formatTable } from '../output'

/**
 * `keyhold audit …`: read the append-only, hash-chained audit log (S22) and
 * check its chain. Entries never hold a code, password or secret (S9, S20), so
 * the log can be printed as it is.
 */
const defaultLimit = 100
const maxLimit = 1000

/** `2026-11-28T10:15:02.123Z` → `2026-11-28 10:15:02`: seconds matter when reading a log. */
function logTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`
}

function detailText(detail: AuditEntryView['detail']): string {
  return Object.entries(detail)
    .map(([key, value]) => `${key}=${String(value)}`)
    .join(' ')
}

/**
 * The account an entry was about, as `name #id`: `--account NAME` lists every account that had
 * the name, a deleted one's included, and the id tells them apart (S29).
 */
function accountText(entry: AuditEntryView): string {
  if (entry.accountId === null) return entry.account ?? '-'
  return `${entry.account ?? '?'} #${entry.accountId}`
}

/** An ISO 8601 date-time with a zone (Z or +01:00); a bare date means its start in UTC. */
function isoOption(options: Parameters<typeof stringOption>[0], name: 'since' | 'until'): string | undefined {
  const raw = stringOption(options, name)?.trim()
  if (raw === undefined) return undefined
  const text = /^\d{4}-\d\d-\d\d$/.test(raw) ? `${raw}T00:00:00Z` : raw
  const zoned = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.test(text)
  if (!zoned || Number.isNaN(Date.parse(text))) {
    throw new UsageError(`--${name} must be an ISO date or date-time with a zone, e.g. 2026-11-28T09:00Z`, list)
  }
  return new Date(Date.parse(text)).toISOString()
}

const list: CommandDefinition = {
  words: ['audit', 'list'],
  args: [],
  options: {
    account: { type: 'string' },
    event: { type: 'string' },
    since: { type: 'string' },
    until: { type: 'string' },
    limit: { type: 'string' },
  },
  usage: `audit list [--account NAME] [--event TEXT] [--since TIME] [--until TIME] [--limit N]`,
  summary:
    `Show the newest audit log entries (${defaultLimit} unless --limit says otherwise, at most ${maxLimit}); ` +
    '--account shows every account that had the name, deleted ones too, each as NAME #ID; ' +
    '--event matches part of the event name, --since/--until take ISO times (2026-11-28T09:00Z)',
  async run({ options, dataDir, output }) {
    const rawLimit = stringOption(options, 'limit')
    const limit = rawLimit === undefined ? defaultLimit : /^\d{1,4}$/.test(rawLimit) ? Number(rawLimit) : Number.NaN
    if (!(limit >= 1 && limit <= maxLimit)) {
      throw new UsageError(`--limit must be a whole number from 1 to ${maxLimit}`, list)
    }
    const username = stringOption(options, 'account')
    const event = stringOption(options, 'event')?.trim()
    if (event !== undefined && (event === '' || event.length > 64)) {
      throw new UsageError('--event must be 1 to 64 characters of an event name, e.g. recovery-code', list)
    }
    const from = isoOption(options, 'since')
    const until = isoOption(options, 'until')
    if (from !== undefined && until !== undefined && Date.parse(from) >= Date.parse(until)) {
      throw new UsageError('--since must be before --until', list)
    }
    const filtered = event !== undefined || from !== undefined || until !== undefined
    await withKeyhold(dataDir, { mustExist: true }, (keyhold) => {
      const entries = keyhold.services.audit.list({ username, event, from, until, limit })
      const human =
        entries.length === 0
          ? filtered
            ? 'No audit entries match.'
            : username === undefined
              ? 'The audit log is empty.'
              : `No audit entries for "${username}".`
          : `${formatTable(
              ['TIME (UTC)', 'ACTOR', 'EVENT', 'ACCOUNT', 'DETAIL'],
              entries.map((e) => [logTime(e.at), e.actor, e.event, accountText(e), detailText(e.detail)]),
            )}\n\n${entries.length} ${entries.length === 1 ? 'entry' : 'entries'}, newest first`
      output.result({ entries }, human)
    })
  },
}

const verify: CommandDefinition = {
  words: ['audit', 'verify'],
  args: [],
  options: {},
  usage: 'audit verify',
  summary: "Check the audit log's hash chain (exit 1 with AUDIT_CHAIN_BROKEN if a row was changed, added or removed)",
  async run({ dataDir, output }) {
    await withKeyhold(dataDir, { mustExist: true }, (keyhold) => {
      const result = keyhold.services.audit.verify()
      const status = { ok: result.ok, rows: result.rows, problem: result.problem }
      if (!status.ok) {
        throw new CliError(
          'AUDIT_CHAIN_BROKEN',
          `The audit log does not verify: ${status.problem ?? 'unknown problem'}`,
          'Someone or something changed the database outside Keyhold; restore a backup and keep this copy for inspection.',
          status,
        )
      }
      output.result(
        status,
        `The audit log verifies: ${status.rows} ${status.rows === 1 ? 'entry' : 'entries'}, chain intact.`,
      )
    })
  },
}

export const auditCommands: readonly CommandDefinition[] = [list, verify]
