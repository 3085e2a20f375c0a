import { randomBytes } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createAesGcmCipher, type Cipher } from '../../../electron/main/adapters/crypto/aes-gcm-cipher'
import {
  createProviderSettings,
  type ProviderSettings,
} from '../../../electron/main/adapters/delivery/provider-settings'
import { openAndMigrate, type SqliteDatabase } from '../../../electron/main/adapters/sqlite/open-database'
import { createSqliteSettings, type SettingsStore } from '../../../electron/main/adapters/sqlite/sqlite-settings'
import { AppError } from '../../../electron/main/domain/app-error'

/**
 * A real, migrated SQLite file in a temp dir with provider settings over it.
 * The cipher gets a random key directly: these tests are about the providers,
 * the keychain has tests of its own (test/integration/vault.test.ts).
 */
export interface DeliveryFixture {
  readonly dir: string
  readonly db: SqliteDatabase
  readonly settings: SettingsStore
  readonly cipher: Cipher
  readonly providers: ProviderSettings
  /** Every byte of the data dir (database, WAL, shared memory), for S20 scans. */
  bytes(): Buffer
  close(): void
}

export function openDeliveryFixture(): DeliveryFixture {
  const dir = mkdtempSync(join(tmpdir(), 'keyhold-delivery-'))
  const { db } = openAndMigrate(join(dir, 'keyhold.db'))
  const settings = createSqliteSettings(db)
  const cipher = createAesGcmCipher([new Uint8Array(randomBytes(32))])
  return {
    dir,
    db,
    settings,
    cipher,
    providers: createProviderSettings(settings, cipher),
    bytes: () => Buffer.concat(readdirSync(dir).map((name) => readFileSync(join(dir, name)))),
    close() {
      db.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** The AppError a promise rejects with (fails the test when it resolves or throws something else). */
export async function appErrorOf(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise
  } catch (error) {
    if (error instanceof AppError) return error
    throw error
  }
  throw new Error('Expected an AppError, but the call succeeded')
}

export function appErrorOfSync(run: () => unknown): AppError {
  try {
    run()
  } catch (error) {
    if (error instanceof AppError) return error
    throw error
  }
  throw new Error('Expected an AppError, but the call succeeded')
}
