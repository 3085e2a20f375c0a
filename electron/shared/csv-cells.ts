/**
 * S28: the one rule for every CSV that Keyhold writes (the account export in
 * the CLI, the audit export in the window). A spreadsheet runs a cell that
 * starts with =, +, -, @, a tab or a carriage return as a formula, so a display
 * name like `=HYPERLINK(…)` would run on the operator's machine (OWASP "CSV
 * injection"). Such a cell gets a leading apostrophe, which spreadsheets show
 * as text and hide. An E.164 phone number (`+` and 7–15 digits) is left as it
 * is: it is the number itself, and a spreadsheet reads it as one.
 *
 * The import takes the apostrophe off again. So that it only ever removes one
 * Keyhold added, apostrophes already at the start of a value count as part of
 * the escape: `'=x` is written `''=x` and read back as `'=x`.
 */
const formulaStart = /^[=+\-@\t\r]/
const e164 = /^\+\d{7,15}$/

function runsAsFormula(text: string): boolean {
  return formulaStart.test(text) && !e164.test(text)
}

/** What follows the apostrophes at the start of a value. */
function afterApostrophes(value: string): string {
  return value.replace(/^'+/, '')
}

/** The value as a CSV cell that no spreadsheet runs (before RFC 4180 quoting). */
export function neutraliseCsvCell(value: string): string {
  return runsAsFormula(afterApostrophes(value)) ? `'${value}` : value
}

/** The value `neutraliseCsvCell` was given, from the cell it wrote (after RFC 4180 unquoting). */
export function restoreCsvCell(cell: string): string {
  return cell.startsWith("'") && runsAsFormula(afterApostrophes(cell)) ? cell.slice(1) : cell
}
