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

const list: CommandDefinition = {
  words: ['audit', 'list'],
  args: [],
  options: { account: { type: 'string' }, limit: { type: 'string' } },
  usage: `audit list [--account NAME] [--limit N]`,
  summary: `Show the newest audit log entries (${defaultLimit} unless --limit says otherwise, at most ${maxLimit})`,
  async run({ options, dataDir, output }) {
    const rawLimit = stringOption(options, 'limit')
    const limit = rawLimit === undefined ? defaultLimit : /^\d{1,4}$/.test(rawLimit) ? Number(rawLimit) : Number.NaN
    if (!(limit >= 1 && limit <= maxLimit)) {
      throw new UsageError(`--limit must be a whole number from 1 to ${maxLimit}`, list)
    }
    const username = stringOption(options, 'account')
    await withKeyhold(dataDir, { mustExist: true }, (keyhold) => {
      const entries = keyhold.services.audit.list({ username, limit })
      const human =
        entries.length === 0
          ? username === undefined
            ? 'The audit log is empty.'
            : `No audit entries for "${username}".`
          : `${formatTable(
              ['TIME (UTC)', 'ACTOR', 'EVENT', 'ACCOUNT', 'DETAIL'],
              entries.map((e) => [logTime(e.at), e.actor, e.event, e.account ?? '-', detailText(e.detail)]),
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
