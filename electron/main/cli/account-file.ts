import type { ExportedAccount, ImportRow } from '../services/import-service'
import { restoreCsvCell } from '../../shared/csv-cells'
import { csvRecord, CsvSyntaxError, parseCsv } from './csv-format'

/**
 * The account files of `account import` and `account export`: CSV with the
 * header `username,display_name,email,phone,role`, or JSON, an array of
 * objects with those keys. Neither ever holds a password or a secret: imported
 * accounts get a one-time setup code instead. Parsing says where a file is
 * wrong; whether each row's values are acceptable is the import service's call.
 */
export const accountColumns = ['username', 'display_name', 'email', 'phone', 'role'] as const

export type AccountFileFormat = 'csv' | 'json'

/** A file that cannot be read as an account file at all (as opposed to a bad row in it). */
export class AccountFileError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'AccountFileError'
  }
}

/** `--format`, else the file's extension. */
export function formatOf(file: string, option: string | undefined): AccountFileFormat | null {
  if (option !== undefined) return option === 'csv' || option === 'json' ? option : null
  const extension = /\.([^./\\]+)$/.exec(file)?.[1]?.toLowerCase()
  return extension === 'csv' || extension === 'json' ? extension : null
}

export function parseAccountFile(text: string, format: AccountFileFormat): ImportRow[] {
  return format === 'csv' ? parseAccountCsv(text) : parseAccountJson(text)
}

const emptyToNull = (value: string): string | null => (value.trim() === '' ? null : value)

function parseAccountCsv(text: string): ImportRow[] {
  let records
  try {
    records = parseCsv(text)
  } catch (error) {
    if (error instanceof CsvSyntaxError) throw new AccountFileError(`Not valid CSV: ${error.message}`)
    throw error
  }
  const [header, ...rows] = records
  const expected = accountColumns.join(',')
  if (!header) throw new AccountFileError(`The file is empty; it needs the header line ${expected}`)
  const found = header.fields.map((f) => f.trim()).join(',')
  if (found !== expected) {
    throw new AccountFileError(`The first line must be exactly ${expected} (found ${JSON.stringify(found)})`)
  }
  return rows.map((record) => {
    if (record.fields.length !== accountColumns.length) {
      return {
        line: record.line,
        username: null,
        displayName: null,
        email: null,
        phone: null,
        role: null,
        problem: `expected ${accountColumns.length} fields (${expected}), found ${record.fields.length}`,
      }
    }
    // S28: the export put an apostrophe before cells that would run as formulas; take it off again.
    const [username, displayName, email, phone, role] = record.fields.map(restoreCsvCell) as [
      string,
      string,
      string,
      string,
      string,
    ]
    return {
      line: record.line,
      username: emptyToNull(username),
      displayName: emptyToNull(displayName),
      email: emptyToNull(email),
      phone: emptyToNull(phone),
      role: emptyToNull(role),
    }
  })
}

/**
 * The line on which each element of the top-level array starts, so a bad
 * object in a JSON file is reported by line like a bad CSV row. Runs only on
 * text JSON.parse accepted, so it can be a plain scanner.
 */
export function arrayElementLines(text: string): number[] {
  const lines: number[] = []
  let line = 1
  let depth = 0
  let inString = false
  let expectValue = false
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i]!
    if (c === '\n') line += 1
    if (inString) {
      if (c === '\\') i += 1
      else if (c === '"') inString = false
      continue
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === '\uFEFF') continue
    if (depth === 1 && expectValue && c !== ']') {
      lines.push(line)
      expectValue = false
    }
    if (c === '"') inString = true
    else if (c === '[' || c === '{') {
      depth += 1
      if (depth === 1) expectValue = true
    } else if (c === ']' || c === '}') depth -= 1
    else if (c === ',' && depth === 1) expectValue = true
  }
  return lines
}

const jsonKeys: readonly string[] = accountColumns

function parseAccountJson(text: string): ImportRow[] {
  let data: unknown
  try {
    data = JSON.parse(text.startsWith('\uFEFF') ? text.slice(1) : text)
  } catch (error) {
    throw new AccountFileError(`Not valid JSON: ${error instanceof Error ? error.message : String(error)}`)
  }
  if (!Array.isArray(data)) {
    throw new AccountFileError(`The file must hold a JSON array of objects with the keys ${jsonKeys.join(', ')}`)
  }
  const lines = arrayElementLines(text)
  return data.map((item: unknown, index): ImportRow => {
    const line = lines[index] ?? index + 1
    const blank = { line, username: null, displayName: null, email: null, phone: null, role: null }
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      return { ...blank, problem: 'each item must be an object' }
    }
    const record = item as Record<string, unknown>
    const unknown = Object.keys(record).filter((key) => !jsonKeys.includes(key))
    if (unknown.length > 0) {
      // A "password" key is refused by name: a file must never carry one, and the operator should know it was not used.
      return { ...blank, problem: `unknown ${unknown.length === 1 ? 'key' : 'keys'} ${unknown.join(', ')}` }
    }
    const wrongType = jsonKeys.filter(
      (key) => record[key] !== undefined && record[key] !== null && typeof record[key] !== 'string',
    )
    if (wrongType.length > 0) return { ...blank, problem: `${wrongType.join(', ')}: must be a string or null` }
    const value = (key: string) => {
      const v = record[key]
      return typeof v === 'string' ? emptyToNull(v) : null
    }
    return {
      line,
      username: value('username'),
      displayName: value('display_name'),
      email: value('email'),
      phone: value('phone'),
      role: value('role'),
    }
  })
}

/** The export file's text, in either format. */
export function formatAccountFile(accounts: Iterable<ExportedAccount>, format: AccountFileFormat): string {
  const parts: string[] = []
  if (format === 'csv') {
    parts.push(csvRecord(accountColumns))
    for (const a of accounts) parts.push(csvRecord([a.username, a.displayName, a.email ?? '', a.phone ?? '', a.role]))
    return parts.join('')
  }
  for (const a of accounts) {
    parts.push(
      `  ${JSON.stringify({ username: a.username, display_name: a.displayName, email: a.email, phone: a.phone, role: a.role })}`,
    )
  }
  return parts.length === 0 ? '[]\n' : `[\n${parts.join(',\n')}\n]\n`
}
