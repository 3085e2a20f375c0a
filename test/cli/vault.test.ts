import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrations } from '../../db/migrations'
import { KeychainError } from '../../electron/main/adapters/keychain/secret-store'
import { keychainAccountFor } from '../../electron/main/adapters/vault/open-vault'
import { describeStartupError } from '../../electron/main/composition/open-keyhold'
import { usernameSkeleton } from '../../electron/main/domain/username-look-alike'
import { cliFor, jsonOf, makeTempDir, requireBuiltCli, withDatabase, type CliRun } from './support/run-cli'

const temp = makeTempDir('vault')
const password = 'Saffron glacier 63 pine'
/** A session bus address nothing listens on: keytar cannot reach any Secret Service. */
const noKeychain = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent' }

async function setUp(name: string): Promise<{ dir: string; cli: ReturnType<typeof cliFor> }> {
  const dir = join(temp.path, name)
  const cli = cliFor(dir)
  const init = await cli(['init', '--admin', 'alice'], { input: `${password}\n` })
  expect(init.code).toBe(0)
  return { dir, cli }
}

type Keytar = typeof import('keytar')
async function keytar(): Promise<Keytar> {
  const loaded: Keytar & { default?: Keytar } = await import('keytar')
  return loaded.default ?? loaded
}

/** Every byte under `dir`, to check that no secret was written in clear (S19). */
function allBytes(dir: string): Buffer {
  if (!existsSync(dir)) return Buffer.alloc(0)
  return Buffer.concat(
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => readFileSync(join(entry.parentPath, entry.name))),
  )
}

function expectKeychainUnavailable(run: CliRun, dir: string) {
  // S19: the same reason and fix the app's window shows.
  const expected = describeStartupError(new KeychainError('unavailable', 'x'), dir)
  expect(run.code).toBe(1)
  const [first, second] = run.stderr.split('\n')
  expect(first).toMatch(
    /^error: KEYCHAIN_UNAVAILABLE: Keyhold keeps its master key in the OS keychain, and no keychain answered\. \(.+\)$/,
  )
  expect(second).toBe(`fix: ${expected.fix}`)
}

beforeAll(() => requireBuiltCli({ keyring: true }))
afterAll(() => temp.remove())

describe('keyhold vault status', () => {
  it('refuses a folder that is not set up (SETUP_REQUIRED) and does not create it', async () => {
    const dir = join(temp.path, 'nothing-here')
    const run = await cliFor(dir)(['vault', 'status', '--json'])
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/^error: SETUP_REQUIRED: /)
    expect(jsonOf(run)).toMatchObject({
      dataDir: dir,
      database: { exists: false },
      keychain: { present: false },
      error: { code: 'SETUP_REQUIRED' },
    })
    expect(existsSync(dir)).toBe(false)
  })

  it('S19/S22: reports the key in the keychain, the schema, the accounts and a verified audit chain', async () => {
    const { dir, cli } = await setUp('healthy')
    const run = await cli(['vault', 'status', '--json'])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    const status = jsonOf(run) as { keychain: { keyId: string } }
    expect(status).toEqual({
      dataDir: dir,
      database: {
        file: join(dir, 'keyhold.db'),
        exists: true,
        schemaVersion: migrations.length,
        latestSchemaVersion: migrations.length,
      },
      keychain: {
        service: 'Keyhold',
        entry: keychainAccountFor(dir),
        present: true,
        matchesDatabase: true,
        keyId: expect.stringMatching(/^[0-9a-f]{16}$/),
      },
      accounts: 1,
      lookAlikeUsernames: [],
      audit: { ok: true, rows: 1, problem: null },
    })
    // The key id recorded in the database is the one of the key in the keychain.
    const recorded = withDatabase(dir, (db) =>
      db.prepare("SELECT value FROM settings WHERE key = 'vault.key_id'").get(),
    )
    expect(recorded).toEqual({ value: status.keychain.keyId })

    const human = await cli(['vault', 'status'])
    expect(human.code).toBe(0)
    expect(human.stdout).toContain(`Data folder:     ${dir}\n`)
    expect(human.stdout).toContain(`: present, matches the database (key id ${status.keychain.keyId})`)
    expect(human.stdout).toContain('Audit log:       1 entry, chain verified')
  })

  it('S30: refuses a look-alike username, and reports a pair written before the check without breaking it', async () => {
    const { dir, cli } = await setUp('look-alikes')
    const cyrillic = '\u0441\u043e\u0440\u0430' // сора, every letter Cyrillic
    expect((await cli(['account', 'create', 'copa', '--password-stdin'], { input: `${password}\n` })).code).toBe(0)
    const refused = await cli(['account', 'create', cyrillic, '--password-stdin'], { input: `${password}\n` })
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain(`error: CONFLICT: "${cyrillic}" looks like the existing account "copa"`)
    const mixed = await cli(['account', 'create', 'b\u043eb', '--password-stdin'], { input: `${password}\n` })
    expect(mixed.code).not.toBe(0)
    expect(mixed.stderr).toContain('one script')

    // A pair from before S30, as an older Keyhold could have written it.
    withDatabase(dir, (db) =>
      db
        .prepare(
          `INSERT INTO accounts (username, username_key, username_skeleton, display_name, role, password_hash,
             password_changed_at, created_at, updated_at) VALUES (?, ?, ?, ?, 'user', 'h', 1, 1, 1)`,
        )
        .run(cyrillic, cyrillic, usernameSkeleton(cyrillic), 'Old'),
    )
    const status = jsonOf(await cli(['vault', 'status', '--json'])) as { lookAlikeUsernames: string[][] }
    expect(status.lookAlikeUsernames).toEqual([['copa', cyrillic]])
    const human = await cli(['vault', 'status'])
    expect(human.code).toBe(0)
    expect(human.stdout).toContain(
      `1 pair of usernames look alike, from before they were refused: "copa" and "${cyrillic}"`,
    )
  })

  it("S19: with no keychain, init fails closed: exit 1, the app's reason, and nothing on disk", async () => {
    const dir = join(temp.path, 'no-keychain')
    const run = await cliFor(dir)(['init', '--admin', 'alice', '--json'], { input: `${password}\n`, env: noKeychain })
    expectKeychainUnavailable(run, dir)
    expect(jsonOf(run)).toEqual({
      error: { code: 'KEYCHAIN_UNAVAILABLE', message: expect.stringContaining('keychain') },
    })
    expect(existsSync(join(dir, 'keyhold.db'))).toBe(false)
    expect(allBytes(dir).includes(password)).toBe(false)
  })

  it('S19: with no keychain, commands on an existing folder fail closed and change nothing', async () => {
    const { dir, cli } = await setUp('keychain-gone')
    const before = allBytes(dir)
    const list = await cli(['account', 'list', '--json'], { env: noKeychain })
    expectKeychainUnavailable(list, dir)
    expect(jsonOf(list)).toMatchObject({ error: { code: 'KEYCHAIN_UNAVAILABLE' } })
    expectKeychainUnavailable(await cli(['vault', 'status'], { env: noKeychain }), dir)
    expectKeychainUnavailable(
      await cli(['account', 'create', 'bob', '--password-stdin'], { input: `${password}\n`, env: noKeychain }),
      dir,
    )
    expect(allBytes(dir).equals(before)).toBe(true)
    // And with the keychain back, all is well.
    expect((await cli(['vault', 'status'])).code).toBe(0)
  })

  it('S19: a data folder whose key is gone from the keychain is refused (KEY_MISMATCH), never re-keyed', async () => {
    const { dir, cli } = await setUp('key-removed')
    expect(await (await keytar()).deletePassword('Keyhold', keychainAccountFor(dir))).toBe(true)
    const run = await cli(['vault', 'status', '--json'])
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(
      /^error: KEY_MISMATCH: This database was encrypted with a master key that is not in this keychain/,
    )
    expect(run.stderr).toContain(`fix: Restore the keychain entry "Keyhold / ${keychainAccountFor(dir)}"`)
    expect(jsonOf(run)).toMatchObject({
      keychain: { present: false, matchesDatabase: false },
      error: { code: 'KEY_MISMATCH' },
    })
    const list = await cli(['account', 'list'])
    expect(list.code).toBe(1)
    expect(list.stderr).toMatch(/^error: KEY_MISMATCH: /)
    // Refused, not replaced: the keychain still has no entry for this folder.
    expect(await (await keytar()).getPassword('Keyhold', keychainAccountFor(dir))).toBeNull()
  })

  it('S22: a row slipped into the audit log breaks the chain: exit 1, AUDIT_CHAIN_BROKEN', async () => {
    const { dir, cli } = await setUp('tampered')
    withDatabase(dir, (db) =>
      db
        .prepare(
          "INSERT INTO audit_log (at, actor, event, account_id, detail, mac) VALUES (1, 'cli:someone', 'account.created', 1, '{}', ?)",
        )
        .run('0'.repeat(64)),
    )
    const run = await cli(['vault', 'status', '--json'])
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/^error: AUDIT_CHAIN_BROKEN: The audit log does not verify: /)
    expect(jsonOf(run)).toMatchObject({ audit: { ok: false, rows: 2 }, error: { code: 'AUDIT_CHAIN_BROKEN' } })
    const human = await cli(['vault', 'status'])
    expect(human.code).toBe(1)
    expect(human.stdout).toContain('Audit log:       2 entries, chain BROKEN: ')
  })
})
