import Database from 'better-sqlite3'
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { totpSecretContext } from '../../services/mfa-deps'
import type { AuditLog, Clock } from '../../services/ports'
import { createAesGcmCipher, keyIdOf, type Cipher } from '../crypto/aes-gcm-cipher'
import { emailSettingKey, smsSettingKey } from '../delivery/provider-settings'
import type { SecretStore } from '../keychain/secret-store'
import type { SqliteDatabase } from '../sqlite/open-database'
import { databaseFileName } from '../system/data-dir'
import { prepareDatabaseFile } from '../system/private-files'
import { createSqliteSettings, type SettingsStore } from '../sqlite/sqlite-settings'
import { keychainAccountFor, setupCodeKeySetting, VaultKeyError } from './open-vault'

/**
 * `keyhold vault rotate`: a new master key, and every secret at rest
 * re-encrypted under it in one transaction (S19, S20): TOTP secrets of methods
 * and of pending enrollments, the sealed audit-log key, and the provider
 * secrets. The audit key itself stays the same, so the chain (S22) continues.
 *
 * The order makes a crash at any point leave the data readable:
 *   1. BEGIN IMMEDIATE: the write lock, so no other process writes (or rotates) meanwhile;
 *   2. the new key goes into a second keychain entry (`…:next`);
 *   3. every ciphertext is re-encrypted and `vault.key_id` set to the new key's id; COMMIT;
 *   4. the new key replaces the old one in the main entry; 5. the second entry is removed.
 * Before 3 commits, the database still needs the old key, which is still in the
 * main entry. After it, the new key is in the second entry until 4 is done;
 * `settleInterruptedRotation`, run when a data folder is opened, finishes 4 and 5
 * whenever the main entry does not match the database but the second one does.
 */
const keyIdSetting = 'vault.key_id'
const auditKeySetting = 'vault.audit_key'

export function pendingKeyAccount(dataDir: string): string {
  return `${keychainAccountFor(dataDir)}:next`
}

function decodeKey(text: string): Buffer {
  const key = Buffer.from(text, 'base64')
  if (key.length !== 32) throw new VaultKeyError('mismatch', 'A master key in the keychain is not 256 bits long')
  return key
}

export type SettleOutcome = 'none' | 'promoted' | 'left'

/**
 * Finishes a rotation that stopped between its commit and the keychain
 * update: when the database was re-keyed to the key in the second entry, that
 * key becomes the main one. A second entry that does not match is left alone:
 * it may belong to a rotation running right now in another process, and the
 * next rotation replaces it anyway.
 */
export async function settleInterruptedRotation(deps: {
  readonly dataDir: string
  readonly secretStore: SecretStore
  readonly settings: SettingsStore
}): Promise<SettleOutcome> {
  const pending = await deps.secretStore.get(pendingKeyAccount(deps.dataDir))
  if (pending === null) return 'none'
  const recorded = deps.settings.get(keyIdSetting)
  let pendingId: string
  try {
    pendingId = keyIdOf(decodeKey(pending))
  } catch {
    return 'left'
  }
  if (recorded === null || pendingId !== recorded) return 'left'
  const main = keychainAccountFor(deps.dataDir)
  const current = await deps.secretStore.get(main)
  if (current !== pending) await deps.secretStore.set(main, pending)
  await deps.secretStore.delete(pendingKeyAccount(deps.dataDir))
  return 'promoted'
}

/** The same, for a data folder that is not open (the CLI runs it before opening one to rotate again). */
export async function settleInterruptedRotationIn(
  dataDir: string,
  secretStore: SecretStore,
  options: { readonly nativeBinding?: string } = {},
): Promise<SettleOutcome> {
  const file = join(dataDir, databaseFileName)
  if (!existsSync(file)) return 'none'
  prepareDatabaseFile(file, { create: false })
  const db = new Database(file, {
    fileMustExist: true,
    ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
  })
  try {
    db.pragma('busy_timeout = 5000')
    return await settleInterruptedRotation({ dataDir, secretStore, settings: createSqliteSettings(db) })
  } finally {
    db.close()
  }
}

export interface RotateVaultOptions {
  readonly dataDir: string
  readonly db: SqliteDatabase
  readonly secretStore: SecretStore
  readonly audit: AuditLog
  readonly clock: Clock
  readonly actor: string
}

export interface RotationReport {
  readonly previousKeyId: string
  readonly keyId: string
  readonly totpSecrets: number
  readonly enrollmentSecrets: number
  readonly providerSecrets: number
  /** Email and SMS codes waiting to be entered: keyed with the old key, so they are withdrawn (S9). */
  readonly codesWithdrawn: number
}

/** The provider settings rows: which JSON fields hold ciphertexts, and the associated data of each. */
function resealProviders(settings: SettingsStore, reseal: (sealed: string, aad: string) => string): number {
  let count = 0
  const email = settings.get(emailSettingKey)
  if (email !== null) {
    const stored = JSON.parse(email) as Record<string, unknown>
    if (typeof stored.password === 'string') {
      stored.password = reseal(stored.password, `${emailSettingKey}:password`)
      count += 1
    }
    settings.set(emailSettingKey, JSON.stringify(stored))
  }
  const sms = settings.get(smsSettingKey)
  if (sms !== null) {
    const stored = JSON.parse(sms) as Record<string, unknown>
    for (const field of ['password', 'authToken']) {
      const value = stored[field]
      if (typeof value === 'string') {
        stored[field] = reseal(value, `${smsSettingKey}:${field}`)
        count += 1
      }
    }
    const headers = stored.secretHeaders
    if (typeof headers === 'object' && headers !== null) {
      const resealed: Record<string, string> = {}
      for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
        if (typeof value !== 'string') throw new Error(`provider.sms secret header ${name} is not a ciphertext`)
        resealed[name] = reseal(value, `${smsSettingKey}:secretHeaders.${name}`)
        count += 1
      }
      stored.secretHeaders = resealed
    }
    settings.set(smsSettingKey, JSON.stringify(stored))
  }
  return count
}

/**
 * Every place in the database that still holds a ciphertext of the old key,
 * whatever the table or column: a secret added by a later feature and not yet
 * known here stops the rotation (it rolls back) instead of becoming unreadable.
 */
export function ciphertextsOf(db: SqliteDatabase, keyId: string): string[] {
  const needle = `v1.${keyId}.`
  const tables = db
    .prepare<[], { name: string }>("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    .all()
  const found: string[] = []
  for (const { name } of tables) {
    const quoted = `"${name.replaceAll('"', '""')}"`
    const columns = db
      .prepare<[], { name: string }>(`SELECT name FROM pragma_table_info(${`'${name.replaceAll("'", "''")}'`})`)
      .all()
    for (const column of columns) {
      const col = `"${column.name.replaceAll('"', '""')}"`
      const hit = db
        .prepare<[string], { n: number }>(`SELECT count(*) AS n FROM ${quoted} WHERE instr(${col}, ?) > 0`)
        .get(needle)
      if (hit && hit.n > 0) found.push(`${name}.${column.name}`)
    }
  }
  return found
}

function reencryptColumn(
  db: SqliteDatabase,
  table: 'mfa_methods' | 'mfa_enrollments',
  reseal: (sealed: string, aad: string) => string,
): number {
  const rows = db
    .prepare<[], { id: number | string; account_id: number; secret_enc: string }>(
      `SELECT id, account_id, secret_enc FROM ${table} WHERE secret_enc IS NOT NULL`,
    )
    .all()
  const update = db.prepare<[string, number | string]>(`UPDATE ${table} SET secret_enc = ? WHERE id = ?`)
  for (const row of rows) update.run(reseal(row.secret_enc, totpSecretContext(row.account_id)), row.id)
  return rows.length
}

export async function rotateVault(options: RotateVaultOptions): Promise<RotationReport> {
  const { db, secretStore, dataDir } = options
  const main = keychainAccountFor(dataDir)
  const pending = pendingKeyAccount(dataDir)
  const settings = createSqliteSettings(db)
  // Freed pages are zeroed, so the old ciphertexts do not linger in the file's free space.
  db.pragma('secure_delete = ON')
  db.exec('BEGIN IMMEDIATE')
  let pendingWritten = false
  let report: RotationReport
  let newKeyText: string
  try {
    const recorded = settings.get(keyIdSetting)
    const stored = await secretStore.get(main)
    const oldKey = stored === null ? null : decodeKey(stored)
    if (recorded === null || oldKey === null || keyIdOf(oldKey) !== recorded) {
      throw new VaultKeyError(
        'mismatch',
        'The master key in the keychain is not the one the database uses (did another rotation just run?); try again',
      )
    }
    const newKey = randomBytes(32)
    newKeyText = newKey.toString('base64')
    await secretStore.set(pending, newKeyText)
    pendingWritten = true
    const from: Cipher = createAesGcmCipher([oldKey])
    const to: Cipher = createAesGcmCipher([newKey])
    const reseal = (sealed: string, aad: string) => to.encrypt(from.decrypt(sealed, aad), aad)

    // From here on everything is synchronous: the transaction ends with COMMIT or ROLLBACK below.
    const totpSecrets = reencryptColumn(db, 'mfa_methods', reseal)
    const enrollmentSecrets = reencryptColumn(db, 'mfa_enrollments', reseal)
    const auditKey = settings.get(auditKeySetting)
    if (auditKey !== null) settings.set(auditKeySetting, reseal(auditKey, auditKeySetting))
    // The setup-code key, like the audit key, stays the same: pending setup codes keep working.
    const setupCodeKey = settings.get(setupCodeKeySetting)
    if (setupCodeKey !== null) settings.set(setupCodeKeySetting, reseal(setupCodeKey, setupCodeKeySetting))
    const providerSecrets = resealProviders(settings, reseal)
    // S9: codes are keyed hashes under a key derived from the master key; they could not be checked any more.
    const codesWithdrawn = db.prepare('DELETE FROM otp_codes').run().changes
    settings.set(keyIdSetting, to.keyId)
    const left = ciphertextsOf(db, from.keyId)
    if (left.length > 0) {
      throw new Error(`Ciphertexts of the old key remain in ${left.join(', ')}; nothing was changed`)
    }
    report = {
      previousKeyId: from.keyId,
      keyId: to.keyId,
      totpSecrets,
      enrollmentSecrets,
      providerSecrets,
      codesWithdrawn,
    }
    options.audit.append(
      {
        actor: options.actor,
        event: 'vault.rotated',
        accountId: null,
        detail: {
          keyId: to.keyId,
          previousKeyId: from.keyId,
          secrets:
            totpSecrets +
            enrollmentSecrets +
            providerSecrets +
            (auditKey === null ? 0 : 1) +
            (setupCodeKey === null ? 0 : 1),
          codesWithdrawn,
        },
      },
      options.clock.now(),
    )
    db.exec('COMMIT')
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK')
    // Rolled back: the new key was never used, and we still hold nothing another rotation could need.
    if (pendingWritten) await secretStore.delete(pending).catch(() => false)
    throw error
  }
  // Committed: the database needs the new key now. It is in the second entry until these two finish.
  await secretStore.set(main, newKeyText)
  await secretStore.delete(pending)
  return report
}
