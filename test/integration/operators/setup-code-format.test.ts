import { readdirSync, readFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createArgon2PasswordHasher } from '../../../electron/main/adapters/crypto/argon2-password-hasher'
import { createKeytarSecretStore } from '../../../electron/main/adapters/keychain/keytar-secret-store'
import { keychainAccountFor, setupCodeKeySetting } from '../../../electron/main/adapters/vault/open-vault'
import { pendingKeyAccount, rotateVault } from '../../../electron/main/adapters/vault/rotate-vault'
import { createSqliteSettings } from '../../../electron/main/adapters/sqlite/sqlite-settings'
import { openKeyhold, type Keyhold } from '../../../electron/main/composition/open-keyhold'
import { normalizeSetupCode } from '../../../electron/main/domain/one-time-codes'

/**
 * Issue 15: setup codes are 120 bits stored under HMAC-SHA256 with a key of
 * their own, sealed by the vault (S19, S20) and kept across `vault rotate`, so
 * a code printed before a rotation still works after it. Codes issued before
 * (80 bits, Argon2id) stay valid until they expire. Runs inside
 * scripts/with-keyring.sh: the real keychain.
 */
const store = createKeytarSecretStore()
const cheap = createArgon2PasswordHasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 })
const dirs: string[] = []
const admin = 'cli:test'
const day = 86_400_000

afterAll(async () => {
  for (const dir of dirs) {
    await store.delete(keychainAccountFor(dir)).catch(() => false)
    await store.delete(pendingKeyAccount(dir)).catch(() => false)
    rmSync(dir, { recursive: true, force: true })
  }
})

async function open(dir?: string, now?: () => number): Promise<Keyhold> {
  const dataDir = dir ?? mkdtempSync(join(tmpdir(), 'keyhold-setup-code-'))
  if (!dir) dirs.push(dataDir)
  return openKeyhold({
    dataDir,
    secretStore: store,
    hasher: cheap,
    ...(now ? { clock: { now } } : {}),
  })
}

async function siteWith(keyhold: Keyhold, username: string): Promise<string> {
  if (keyhold.deps.accounts.count() === 0) {
    await keyhold.accounts.createFirstAdmin({ username: 'alice', password: 'violet-harbour-kettle-42' }, admin)
  }
  const created = await keyhold.services.admin.create({ username, role: 'user' }, admin)
  return created.setupCode.setupCode
}

function storedHash(keyhold: Keyhold, username: string): string {
  const account = keyhold.deps.accounts.findByUsername(username)!
  return keyhold.deps.setupCodes.get(account.id)!.codeHash
}

function filesOf(dir: string): Buffer {
  return Buffer.concat(readdirSync(dir).map((name) => readFileSync(join(dir, name))))
}

describe('setup codes: 120 bits under a keyed hash', () => {
  it('a code is 24 Base32 characters (120 bits); the database keeps only its HMAC, not an Argon2id hash', async () => {
    const keyhold = await open()
    try {
      const code = await siteWith(keyhold, 'bob')
      expect(code).toMatch(/^[A-Z2-7]{4}(-[A-Z2-7]{4}){5}$/)
      const hash = storedHash(keyhold, 'bob')
      expect(hash).toMatch(/^hmac-sha256\$[0-9a-f]{64}$/)
      // The same code under another data folder's key gives another hash: the key is per folder and random.
      const other = await open()
      try {
        expect(other.deps.setupCodeHasher.hash(normalizeSetupCode(code)!)).not.toBe(hash)
      } finally {
        other.close()
      }
      // Typed the way people type: lower case, spaces for dashes, 0/1/8 for O/I/B are all the same code.
      const typed = code.toLowerCase().replaceAll('-', ' ').replaceAll('o', '0').replaceAll('i', '1')
      await keyhold.services.setupCodes.redeem('bob', typed, 'quiet-harbour-lantern-58', 'test:bob')
      expect(keyhold.deps.setupCodes.get(keyhold.deps.accounts.findByUsername('bob')!.id)).toBeNull()
    } finally {
      keyhold.close()
    }
  })

  it('S20: the setup-code key is sealed by the vault; neither it nor its base64 or hex is in the data folder', async () => {
    const keyhold = await open()
    const dir = keyhold.dataDir
    await siteWith(keyhold, 'bob')
    const key = Buffer.from(keyhold.vault.setupCodeKey)
    const stored = createSqliteSettings(keyhold.db).get(setupCodeKeySetting)!
    expect(stored.startsWith(`v1.${keyhold.vault.cipher.keyId}.`)).toBe(true)
    // Its own key: neither the audit key nor the key of email and SMS codes.
    expect(key.equals(Buffer.from(keyhold.vault.auditKey))).toBe(false)
    expect(key.equals(Buffer.from(keyhold.vault.codeKey))).toBe(false)
    keyhold.close()
    const bytes = filesOf(dir)
    for (const form of [key, Buffer.from(key.toString('base64')), Buffer.from(key.toString('hex'))]) {
      expect(bytes.includes(form)).toBe(false)
    }
  })

  it('S19: a code issued before `vault rotate` still works after it; the key is re-sealed, not replaced', async () => {
    const first = await open()
    const dir = first.dataDir
    const code = await siteWith(first, 'bob')
    const keyBefore = Buffer.from(first.vault.setupCodeKey)
    const report = await rotateVault({
      dataDir: dir,
      db: first.db,
      secretStore: store,
      audit: first.auditLog,
      clock: first.deps.clock,
      actor: admin,
    })
    first.close()
    const second = await open(dir)
    try {
      expect(second.vault.cipher.keyId).toBe(report.keyId)
      expect(Buffer.from(second.vault.setupCodeKey).equals(keyBefore)).toBe(true)
      await second.services.setupCodes.redeem('bob', code, 'quiet-harbour-lantern-58', 'test:bob')
      const signedIn = await second.auth.signIn({ username: 'bob', password: 'quiet-harbour-lantern-58' }, 'test:bob')
      expect(signedIn.resolved.account.username).toBe('bob')
    } finally {
      second.close()
    }
  })

  it('a wrong code, a code of the old length or a recovery-code-shaped one is refused and counts (S13)', async () => {
    const keyhold = await open()
    try {
      const code = await siteWith(keyhold, 'bob')
      const id = keyhold.deps.accounts.findByUsername('bob')!.id
      const last = code.at(-1) === 'A' ? 'B' : 'A'
      for (const wrong of [`${code.slice(0, -1)}${last}`, code.replaceAll('-', '').slice(0, 16)]) {
        await expect(
          keyhold.services.setupCodes.redeem('bob', wrong, 'quiet-harbour-lantern-58', 'test:bob'),
        ).rejects.toMatchObject({ code: 'INVALID_CODE' })
      }
      expect(keyhold.deps.accounts.findById(id)!.failedAttempts).toBe(2)
      expect(keyhold.deps.setupCodes.get(id)).not.toBeNull()
    } finally {
      keyhold.close()
    }
  })
})

describe('setup codes issued before (80 bits, Argon2id)', () => {
  /** A code as the previous version stored it: 16 characters, Argon2id, 7 days. */
  async function legacyCode(keyhold: Keyhold, username: string, now: number): Promise<string> {
    await siteWith(keyhold, username)
    const account = keyhold.deps.accounts.findByUsername(username)!
    const code = 'ABCD-EFGH-IJKL-MN23'
    keyhold.deps.setupCodes.put(account.id, await cheap.hash(code.replaceAll('-', '')), now, now + 7 * day)
    return code
  }

  it('stay valid until they expire, checked with Argon2id as before', async () => {
    const keyhold = await open()
    try {
      const code = await legacyCode(keyhold, 'bob', keyhold.deps.clock.now())
      expect(storedHash(keyhold, 'bob')).toMatch(/^\$argon2id\$/)
      await expect(
        keyhold.services.setupCodes.redeem('bob', 'ABCD-EFGH-IJKL-MN22', 'quiet-harbour-lantern-58', 'test:bob'),
      ).rejects.toMatchObject({ code: 'INVALID_CODE' })
      await keyhold.services.setupCodes.redeem('bob', code.toLowerCase(), 'quiet-harbour-lantern-58', 'test:bob')
      const signedIn = await keyhold.auth.signIn({ username: 'bob', password: 'quiet-harbour-lantern-58' }, 'test:bob')
      expect(signedIn.resolved.account.username).toBe('bob')
    } finally {
      keyhold.close()
    }
  })

  it('and not after: an expired one is refused', async () => {
    let now = Date.UTC(2026, 5, 1)
    const keyhold = await open(undefined, () => now)
    try {
      const code = await legacyCode(keyhold, 'bob', now)
      now += 7 * day + 1
      await expect(
        keyhold.services.setupCodes.redeem('bob', code, 'quiet-harbour-lantern-58', 'test:bob'),
      ).rejects.toMatchObject({ code: 'INVALID_CODE' })
    } finally {
      keyhold.close()
    }
  })
})
