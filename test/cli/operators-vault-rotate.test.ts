import Database from 'better-sqlite3'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { keychainAccountFor } from '../../electron/main/adapters/vault/open-vault'
import { startKannelPeer, type KannelPeer } from '../peers/kannel-peer'
import { startSmtpPeer, type SmtpPeer } from '../peers/smtp-peer'
import { expectFailure, okJson, requireOathtool, totpSetupOf } from './support/mfa-cli'
import { addTotp, oathtoolCodeAt } from './support/operators'
import { auditRows, cliActor, requireBuiltCli, siteFor, withDatabase } from './support/run-cli'
import { emailProviderArgs, initSite, kannelProviderArgs } from './support/site-setup'

/**
 * `keyhold vault rotate` (S19, S20): a new master key, every secret re-encrypted
 * under it, and afterwards everything still works: TOTP sign-in, a setup in
 * progress, the SMTP and Kannel passwords, the audit chain; and the database
 * holds no ciphertext of the old key, not even in its free pages.
 */
const { temp, dataDir, cli } = siteFor('rotate')
const strong = 'Orbit lantern 7 meadow'
const smtpPassword = 'smtp-Secret-4711-xyz'
let smtp: SmtpPeer
let kannel: KannelPeer
let bob: { secret: string; recoveryCodes: string[] }
let carolSetup: { enrollmentId: string; secret: string }

type Keytar = typeof import('keytar')
async function keytar(): Promise<Keytar> {
  const loaded: Keytar & { default?: Keytar } = await import('keytar')
  return loaded.default ?? loaded
}

async function keyId(): Promise<string> {
  return okJson<{ keychain: { keyId: string } }>(await cli(['vault', 'status', '--json'])).keychain.keyId
}

/** Every column of every table that holds a ciphertext of `id`, read independently of Keyhold's code. */
function columnsWithCiphertextOf(id: string): string[] {
  return withDatabase(dataDir, (db) => {
    const found: string[] = []
    const tables = db.prepare<[], { name: string }>("SELECT name FROM sqlite_schema WHERE type = 'table'").all()
    for (const { name } of tables) {
      for (const { name: column } of db
        .prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('${name}')`)
        .all()) {
        const n = db
          .prepare(`SELECT count(*) AS n FROM "${name}" WHERE instr("${column}", ?) > 0`)
          .get(`v1.${id}.`) as { n: number }
        if (n.n > 0) found.push(`${name}.${column}`)
      }
    }
    return found
  })
}

beforeAll(async () => {
  requireBuiltCli({ keyring: true })
  requireOathtool()
  ;[smtp, kannel] = await Promise.all([
    startSmtpPeer({ auth: { user: 'keyhold', pass: smtpPassword } }),
    startKannelPeer(),
  ])
  await initSite(cli, strong, 'alice', ['bob', 'carol', 'dave'])
  bob = await addTotp(cli, 'bob')
  const setup = totpSetupOf(await cli(['mfa', 'enroll', 'begin', 'carol', '--type', 'totp', '--json']))
  carolSetup = { enrollmentId: setup.enrollmentId, secret: setup.secret }
  const email = emailProviderArgs(smtp, { from: 'k@example.org', username: 'keyhold' })
  expect((await cli(email, { input: `${smtpPassword}\n` })).code).toBe(0)
  expect((await cli(kannelProviderArgs(kannel), { input: `${kannel.password}\n` })).code).toBe(0)
  // An email code waiting to be entered: keyed under the old key, it is withdrawn by the rotation.
  okJson(await cli(['mfa', 'enroll', 'begin', 'dave', '--type', 'email', '--email', 'dave@example.org', '--json']))
  await smtp.waitForMessage('dave@example.org')
}, 60_000)
afterAll(async () => {
  await Promise.all([smtp?.close(), kannel?.close()])
  temp.remove()
})

describe('keyhold vault rotate', () => {
  let previous: string

  it('re-encrypts every secret under a new key in one go and reports what it did', async () => {
    previous = await keyId()
    expect(columnsWithCiphertextOf(previous).sort()).toEqual([
      'mfa_enrollments.secret_enc',
      'mfa_methods.secret_enc',
      'settings.value',
    ])
    const report = okJson<Record<string, unknown>>(await cli(['vault', 'rotate', '--json']))
    expect(report).toEqual({
      previousKeyId: previous,
      keyId: expect.stringMatching(/^[0-9a-f]{16}$/),
      totpSecrets: 1,
      enrollmentSecrets: 1,
      providerSecrets: 2,
      codesWithdrawn: 1,
    })
    expect(report.keyId).not.toBe(previous)
    expect(await keyId()).toBe(report.keyId)
    // The keychain holds the new key only: the second entry used during the rotation is gone.
    expect(await (await keytar()).getPassword('Keyhold', `${keychainAccountFor(dataDir)}:next`)).toBeNull()
    expect(auditRows(dataDir).at(-1)).toEqual({ actor: cliActor, event: 'vault.rotated', account_id: null })
  })

  it('S20: no ciphertext of the old key is left, in any table or anywhere in the file', () => {
    expect(columnsWithCiphertextOf(previous)).toEqual([])
    const needle = Buffer.from(`v1.${previous}.`)
    for (const file of ['keyhold.db', 'keyhold.db-wal']) {
      const path = join(dataDir, file)
      if (existsSync(path)) expect(readFileSync(path).includes(needle), file).toBe(false)
    }
  })

  it('S22: the audit chain continues under the same audit key', async () => {
    expect(okJson(await cli(['audit', 'verify', '--json']))).toMatchObject({ ok: true })
  })

  it('TOTP sign-in still works, and so does finishing a setup begun before the rotation', async () => {
    const auth = await cli(['auth', 'bob', '--json'], { input: `${strong}\n${oathtoolCodeAt(bob.secret, 30)}\n` })
    expect(okJson(auth)).toMatchObject({ authenticated: true, factor: 'totp' })
    const verified = await cli([
      'mfa',
      'enroll',
      'verify',
      carolSetup.enrollmentId,
      '--code',
      oathtoolCodeAt(carolSetup.secret, 0),
      '--json',
    ])
    expect(okJson(verified)).toMatchObject({ enrollmentId: carolSetup.enrollmentId })
  })

  it('provider secrets are still set, and email and SMS still send with them', async () => {
    const list = okJson<{ email: { passwordSet: boolean }; sms: { passwordSet: boolean } }>(
      await cli(['provider', 'list', '--json']),
    )
    expect(list.email.passwordSet).toBe(true)
    expect(list.sms.passwordSet).toBe(true)
    expect(okJson(await cli(['provider', 'test', 'email', '--to', 'ops@example.org', '--json']))).toEqual({
      sent: true,
    })
    expect((await smtp.waitForMessage('ops@example.org')).user).toBe('keyhold')
    expect(okJson(await cli(['provider', 'test', 'sms', '--to', '+44 20 7946 0958', '--json']))).toEqual({ sent: true })
    expect((await kannel.waitForSms('+442079460958')).text).toMatch(/^Keyhold test message/)
  })

  it('the withdrawn email code is gone: the user is asked to send a new one, and no failure is counted', async () => {
    expect(withDatabase(dataDir, (db) => db.prepare('SELECT count(*) AS n FROM otp_codes').get())).toEqual({ n: 0 })
  })

  it('refuses while Keyhold has the data folder open: the running app still holds the old key', async () => {
    const before = await keyId()
    const app = new Database(join(dataDir, 'keyhold.db'))
    try {
      app.pragma('journal_mode = WAL')
      app.prepare('SELECT count(*) FROM accounts').get()
      expectFailure(await cli(['vault', 'rotate', '--json']), 'DATA_DIR_IN_USE', /Keyhold has this data folder open/)
    } finally {
      app.close()
    }
    expect(await keyId()).toBe(before)
  })

  it('rotates again', async () => {
    const before = await keyId()
    const again = okJson<{ previousKeyId: string; keyId: string }>(await cli(['vault', 'rotate', '--json']))
    expect(again.previousKeyId).toBe(before)
    expect(columnsWithCiphertextOf(before)).toEqual([])
    expect((await cli(['vault', 'status'])).code).toBe(0)
  })
})
