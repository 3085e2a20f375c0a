import Database from 'better-sqlite3'
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrations } from '../../db/migrations'
import { writeBackupFile } from '../../electron/main/adapters/backup/backup-file'
import { keychainAccountFor } from '../../electron/main/adapters/vault/open-vault'
import { startSmtpPeer, type SmtpPeer } from '../peers/smtp-peer'
import { expectFailure, okJson, requireOathtool } from './support/mfa-cli'
import { addTotp, oathtoolCodeAt } from './support/operators'
import { cliFor, jsonOf, makeTempDir, requireBuiltCli, withDatabase } from './support/run-cli'
import { emailProviderArgs, initSite } from './support/site-setup'

/**
 * `keyhold backup` / `keyhold restore`: S21 (the SQLite backup API, while the
 * database is open elsewhere), S19 (the master key travels sealed under a
 * passphrase and lands in the keychain entry of the data folder it is restored
 * to), and every refusal: wrong passphrase, altered file, newer schema, a data
 * folder in use.
 */
const temp = makeTempDir('backup')
const source = join(temp.path, 'source')
const cli = cliFor(source)
const strong = 'Orbit lantern 7 meadow'
const passphrase = 'correct horse battery staple'
const smtpPassword = 'smtp-Secret-4711-xyz'
const backupFile = join(temp.path, 'site.kbak')
let smtp: SmtpPeer
let bob: { secret: string; recoveryCodes: string[] }

type Keytar = typeof import('keytar')
async function keytar(): Promise<Keytar> {
  const loaded: Keytar & { default?: Keytar } = await import('keytar')
  return loaded.default ?? loaded
}
const keyOf = async (dir: string) => (await keytar()).getPassword('Keyhold', keychainAccountFor(dir))

function restore(dir: string, file = backupFile, input = `${passphrase}\n`) {
  return cliFor(dir)(['restore', file, '--json'], { input })
}

function names(dir: string): string[] {
  return withDatabase(dir, (db) =>
    db.prepare<[], { username: string }>('SELECT username FROM accounts ORDER BY username').all(),
  ).map((r) => r.username)
}

beforeAll(async () => {
  requireBuiltCli({ keyring: true })
  requireOathtool()
  smtp = await startSmtpPeer({ auth: { user: 'keyhold', pass: smtpPassword } })
  await initSite(cli, strong, 'alice', ['bob'])
  bob = await addTotp(cli, 'bob')
  const email = emailProviderArgs(smtp, { from: 'k@example.org', username: 'keyhold' })
  expect((await cli(email, { input: `${smtpPassword}\n` })).code).toBe(0)
}, 60_000)
afterAll(async () => {
  await smtp?.close()
  temp.remove()
})

describe('keyhold backup', () => {
  it('refuses a passphrase shorter than 15 characters, and writes nothing', async () => {
    expectFailure(await cli(['backup', backupFile], { input: 'too short pass\n' }), 'VALIDATION', /at least 15/)
    expect(existsSync(backupFile)).toBe(false)
  })

  it('S21: backs up with the SQLite backup API while another connection has the database open and writing', async () => {
    // Stands in for the running app: a connection in WAL mode with a change not yet checkpointed.
    const app = new Database(join(source, 'keyhold.db'))
    try {
      app.pragma('journal_mode = WAL')
      app.prepare("UPDATE accounts SET display_name = 'Bob Builder' WHERE username = 'bob'").run()
      const run = await cli(['backup', backupFile, '--json'], { input: `${passphrase}\n` })
      const result = okJson<Record<string, unknown>>(run)
      expect(result).toMatchObject({
        file: backupFile,
        format: 1,
        schemaVersion: migrations.length,
        kdf: { algorithm: 'argon2id', memoryCost: 65536, timeCost: 3, parallelism: 1 },
      })
    } finally {
      app.close()
    }
    expect(statSync(backupFile).mode & 0o777).toBe(0o600)
    const bytes = readFileSync(backupFile)
    const [magic, header] = bytes.subarray(0, 2000).toString('latin1').split('\n')
    expect(magic).toBe('KEYHOLD-BACKUP')
    expect(JSON.parse(header!)).toMatchObject({ format: 1, cipher: 'aes-256-gcm', kdf: { salt: expect.any(String) } })
    // S19: neither the master key nor the database's contents are readable in the file.
    const key = (await keyOf(source))!
    for (const secret of [key, Buffer.from(key, 'base64').toString('hex'), 'Bob Builder', 'SQLite format 3']) {
      expect(bytes.includes(Buffer.from(secret))).toBe(false)
    }
    expect(jsonOf(await cli(['audit', 'list', '--limit', '1', '--json']))).toMatchObject({
      entries: [{ event: 'backup.created' }],
    })
  })

  it('does not replace an existing file without --force', async () => {
    expectFailure(await cli(['backup', backupFile], { input: `${passphrase}\n` }), 'CONFLICT', /already exists/)
  })
})

describe('keyhold restore', () => {
  it('restores onto a fresh data folder with its own keychain entry: accounts, TOTP, provider secret, audit', async () => {
    const fresh = join(temp.path, 'new-machine', 'data')
    expect(await keyOf(fresh)).toBeNull()
    const run = await restore(fresh)
    expect(okJson(run)).toMatchObject({
      dataDir: fresh,
      schemaVersion: migrations.length,
      accounts: 2,
      replaced: false,
    })
    // S19: the master key is now in the keychain entry of the NEW folder.
    expect(await keyOf(fresh)).toBe(await keyOf(source))
    expect(names(fresh)).toEqual(['alice', 'bob'])
    const other = cliFor(fresh)
    expect(okJson(await other(['account', 'show', 'bob', '--json']))).toMatchObject({ displayName: 'Bob Builder' })
    expect(okJson(await other(['audit', 'verify', '--json']))).toMatchObject({ ok: true })
    // The TOTP secret decrypts: bob signs in with his app.
    const auth = await other(['auth', 'bob', '--json'], { input: `${strong}\n${oathtoolCodeAt(bob.secret, 30)}\n` })
    expect(okJson(auth)).toMatchObject({ authenticated: true, factor: 'totp' })
    // The SMTP password decrypts: a test message goes out, signed in.
    expect(okJson(await other(['provider', 'test', 'email', '--to', 'ops@example.org', '--json']))).toEqual({
      sent: true,
    })
    expect((await smtp.waitForMessage('ops@example.org')).user).toBe('keyhold')
    expect(readdirSync(fresh).filter((n) => n.includes('restoring') || n.includes('before-restore'))).toEqual([])
  })

  it('refuses while Keyhold has the data folder open, and changes nothing', async () => {
    const dir = join(temp.path, 'new-machine', 'data')
    const before = names(dir)
    const app = new Database(join(dir, 'keyhold.db'))
    try {
      app.pragma('journal_mode = WAL')
      app.prepare('SELECT count(*) FROM accounts').get()
      const run = await restore(dir)
      expectFailure(run, 'DATA_DIR_IN_USE', /Keyhold has this data folder open/)
      expect(run.stderr).toContain('fix: Quit the Keyhold app')
    } finally {
      app.close()
    }
    expect(names(dir)).toEqual(before)
    expect(readdirSync(dir).filter((n) => n.includes('restoring'))).toEqual([])
  })

  it('replaces an existing data folder; the old database and key are removed once the new one is verified', async () => {
    const dir = join(temp.path, 'new-machine', 'data')
    const other = cliFor(dir)
    expect((await other(['account', 'create', 'carol', '--password-stdin'], { input: `${strong}\n` })).code).toBe(0)
    expect((await other(['vault', 'rotate'])).code).toBe(0)
    expect(await keyOf(dir)).not.toBe(await keyOf(source))
    const run = await restore(dir)
    expect(okJson(run)).toMatchObject({ replaced: true })
    expect(names(dir)).toEqual(['alice', 'bob'])
    expect(await keyOf(dir)).toBe(await keyOf(source))
    expect(await (await keytar()).getPassword('Keyhold', `${keychainAccountFor(dir)}:before-restore`)).toBeNull()
    expect(readdirSync(dir).filter((n) => n.startsWith('keyhold.db.'))).toEqual([])
    expect(okJson(await other(['vault', 'status', '--json']))).toMatchObject({ audit: { ok: true } })
  })

  it('refuses a wrong passphrase before writing anything', async () => {
    const dir = join(temp.path, 'wrong-passphrase')
    expectFailure(await restore(dir, backupFile, 'not the passphrase at all\n'), 'WRONG_PASSPHRASE')
    expect(existsSync(dir)).toBe(false)
    expect(await keyOf(dir)).toBeNull()
  })

  it('refuses an altered file (payload or header) and leaves nothing behind', async () => {
    const original = readFileSync(backupFile)
    const payload = Buffer.from(original)
    payload[payload.length - 4000]! ^= 0x01
    const header = Buffer.from(original.toString('latin1').replace('"schemaVersion":', '"schemaVersion": '), 'latin1')
    const cut = original.subarray(0, original.length - 100)
    for (const [name, bytes] of [
      ['payload', payload],
      ['header', header],
      ['cut', cut],
    ] as const) {
      const file = join(temp.path, `tampered-${name}.kbak`)
      writeFileSync(file, bytes)
      const dir = join(temp.path, `tampered-${name}`)
      expectFailure(await restore(dir, file), 'BACKUP_INVALID', /is damaged or was altered/)
      expect(existsSync(join(dir, 'keyhold.db'))).toBe(false)
      expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([])
      expect(await keyOf(dir)).toBeNull()
    }
    const notBackup = join(temp.path, 'not-a-backup.kbak')
    writeFileSync(notBackup, 'hello')
    expectFailure(await restore(join(temp.path, 'nb'), notBackup), 'BACKUP_INVALID', /is not a Keyhold backup/)
  })

  it('refuses a backup of a newer schema, whether its header says so or only its database', async () => {
    const copy = join(temp.path, 'newer.db')
    const live = new Database(join(source, 'keyhold.db'))
    await live.backup(copy)
    live.close()
    const db = new Database(copy)
    db.pragma(`user_version = ${migrations.length + 1}`)
    db.pragma('journal_mode = DELETE')
    db.close()
    const masterKey = Buffer.from((await keyOf(source))!, 'base64')
    const honest = join(temp.path, 'newer-honest.kbak')
    const lying = join(temp.path, 'newer-lying.kbak')
    const write = (out: string, schemaVersion: number) =>
      writeBackupFile({ databaseFile: copy, masterKey, schemaVersion, passphrase, out, overwrite: false })
    await write(honest, migrations.length + 1)
    await write(lying, migrations.length)
    for (const file of [honest, lying]) {
      const dir = join(temp.path, `newer-${file === honest ? 'a' : 'b'}`)
      expectFailure(await restore(dir, file), 'DATABASE_TOO_NEW', new RegExp(`schema version ${migrations.length + 1}`))
      expect(existsSync(join(dir, 'keyhold.db'))).toBe(false)
    }
  })
})
