/**
 * The small CSV both token CSV formats use: one record a line, comma-separated, no commas inside
 * fields (hex, modhex, serials, numbers). Blank lines and `#` comments are ignored; a header row
 * whose first field is `serial` is skipped. Quoted fields lose their quotes.
 */
import { TokenImportError } from './token-import-types'

export interface CsvRow {
  line: number
  fields: string[]
}

function unquote(field: string): string {
  const trimmed = field.trim()
  return trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"') ? trimmed.slice(1, -1).trim() : trimmed
}

export function csvRows(text: string, columns: number, formatName: string): CsvRow[] {
  const rows: CsvRow[] = []
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/)
  lines.forEach((raw, index) => {
    const line = index + 1
    const content = raw.trim()
    if (content === '' || content.startsWith('#')) return
    const fields = content.split(',').map(unquote)
    if (rows.length === 0 && fields[0]?.toLowerCase() === 'serial') return
    if (fields.length !== columns) {
      throw new TokenImportError('malformed', `${formatName} needs ${columns} columns, found ${fields.length}`, line)
    }
    rows.push({ line, fields })
  })
  if (rows.length === 0) throw new TokenImportError('malformed', `${formatName}: the file has no tokens`)
  return rows
}

export function hexBytes(text: string, what: string, line: number, length?: number): Uint8Array {
  if (text.length === 0 || text.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(text)) {
    throw new TokenImportError('malformed', `${what} is not hexadecimal`, line)
  }
  const bytes = new Uint8Array(Buffer.from(text, 'hex'))
  if (length !== undefined && bytes.length !== length) {
    throw new TokenImportError('malformed', `${what} must be ${length * 2} hex characters`, line)
  }
  return bytes
}

/** Serials are printed on the fob: visible ASCII, no spaces, at most 64 characters. */
export function checkSerial(serial: string, line: number): string {
  if (!/^[\x21-\x7e]{1,64}$/.test(serial)) {
    throw new TokenImportError('malformed', 'the serial must be 1–64 visible ASCII characters', line)
  }
  return serial
}
