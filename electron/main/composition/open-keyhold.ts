import { join } from 'node:path'
import { DatabaseTooNewError } from '../../../db/migrator'
import type { AppProblem } from '../../shared/schemas'
import { createArgon2PasswordHasher } from '../adapters/crypto/argon2-password-hasher'
import { KeychainError, type SecretStore } from '../adapters/keychain/secret-store'
import { isCommonPassword } from '../adapters/passwords/common-passwords'
import { openAndMigrate, type SqliteDatabase } from '../adapters/sqlite/open-database'
import { createSqliteAccountRepo } from '../adapters/sqlite/sqlite-account-repo'
import { createSqliteAuditLog, type SqliteAuditLog } from '../adapters/sqlite/sqlite-audit-log'
import { createSqliteSessionRepo } from '../adapters/sqlite/sqlite-session-repo'
import { createSqliteSettings } from '../adapters/sqlite/sqlite-settings'
import { createSqliteUnitOfWork } from '../adapters/sqlite/sqlite-unit-of-work'
import { nodeRandom } from '../adapters/system/node-random'
import { systemClock } from '../adapters/system/system-clock'
import { databaseFileName } from '../adapters/system/data-dir'
import { openVault, VaultKeyError, keychainAccountFor, type Vault } from '../adapters/vault/open-vault'
import { defaultPolicy } from '../domain/policy'
import { createAccountService, type AccountService } from '../services/account-service'
import { createAuthService, type AuthService } from '../services/auth-service'
import type { CoreDeps } from '../services/deps'
import type { Clock, PasswordHasher, Random } from '../services/ports'

/**
 * Opens a data directory: database (migrated), vault (master key from the
 * keychain), repositories and services. Shared by the Electron app, the browser
 * preview and the CLI, so all three run the same code on the same data.
 */
export interface OpenKeyholdOptions {
  readonly dataDir: string
  readonly secretStore: SecretStore
  readonly nativeBinding?: string
  readonly clock?: Clock
  readonly random?: Random
  readonly hasher?: PasswordHasher
}

export interface Keyhold {
  readonly dataDir: string
  readonly db: SqliteDatabase
  readonly vault: Vault
  readonly auditLog: SqliteAuditLog
  readonly deps: CoreDeps
  readonly auth: AuthService
  readonly accounts: AccountService
  close(): void
}

export async function openKeyhold(options: OpenKeyholdOptions): Promise<Keyhold> {
  const { db } = openAndMigrate(join(options.dataDir, databaseFileName), {
    ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
  })
  try {
    const clock = options.clock ?? systemClock
    const random = options.random ?? nodeRandom
    const settings = createSqliteSettings(db)
    const uow = createSqliteUnitOfWork(db)
    const vault = await openVault({ dataDir: options.dataDir, secretStore: options.secretStore, settings, random, tx: uow.tx })
    const auditLog = createSqliteAuditLog(db, settings, vault.auditKey)
    const deps: CoreDeps = {
      clock,
      random,
      hasher: options.hasher ?? createArgon2PasswordHasher(),
      accounts: createSqliteAccountRepo(db),
      sessions: createSqliteSessionRepo(db),
      audit: auditLog,
      uow,
      policy: () => defaultPolicy,
      isCommonPassword,
      // MFA methods arrive with the MFA engine; until then no account has one.
      mfa: { hasActiveMethod: () => false },
    }
    return {
      dataDir: options.dataDir,
      db,
      vault,
      auditLog,
      deps,
      auth: createAuthService(deps),
      accounts: createAccountService(deps),
      close: () => {
        // Fold the WAL back into the main file so a closed data dir is one file.
        db.pragma('wal_checkpoint(TRUNCATE)')
        db.close()
      },
    }
  } catch (error) {
    db.close()
    throw error
  }
}

/** Turns a startup failure into the explanation the window and the CLI show (S19: fail closed). */
export function describeStartupError(error: unknown, dataDir: string): AppProblem {
  const entry = keychainAccountFor(dataDir)
  if (error instanceof KeychainError) {
    return error.failure === 'locked'
      ? {
          code: 'KEYCHAIN_LOCKED',
          message: `The OS keychain is locked, so Keyhold cannot read its master key. (${error.message})`,
          fix: 'Unlock your keychain (on Linux, the "Login" keyring in GNOME Keyring or KWallet), then start Keyhold again.',
        }
      : {
          code: 'KEYCHAIN_UNAVAILABLE',
          message: `Keyhold keeps its master key in the OS keychain, and no keychain answered. (${error.message})`,
          fix: 'On Linux, install and start a Secret Service such as GNOME Keyring (apt install gnome-keyring) and sign in to a desktop session; on macOS and Windows the keychain is built in. Keyhold never stores the key in a file instead.',
        }
  }
  if (error instanceof VaultKeyError) {
    return {
      code: 'KEY_MISMATCH',
      message: error.message,
      fix: `Restore the keychain entry "Keyhold / ${entry}" that belongs to this data folder, or restore a Keyhold backup. The data in ${dataDir} cannot be read without it.`,
    }
  }
  if (error instanceof DatabaseTooNewError) {
    return {
      code: 'DATABASE_TOO_NEW',
      message: error.message,
      fix: 'Install the newer Keyhold that last used this data folder; this version will not change it.',
    }
  }
  return {
    code: 'DATABASE_ERROR',
    message: `Keyhold could not open its database in ${dataDir}: ${error instanceof Error ? error.message : String(error)}`,
    fix: 'Check that the folder exists, is writable by you, and has free space.',
  }
}
