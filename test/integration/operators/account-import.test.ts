import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createArgon2PasswordHasher } from '../../../electron/main/adapters/crypto/argon2-password-hasher'
import { createKeytarSecretStore } from '../../../electron/main/adapters/keychain/keytar-secret-store'
import { keychainAccountFor } from '../../../electron/main/adapters/vault/open-vault'
import { arrayElementLines, formatAccountFile, parseAccountFile } from '../../../electron/main/cli/account-file'
import { csvRecord, CsvSyntaxError, parseCsv } from '../../../electron/main/cli/csv-format'
import { createProgress } from '../../../electron/main/cli/progress'
import { openKeyhold, type Keyhold } from '../../../electron/main/composition/open-keyhold'
import { createImportService, type ImportProgress } from '../../../electron/main/services/import-service'

/**
 * The import service on a real database: 10,000 rows checked and imported in
 * one transaction, every bad row reported, a name taken meanwhile, and an
 * imported account's setup code redeemed at first sign-in. Setup codes are
 * 120-bit codes under the vault's keyed hash (issue 15); the passwords chosen
 * with them are Argon2id, with cheap parameters here so the test stays short.
 */
const store = createKeytarSecretStore()
const dir = mkdtempSync(join(tmpdir(), 'keyhold-import-'))
const cheap = createArgon2PasswordHasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 })
const header = 'username,display_name,email,phone,role'
let keyhold: Keyhold

beforeAll(async () => {
  keyhold = await openKeyhold({ dataDir: dir, secretStore: store, hasher: cheap })
  await keyhold.accounts.createFirstAdmin({ username: 'alice', password: 'violet-harbour-kettle-42' }, 'test')
})
afterAll(async () => {
  keyhold?.close()
  await store.delete(keychainAccountFor(dir)).catch(() => false)
  rmSync(dir, { recursive: true, force: true })
})

const service = () => createImportService(keyhold.deps, { setupCodes: keyhold.services.setupCodes })

describe('RFC 4180 CSV', () => {
  it('parses quoted fields, doubled quotes, line breaks in quotes, CRLF and LF, and knows where each record starts', () => {
    const text = '\uFEFFa,b,c\r\n"x, y","say ""hi""","two\r\nlines"\n\n,,\r\nlast,"",end'
    expect(parseCsv(text)).toEqual([
      { line: 1, fields: ['a', 'b', 'c'] },
      { line: 2, fields: ['x, y', 'say "hi"', 'two\r\nlines'] },
      { line: 5, fields: ['', '', ''] },
      { line: 6, fields: ['last', '', 'end'] },
    ])
  })

  it('says on which line a file goes wrong', () => {
    expect(() => parseCsv('a,b\n"open,c\n')).toThrow(
      new CsvSyntaxError(2, 'a quoted field is not closed (a " is missing)'),
    )
    expect(() => parseCsv('a,b\nab"c,d\n')).toThrow(/^line 2: a " inside a field/)
    expect(() => parseCsv('a,b\n"ab"c,d\n')).toThrow(/^line 2: after a closing " only a comma/)
  })

  it('writes what it reads', () => {
    const values = ['plain', 'with, comma', 'with "quote"', 'line\r\nbreak', ' padded ', '']
    expect(parseCsv(csvRecord(values))).toEqual([{ line: 1, fields: values }])
  })

  it('finds the line of each element of a JSON array, strings with brackets and escapes included', () => {
    const text = '[\n  {"a": "x]},[\\""},\n\n  {\n "b": [1, 2]\n  }, "z"\n]'
    expect(arrayElementLines(text)).toEqual([2, 4, 6])
    expect(JSON.parse(text)).toHaveLength(3)
  })
})

describe('import service', () => {
  it('imports 10,000 rows in one transaction, each with its own setup code', async () => {
    const rows = [header]
    for (let i = 0; i < 10_000; i += 1)
      rows.push(`bulk${i},Bulk ${i},bulk${i}@example.org,+44 20 7946 ${String(i % 10_000).padStart(4, '0')},user`)
    const parsed = parseAccountFile(rows.join('\r\n'), 'csv')
    const { valid, problems } = service().validate(parsed)
    expect(problems).toEqual([])
    const seen: ImportProgress[] = []
    const result = await service().importRows(valid, 'cli:test', {
      skipInvalid: false,
      onProgress: (p) => seen.push(p),
    })
    expect(result.imported).toHaveLength(10_000)
    expect(new Set(result.imported.map((c) => c.setupCode)).size).toBe(10_000)
    expect(keyhold.deps.accounts.count()).toBe(10_001)
    expect(seen.at(0)).toEqual({ phase: 'setup-codes', done: 0, total: 10_000 })
    expect(seen.filter((p) => p.phase === 'setup-codes').length).toBeGreaterThan(100)
    expect(seen.at(-1)).toEqual({ phase: 'saving', done: 10_000, total: 10_000 })
    const events = keyhold.auditLog.list({ limit: 3 }).map((e) => e.event)
    expect(events).toEqual(['accounts.imported', 'setup-code.issued', 'account.created'])
    expect(keyhold.auditLog.verify()).toMatchObject({ ok: true, rows: 20_002 })
  })

  it("an imported account's user redeems the setup code, sets a password and signs in", async () => {
    const [issued] = (
      await service().importRows(
        service().validate(parseAccountFile(`${header}\nzoe,Zoe,,,\n`, 'csv')).valid,
        'cli:test',
        { skipInvalid: false },
      )
    ).imported
    // No password works before the code is redeemed.
    await expect(
      keyhold.auth.signIn({ username: 'zoe', password: 'anything at all 123' }, 'test'),
    ).rejects.toMatchObject({
      code: 'INVALID_CREDENTIALS',
    })
    await keyhold.services.setupCodes.redeem('zoe', issued!.setupCode.toLowerCase(), 'lantern-orbit-meadow-77', 'test')
    const { resolved } = await keyhold.auth.signIn({ username: 'zoe', password: 'lantern-orbit-meadow-77' }, 'test')
    expect(resolved.session.state).toBe('active')
    // Single use.
    await expect(
      keyhold.services.setupCodes.redeem('zoe', issued!.setupCode, 'another-password-9988', 'test'),
    ).rejects.toMatchObject({ code: 'INVALID_CODE' })
  })

  it('reports every problem of every row, by line', () => {
    const text = [header, 'bulk1,Dup,,,', 'ok1,,,,', 'OK1,,,,', ',,,,', 'ok2,,bad@,12,root', 'ok3,,,,admin'].join('\n')
    const { valid, problems } = service().validate(parseAccountFile(text, 'csv'))
    expect(valid.map((v) => [v.line, v.username, v.role])).toEqual([
      [3, 'ok1', 'user'],
      [7, 'ok3', 'admin'],
    ])
    expect(problems.map((p) => `${p.line} ${p.field} ${p.message}`)).toEqual([
      '2 username an account named "bulk1" already exists',
      '4 username "OK1" is already on line 3 of this file',
      '5 username is required',
      '6 email Enter a valid email address',
      '6 phone Start the number with + and the country code, e.g. +44 20 7946 0958',
      '6 role must be admin or user, not "root"',
    ])
  })

  it('a name taken between the check and the write: nothing is imported, or (skip-invalid) that row is skipped', async () => {
    const { valid } = service().validate(parseAccountFile(`${header}\nyann,,,,\nyuki,,,,\n`, 'csv'))
    await keyhold.accounts.createAccount(
      { username: 'yuki', password: 'violet-harbour-kettle-42', role: 'user' },
      'test',
    )
    await expect(service().importRows(valid, 'cli:test', { skipInvalid: false })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: 'line 3: an account named "yuki" was created meanwhile; nothing was imported',
    })
    expect(keyhold.deps.accounts.findByUsername('yann')).toBeNull()
    const result = await service().importRows(valid, 'cli:test', { skipInvalid: true })
    expect(result.imported.map((c) => c.username)).toEqual(['yann'])
    expect(result.conflicts).toMatchObject([{ line: 3, username: 'yuki' }])
  })

  it('exports without secrets, in both formats, and audits the export', () => {
    const accounts = service().exportAccounts('cli:test', 'json').slice(0, 2)
    const json = JSON.parse(formatAccountFile(accounts, 'json')) as Record<string, unknown>[]
    expect(Object.keys(json[0]!)).toEqual(['username', 'display_name', 'email', 'phone', 'role'])
    expect(formatAccountFile(accounts, 'csv').split('\r\n')[0]).toBe(header)
    expect(keyhold.auditLog.list({ limit: 1 })[0]).toMatchObject({
      event: 'accounts.exported',
      detail: { format: 'json' },
    })
  })
})

describe('import progress', () => {
  const target = (isTTY: boolean) => {
    const written: string[] = []
    return { written, target: { isTTY, columns: 100, write: (text: string) => written.push(text) } }
  }

  it('draws one bar in place on a terminal', () => {
    const { written, target: t } = target(true)
    const progress = createProgress({ json: false, total: 200 }, t)
    progress.update('Making setup codes', 50, 200)
    progress.update('Making setup codes', 200, 200)
    progress.end()
    progress.end()
    expect(written).toHaveLength(3)
    // \r back to the start of the line, the bar, then "erase to the end of the line" (ESC [ K).
    expect(written[0]!.startsWith('\rMaking setup codes ')).toBe(true)
    expect(written[0]!.endsWith(']  25%  50/200\u001b[K')).toBe(true)
    expect(written[0]).toContain(`[${'#'.repeat(10)}${'-'.repeat(30)}]`)
    expect(written[2]).toBe('\n')
  })

  it('prints a plain line per tenth when not a terminal, only for large jobs, and nothing with --json', () => {
    const plain = target(false)
    const progress = createProgress({ json: false, total: 10_000 }, plain.target)
    for (let done = 0; done <= 10_000; done += 32) progress.update('Making setup codes', done, 10_000)
    progress.update('Making setup codes', 10_000, 10_000)
    expect(plain.written).toHaveLength(11)
    expect(plain.written[1]).toBe('Making setup codes: 1024 of 10000\n')
    const small = target(false)
    createProgress({ json: false, total: 10 }, small.target).update('x', 5, 10)
    const json = target(true)
    createProgress({ json: true, total: 10_000 }, json.target).update('x', 5, 10_000)
    expect([...small.written, ...json.written]).toEqual([])
  })
})
