import type { AccountView } from '../../shared/schemas'
import type { CliErrorCode } from './command'

/**
 * Everything the CLI prints goes through here: one JSON document on stdout in
 * --json mode, readable text otherwise; errors always on stderr as
 * `error: CODE: message` (and, with --json, as `{"error":{…}}` on stdout too).
 */
export interface Output {
  readonly json: boolean
  /** A command's result: `value` as JSON in --json mode, else `human`. */
  result(value: unknown, human: string): void
  /** Help the user asked for: stdout, in either mode. */
  help(text: string): void
  failure(failure: Failure): void
}

export interface Failure {
  readonly code: CliErrorCode
  readonly message: string
  /** A second stderr line saying how to fix it. */
  readonly fix?: string | undefined
  /** Usage text printed after the error (usage errors). */
  readonly usage?: string | undefined
  /** Extra fields merged into the --json document beside `error` (e.g. a partial status). */
  readonly report?: Readonly<Record<string, unknown>> | undefined
}

export interface Writers {
  readonly stdout: (text: string) => void
  readonly stderr: (text: string) => void
}

export const processWriters: Writers = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
}

export function createOutput(json: boolean, writers: Writers = processWriters): Output {
  const line = (text: string) => (text.endsWith('\n') ? text : `${text}\n`)
  return {
    json,
    result(value, human) {
      writers.stdout(json ? `${JSON.stringify(value)}\n` : line(human.split('\n').map(terminalSafe).join('\n')))
    },
    help(text) {
      writers.stdout(line(text))
    },
    failure({ code, message, fix, usage, report }) {
      writers.stderr(`error: ${code}: ${terminalSafe(message)}\n`)
      if (fix) writers.stderr(`fix: ${fix}\n`)
      if (usage) writers.stderr(line(usage))
      if (json) writers.stdout(`${JSON.stringify({ ...report, error: { code, message } })}\n`)
    },
  }
}

/** The account as the CLI shows it: exactly these keys, in this order (the issue's contract). */
export interface AccountJson {
  readonly username: string
  readonly displayName: string
  readonly email: string | null
  readonly phone: string | null
  readonly role: 'admin' | 'user'
  readonly disabled: boolean
  readonly locked: boolean
  readonly createdAt: string
  readonly lastSignInAt: string | null
}

export function toAccountJson(view: AccountView): AccountJson {
  return {
    username: view.username,
    displayName: view.displayName,
    email: view.email,
    phone: view.phone,
    role: view.role,
    disabled: view.disabled,
    locked: view.locked,
    createdAt: view.createdAt,
    lastSignInAt: view.lastSignInAt,
  }
}

/**
 * Display names and emails come from whoever created the account, possibly in
 * the app: control characters (an ANSI escape, a carriage return, a bidi
 * override) could rewrite what the operator sees in the terminal, so they are
 * shown as `\u{…}` instead. JSON output is left exact: JSON escapes them itself.
 */
export function terminalSafe(text: string): string {
  // Control characters are exactly what this removes.
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu, (c) => {
    return `\\u{${c.codePointAt(0)!.toString(16)}}`
  })
}

/** `2026-11-28T10:15:02.123Z` → `2026-11-28 10:15 UTC`. */
export function shortTime(iso: string | null, none = 'never'): string {
  if (iso === null) return none
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`
}

export function accountStatus(view: Pick<AccountView, 'disabled' | 'locked'>): string {
  const parts = [...(view.disabled ? ['disabled'] : []), ...(view.locked ? ['locked'] : [])]
  return parts.length === 0 ? 'active' : parts.join(', ')
}

const width = (text: string): number => [...text].length

/** Columns padded to their widest cell, two spaces apart; the last column is not padded. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const cells = [headers, ...rows].map((row) => row.map(terminalSafe))
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => width(row[column] ?? ''))))
  return cells
    .map((row) =>
      row
        .map((cell, column) => (column === row.length - 1 ? cell : cell + ' '.repeat(widths[column]! - width(cell))))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
}

/** `Label:  value` lines with the values aligned. */
export function formatFields(fields: readonly (readonly [string, string])[]): string {
  const labelWidth = Math.max(...fields.map(([label]) => width(label))) + 1
  return fields
    .map(([label, value]) => `${`${label}:`.padEnd(labelWidth + 2)}${terminalSafe(value)}`.trimEnd())
    .join('\n')
}

/** "a, b or c": an English list of choices. */
export function orList(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`
}
