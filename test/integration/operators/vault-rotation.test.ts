import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createKeytarSecretStore } from '../../../electron/main/adapters/keychain/keytar-secret-store'
import type { SecretStore } from '../../../electron/main/adapters/keychain/secret-store'
import { keychainAccountFor } from '../../../electron/main/adapters/vault/open-vault'
import {
  pendingKeyAccount,
  rotateVault,
  settleInterruptedRotation,
  settleInterruptedRotationIn,
} from '../../../electron/main/adapters/vault/rotate-vault'
import { createSqliteSettings } from '../../../electron/main/adapters/sqlite/sqlite-settings'
import { openKeyhold, type Keyhold } from '../../../electron/main/composition/open-keyhold'
import { totpSecretContext } from '../../../electron/main/services/mfa-deps'

/**
 * `vault rotate` under failure (S19, S20): whatever step a rotation stops at,
 * the data stays readable, with the old key or, once the commit happened,
 * with the new one, which the next open (or the next `vault rotate`) promotes.
 * Runs inside scripts/with-keyring.sh: the real keychain.
 */
const store = createKeytarSecretStore()
const dirs: string[] = []
const totpSecret = Buffer.alloc(20, 7).toString('base64')

afterAll(async () => {
  for (const dir of dirs) {
    await store.delete(keychainAccountFor(dir)).catch(() => false)
    await store.delete(pendingKeyAccount(dir)).catch(() => false)
    rmSync(dir, { recursive: true, force: true })
  }
})

/** A data folder with one account, a TOTP method and a provider with secrets; closed again. */
async function dataFolder(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'keyhold-rotate-'))
  dirs.push(dir)
  const keyhold = await openKeyhold({ dataDir: dir, secretStore: store })
  try {
    await keyhold.accounts.createFirstAdmin({ username: 'alice', password: 'violet-harbour-kettle-42' }, 'test')
    const account = keyhold.deps.accounts.findByUsername('alice')!
    keyhold.deps.methods.insert({
      accountId: account.id,
      type: 'totp',
      label: 'Phone',
      destination: null,
      secretEnc: keyhold.vault.cipher.encrypt(totpSecret, totpSecretContext(account.id)),
      totp: { algorithm: 'sha1', digits: 6, period: 30 },
      lastUsedStep: null,
      preferred: true,
      createdAt: 1,
    })
    keyhold.providers.setSms({
      kind: 'http',
      method: 'POST',
      url: 'http://127.0.0.1:9/send',
      headers: { Accept: 'text/plain' },
      secretHeaders: { 'X-Api-Key': 'header-secret-1', 'X-Other': 'header-secret-2' },
      body: '{"to":"{to}","text":"{text}"}',
    })
  } finally {
    keyhold.close()
  }
  return dir
}

function rotate(keyhold: Keyhold, secretStore: SecretStore = store) {
  return rotateVault({
    dataDir: keyhold.dataDir,
    db: keyhold.db,
    secretStore,
    audit: keyhold.auditLog,
    clock: keyhold.deps.clock,
    actor: 'test',
  })
}

/** Everything a rotation must keep readable, read through a fresh open of the folder. */
async function expectReadable(dir: string): Promise<string> {
  const keyhold = await openKeyhold({ dataDir: dir, secretStore: store })
  try {
    const account = keyhold.deps.accounts.findByUsername('alice')!
    const [method] = keyhold.deps.methods.listActive(account.id)
    expect(keyhold.vault.cipher.decrypt(method!.secretEnc!, totpSecretContext(account.id))).toBe(totpSecret)
    const sms = keyhold.providers.resolved.sms()
    expect(sms).toMatchObject({ secretHeaders: { 'X-Api-Key': 'header-secret-1', 'X-Other': 'header-secret-2' } })
    expect(keyhold.auditLog.verify()).toMatchObject({ ok: true })
    return keyhold.vault.cipher.keyId
  } finally {
    keyhold.close()
  }
}

/** The real keychain, with one call made to fail. */
function failing(on: (account: string, secret: string) => boolean): SecretStore {
  return {
    get: (account) => store.get(account),
    delete: (account) => store.delete(account),
    set: async (account, secret) => {
      if (on(account, secret)) throw new Error('simulated crash')
      await store.set(account, secret)
    },
  }
}

describe('vault rotation, step by step (S19, S20)', () => {
  it('rotates the secrets of the generic HTTP SMS adapter (secret headers) too', async () => {
    const dir = await dataFolder()
    const before = await expectReadable(dir)
    const keyhold = await openKeyhold({ dataDir: dir, secretStore: store })
    const report = await rotate(keyhold).finally(() => keyhold.close())
    expect(report).toMatchObject({ previousKeyId: before, totpSecrets: 1, providerSecrets: 2 })
    expect(await expectReadable(dir)).toBe(report.keyId)
  })

  it('stopped after the commit, before the keychain was updated: the next open finds the new key', async () => {
    const dir = await dataFolder()
    const before = await expectReadable(dir)
    const keyhold = await openKeyhold({ dataDir: dir, secretStore: store })
    const crash = failing((account) => account === keychainAccountFor(dir))
    await expect(rotate(keyhold, crash).finally(() => keyhold.close())).rejects.toThrow('simulated crash')
    // The database is re-keyed, the main entry still holds the old key, the second entry the new one.
    const pending = await store.get(pendingKeyAccount(dir))
    expect(pending).not.toBeNull()
    expect(await store.get(keychainAccountFor(dir))).not.toBe(pending)
    // Opening the folder (app, preview or CLI) finishes the rotation: the new key becomes the main one.
    expect(await expectReadable(dir)).not.toBe(before)
    expect(await store.get(keychainAccountFor(dir))).toBe(pending)
    expect(await store.get(pendingKeyAccount(dir))).toBeNull()
    expect(await settleInterruptedRotationIn(dir, store)).toBe('none')
  })

  it('stopped before the commit (a ciphertext that does not open): rolled back, the old key still reads everything', async () => {
    const dir = await dataFolder()
    const before = await expectReadable(dir)
    const keyhold = await openKeyhold({ dataDir: dir, secretStore: store })
    // A sealed value under the right key id but for another place: it cannot be opened, so the rotation stops.
    const settings = createSqliteSettings(keyhold.db)
    const stored = JSON.parse(settings.get('provider.sms')!) as { secretHeaders: Record<string, string> }
    const swapped = {
      ...stored,
      secretHeaders: { 'X-Api-Key': stored.secretHeaders['X-Other']!, 'X-Other': stored.secretHeaders['X-Api-Key']! },
    }
    settings.set('provider.sms', JSON.stringify(swapped))
    await expect(rotate(keyhold).finally(() => keyhold.close())).rejects.toThrow(/altered or belongs elsewhere/)
    expect(await store.get(pendingKeyAccount(dir))).toBeNull()
    const reopened = await openKeyhold({ dataDir: dir, secretStore: store })
    try {
      expect(reopened.vault.cipher.keyId).toBe(before)
      createSqliteSettings(reopened.db).set('provider.sms', JSON.stringify(stored))
    } finally {
      reopened.close()
    }
    expect(await expectReadable(dir)).toBe(before)
  })

  it('refuses to leave behind a ciphertext it does not know, and changes nothing', async () => {
    const dir = await dataFolder()
    const before = await expectReadable(dir)
    const keyhold = await openKeyhold({ dataDir: dir, secretStore: store })
    createSqliteSettings(keyhold.db).set('future.secret', keyhold.vault.cipher.encrypt('x', 'future.secret'))
    await expect(rotate(keyhold).finally(() => keyhold.close())).rejects.toThrow(
      /Ciphertexts of the old key remain in settings\.value; nothing was changed/,
    )
    expect(await expectReadable(dir)).toBe(before)
  })

  it('stopped after the new key was stored but before the commit: the orphan key is left alone, the data reads as before', async () => {
    const dir = await dataFolder()
    const before = await expectReadable(dir)
    // What a crash right after step 2 leaves: a second entry whose key the database never used.
    await store.set(pendingKeyAccount(dir), Buffer.alloc(32, 9).toString('base64'))
    const keyhold = await openKeyhold({ dataDir: dir, secretStore: store })
    try {
      expect(
        await settleInterruptedRotation({
          dataDir: dir,
          secretStore: store,
          settings: createSqliteSettings(keyhold.db),
        }),
      ).toBe('left')
      // The next rotation replaces the orphan and finishes normally.
      const report = await rotate(keyhold)
      expect(report.previousKeyId).toBe(before)
    } finally {
      keyhold.close()
    }
    expect(await store.get(pendingKeyAccount(dir))).toBeNull()
    await expectReadable(dir)
  })
})
