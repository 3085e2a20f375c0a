import { neutraliseCsvCell } from '../../shared/csv-cells'

/**
 * RFC 4180 CSV, small and strict enough to report where a file goes wrong:
 * fields separated by commas, records by CRLF (LF alone is accepted too, as
 * editors on Linux and macOS write it), fields that hold a comma, a quote or a
 * line break in double quotes, and a quote inside them doubled ("").
 *
 * Written here rather than taken from a library: the whole grammar is these
 * few rules, and the import needs the line on which each record starts (a
 * quoted field may span lines) to say which row is wrong, which the small
 * well-known parsers do not report.
 */
export interface CsvRecord {
  /** The line of the file on which the record starts, from 1. */
  readonly line: number
  readonly fields: readonly string[]
}

export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`)
    this.name = 'CsvSyntaxError'
  }
}

/** Parses a whole CSV text. Blank lines are skipped; a byte-order mark at the start is ignored. */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = []
  const input = text.startsWith('\uFEFF') ? text.slice(1) : text
  let line = 1
  let i = 0
  const n = input.length
  while (i < n) {
    const start = line
    const fields: string[] = []
    let field = ''
    let blank = true
    // One record: fields until an unquoted line break or the end of the text.
    for (;;) {
      if (input[i] === '"') {
        blank = false
        i += 1
        for (;;) {
          if (i >= n) throw new CsvSyntaxError(start, 'a quoted field is not closed (a " is missing)')
          const c = input[i]!
          if (c === '"') {
            if (input[i + 1] === '"') {
              field += '"'
              i += 2
              continue
            }
            i += 1
            break
          }
          if (c === '\n') line += 1
          field += c
          i += 1
        }
        const after = input[i]
        if (after !== undefined && after !== ',' && after !== '\n' && !(after === '\r' && input[i + 1] === '\n')) {
          throw new CsvSyntaxError(line, 'after a closing " only a comma or the end of the line may follow')
        }
      } else {
        while (i < n) {
          const c = input[i]!
          if (c === ',' || c === '\n' || (c === '\r' && input[i + 1] === '\n')) break
          if (c === '"') throw new CsvSyntaxError(line, 'a " inside a field that does not start with one')
          field += c
          i += 1
        }
        if (field !== '') blank = false
      }
      fields.push(field)
      field = ''
      if (i >= n) break
      const c = input[i]!
      if (c === ',') {
        blank = false
        i += 1
        continue
      }
      // A line break ends the record.
      i += c === '\r' ? 2 : 1
      line += 1
      break
    }
    if (!(blank && fields.length === 1)) records.push({ line: start, fields })
  }
  return records
}

/**
 * One field as RFC 4180 writes it: quoted when it holds a comma, a quote, a
 * line break, or spaces at either end (which some readers would trim).
 */
export function csvField(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replaceAll('"', '""')}"` : value
}

/**
 * One record, ended with CRLF as RFC 4180 asks. Every CSV the CLI writes is
 * opened in spreadsheets, so a cell that would run as a formula is neutralised
 * first (S28, the rule shared with the window's audit export).
 */
export function csvRecord(values: readonly string[]): string {
  return `${values.map((value) => csvField(neutraliseCsvCell(value))).join(',')}\r\n`
}
