import { hkdfSync } from 'node:crypto'
import { resolve } from 'node:path'
import type { Random } from '../../services/ports'
import { createAesGcmCipher, keyIdOf, type Cipher } from '../crypto/aes-gcm-cipher'
import type { SecretStore } from '../keychain/secret-store'
import type { SettingsStore } from '../sqlite/sqlite-settings'

/**
 * S19: the master key is 256 random bits kept in the OS keychain, one entry per
 * data directory. The database records only the key's id, so a data directory
 * opened with the wrong keychain (copied to another machine, keychain reset) is
 * refused with a clear message instead of silently making a second key.
 */
export interface Vault {
  readonly cipher: Cipher
  /** Key for the audit log's HMAC chain (S22): random, stored encrypted under the master key. */
  readonly auditKey: Uint8Array
  /** Key for the keyed hashes of email and SMS codes (S9), derived from the master key. */
  readonly codeKey: Uint8Array
  /**
   * Key for the keyed hashes of setup codes: random and sealed like the audit key, so it
   * survives `vault rotate` and the 7-day codes pending then stay valid (README design notes).
   */
  readonly setupCodeKey: Uint8Array
}

export class VaultKeyError extends Error {
  constructor(
    readonly problem: 'missing' | 'mismatch',
    message: string,
  ) {
    super(message)
    this.name = 'VaultKeyError'
  }
}

export function keychainAccountFor(dataDir: string): string {
  return `master-key:${resolve(dataDir)}`
}

const keyIdSetting = 'vault.key_id'
const auditKeySetting = 'vault.audit_key'
export const setupCodeKeySetting = 'vault.setup_code_key'

function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64')
}

function decodeKey(text: string): Uint8Array {
  const key = Buffer.from(text, 'base64')
  if (key.length !== 32) throw new VaultKeyError('mismatch', 'The master key in the keychain is not 256 bits long')
  return new Uint8Array(key)
}

export interface OpenVaultDeps {
  readonly dataDir: string
  readonly secretStore: SecretStore
  readonly settings: SettingsStore
  readonly random: Random
  /** Runs a synchronous write atomically. */
  readonly tx: <T>(fn: () => T) => T
}

export async function openVault(deps: OpenVaultDeps): Promise<Vault> {
  const account = keychainAccountFor(deps.dataDir)
  const recordedKeyId = deps.settings.get(keyIdSetting)
  const stored = await deps.secretStore.get(account)

  let key: Uint8Array
  if (stored !== null) {
    key = decodeKey(stored)
    if (recordedKeyId !== null && recordedKeyId !== keyIdOf(key)) {
      throw new VaultKeyError(
        'mismatch',
        `The keychain entry "${account}" holds a different master key than the one this database was encrypted with`,
      )
    }
  } else {
    if (recordedKeyId !== null) {
      throw new VaultKeyError(
        'missing',
        `This database was encrypted with a master key that is not in this keychain (entry "${account}")`,
      )
    }
    key = deps.random.bytes(32)
    // Keychain first: if we stop between the two writes, the next start finds the
    // key and no recorded id, and adopts it; the reverse order would lose the key.
    await deps.secretStore.set(account, toBase64(key))
  }

  const cipher = createAesGcmCipher([key])
  /** A random key sealed under the master key in `setting`, made the first time it is asked for. */
  const sealedKey = (setting: string): Uint8Array => {
    const sealed = deps.settings.get(setting)
    if (sealed !== null) return Buffer.from(cipher.decrypt(sealed, setting), 'base64')
    const fresh = deps.random.bytes(32)
    deps.settings.set(setting, cipher.encrypt(toBase64(fresh), setting))
    return fresh
  }
  // Read first: once the folder has its key id and sealed keys (every open but the first), opening
  // takes no write lock. Otherwise they are made in one transaction, which looks again under the lock.
  const settled = [keyIdSetting, auditKeySetting, setupCodeKeySetting].every((key) => deps.settings.get(key) !== null)
  const keys = () => [sealedKey(auditKeySetting), sealedKey(setupCodeKeySetting)] as const
  const [auditKey, setupCodeKey] = settled
    ? keys()
    : deps.tx(() => {
        if (deps.settings.get(keyIdSetting) === null) deps.settings.set(keyIdSetting, cipher.keyId)
        return keys()
      })
  // Codes live minutes, so a key derived from the master key is enough: a rotation only voids codes in flight.
  const codeKey = new Uint8Array(hkdfSync('sha256', key, new Uint8Array(0), 'keyhold/code-hmac/v1', 32))
  return { cipher, auditKey: new Uint8Array(auditKey), codeKey, setupCodeKey: new Uint8Array(setupCodeKey) }
}
