import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createKeytarSecretStore } from '../../electron/main/adapters/keychain/keytar-secret-store'
import { KeychainError, type SecretStore } from '../../electron/main/adapters/keychain/secret-store'
import { keychainAccountFor } from '../../electron/main/adapters/vault/open-vault'
import { describeStartupError, openKeyhold } from '../../electron/main/composition/open-keyhold'

/** Runs inside scripts/with-keyring.sh: a private D-Bus session with an unlocked gnome-keyring. */
const store = createKeytarSecretStore()
const dirs: string[] = []
function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'keyhold-vault-'))
  dirs.push(dir)
  return dir
}
afterAll(async () => {
  for (const dir of dirs) {
    await store.delete(keychainAccountFor(dir)).catch(() => false)
    rmSync(dir, { recursive: true, force: true })
  }
})

function filesOf(dir: string): Buffer {
  return Buffer.concat(readdirSync(dir).map((name) => readFileSync(join(dir, name))))
}

describe('vault and keychain (S19, S20)', () => {
  it('S19: makes a 256-bit master key in the keychain once and finds it again', async () => {
    const dir = dataDir()
    const first = await openKeyhold({ dataDir: dir, secretStore: store })
    const stored = await store.get(keychainAccountFor(dir))
    expect(stored).not.toBeNull()
    expect(Buffer.from(stored!, 'base64')).toHaveLength(32)
    const keyId = first.vault.cipher.keyId
    const sealed = first.vault.cipher.encrypt('top secret', 'test')
    first.close()

    const second = await openKeyhold({ dataDir: dir, secretStore: store })
    expect(second.vault.cipher.keyId).toBe(keyId)
    expect(second.vault.cipher.decrypt(sealed, 'test')).toBe('top secret')
    second.close()
  })

  it('S19, S20: neither the master key nor the audit key is written to the data folder', async () => {
    const dir = dataDir()
    const keyhold = await openKeyhold({ dataDir: dir, secretStore: store })
    await keyhold.accounts.createFirstAdmin({ username: 'alice', password: 'violet-harbour-kettle-42' }, 'cli:test')
    const masterKey = Buffer.from((await store.get(keychainAccountFor(dir)))!, 'base64')
    const auditKey = Buffer.from(keyhold.vault.auditKey)
    keyhold.close()
    const bytes = filesOf(dir)
    for (const secret of [masterKey, auditKey]) {
      expect(bytes.includes(secret)).toBe(false)
      expect(bytes.includes(Buffer.from(secret.toString('base64')))).toBe(false)
      expect(bytes.includes(Buffer.from(secret.toString('hex')))).toBe(false)
    }
    expect(bytes.includes(Buffer.from('violet-harbour-kettle-42'))).toBe(false)
  })

  it('S19: refuses a data folder whose key is missing from the keychain, without making a new one', async () => {
    const dir = dataDir()
    ;(await openKeyhold({ dataDir: dir, secretStore: store })).close()
    await store.delete(keychainAccountFor(dir))
    const error = await openKeyhold({ dataDir: dir, secretStore: store }).catch((e: unknown) => e)
    expect(describeStartupError(error, dir)).toMatchObject({ code: 'KEY_MISMATCH' })
    expect(await store.get(keychainAccountFor(dir))).toBeNull()
  })

  it('S19: refuses a keychain entry holding another key', async () => {
    const dir = dataDir()
    ;(await openKeyhold({ dataDir: dir, secretStore: store })).close()
    await store.set(keychainAccountFor(dir), Buffer.alloc(32, 7).toString('base64'))
    const error = await openKeyhold({ dataDir: dir, secretStore: store }).catch((e: unknown) => e)
    expect(describeStartupError(error, dir)).toMatchObject({
      code: 'KEY_MISMATCH',
      message: expect.stringMatching(/different master key/),
    })
  })

  it('S19: fails closed with an explanation when the keychain does not answer', async () => {
    const dir = dataDir()
    const broken: SecretStore = {
      get: () => Promise.reject(new KeychainError('unavailable', 'Cannot autolaunch D-Bus without X11 $DISPLAY')),
      set: () => Promise.reject(new Error('must not be called')),
      delete: () => Promise.resolve(false),
    }
    const error = await openKeyhold({ dataDir: dir, secretStore: broken }).catch((e: unknown) => e)
    const problem = describeStartupError(error, dir)
    expect(problem.code).toBe('KEYCHAIN_UNAVAILABLE')
    expect(problem.fix).toMatch(/gnome-keyring/)
  })

  it('S19: real keytar with no Secret Service reachable is classified as an unavailable keychain', async () => {
    // A child process whose D-Bus address points nowhere gives keytar's real failure message
    // (libsecret keeps its bus connection, so this process cannot be pointed elsewhere).
    const result = spawnSync(
      process.execPath,
      [
        '-e',
        "require('keytar').getPassword('Keyhold','probe').then(()=>console.log('answered'),e=>console.log(e.message))",
      ],
      {
        env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus', DISPLAY: '' },
        encoding: 'utf8',
      },
    )
    const message = result.stdout.trim()
    expect(message).not.toBe('answered')
    const failing = createKeytarSecretStore(async () => {
      const keytar = await import('keytar')
      return { ...keytar, getPassword: () => Promise.reject(new Error(message)) }
    })
    const error = await failing.get('probe').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KeychainError)
    expect((error as KeychainError).failure).toBe('unavailable')
  })
})
