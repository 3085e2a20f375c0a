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
import { UnsafePathError } from '../adapters/system/private-files'
import { openVault, VaultKeyError, keychainAccountFor, type Vault } from '../adapters/vault/open-vault'
import { settleInterruptedRotation } from '../adapters/vault/rotate-vault'
import { defaultPolicy } from '../domain/policy'
import { createSqlitePolicyStore } from '../adapters/sqlite/sqlite-policy-store'
import { createSqliteSetupCodeStore } from '../adapters/sqlite/sqlite-setup-code-store'
import { createSqliteUnknownNameRepo } from '../adapters/sqlite/sqlite-unknown-name-repo'
import { effectivePolicyReader } from '../services/policy-ports'
import { hasUsableMethod } from '../services/method-policy'
import { createHmacCodeHasher } from '../adapters/crypto/hmac-code-hasher'
import { createSetupCodeHasher } from '../adapters/crypto/setup-code-hasher'
import { createConfiguredSenders, type ConfiguredSenders } from '../adapters/delivery/configured-senders'
import type { DeliveryOptions } from '../adapters/delivery/gateway-request'
import { createProviderSettings, type ProviderSettings } from '../adapters/delivery/provider-settings'
import { totpEngine } from '../adapters/otp/totp-engine'
import { qrcodeRenderer } from '../adapters/otp/qrcode-renderer'
import { createSqliteEnrollmentRepo } from '../adapters/sqlite/sqlite-enrollment-repo'
import { createSqliteMethodRepo } from '../adapters/sqlite/sqlite-method-repo'
import { createSqliteOtpCodeRepo } from '../adapters/sqlite/sqlite-otp-code-repo'
import { createSqliteRecoveryCodeRepo } from '../adapters/sqlite/sqlite-recovery-code-repo'
import { createSiteSettings } from '../adapters/sqlite/sqlite-site-settings'
import { emailProviderInputSchema } from '../../shared/provider-schemas'
import { createServices, type Services } from '../services/create-services'
import type { MfaDeps } from '../services/mfa-deps'
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
  /** Provider timeouts; tests shorten them. */
  readonly delivery?: DeliveryOptions
}

export interface Keyhold {
  readonly dataDir: string
  readonly db: SqliteDatabase
  readonly vault: Vault
  readonly auditLog: SqliteAuditLog
  readonly deps: MfaDeps
  readonly services: Services
  /** Shorthands for services.auth and services.accounts. */
  readonly auth: Services['auth']
  readonly accounts: Services['accounts']
  readonly providers: ProviderSettings
  readonly senders: ConfiguredSenders
  close(): void
}

export async function openKeyhold(options: OpenKeyholdOptions): Promise<Keyhold> {
  // Ask the keychain before touching the disk: with no keychain nothing is created (S19).
  await options.secretStore.get(keychainAccountFor(options.dataDir))
  const { db } = openAndMigrate(join(options.dataDir, databaseFileName), {
    ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
  })
  try {
    const clock = options.clock ?? systemClock
    const random = options.random ?? nodeRandom
    const settings = createSqliteSettings(db)
    const uow = createSqliteUnitOfWork(db)
    // A `vault rotate` that stopped between its commit and the keychain update left the new key in a
    // second entry: finish it now, or the main entry's old key would not open the re-keyed data.
    await settleInterruptedRotation({ dataDir: options.dataDir, secretStore: options.secretStore, settings })
    const vault = await openVault({
      dataDir: options.dataDir,
      secretStore: options.secretStore,
      settings,
      random,
      tx: uow.tx,
    })
    const auditLog = createSqliteAuditLog(db, settings, vault.auditKey)
    const providers = createProviderSettings(settings, vault.cipher)
    const senders = createConfiguredSenders(providers, options.delivery, clock)
    const methods = createSqliteMethodRepo(db)
    const policyStore = createSqlitePolicyStore(db)
    const emailDefaults = emailProviderInputSchema.shape
    const deps: MfaDeps = {
      clock,
      random,
      hasher: options.hasher ?? createArgon2PasswordHasher(),
      accounts: createSqliteAccountRepo(db),
      sessions: createSqliteSessionRepo(db),
      audit: auditLog,
      uow,
      policy: effectivePolicyReader(policyStore, defaultPolicy),
      isCommonPassword,
      // Only methods the policy allows count (a disallowed SMS method is not a second factor).
      mfa: { hasActiveMethod: (accountId) => hasUsableMethod(deps, accountId) },
      methods,
      enrollments: createSqliteEnrollmentRepo(db),
      recoveryCodes: createSqliteRecoveryCodeRepo(db),
      otpCodes: createSqliteOtpCodeRepo(db),
      totp: totpEngine,
      qr: qrcodeRenderer,
      codeHasher: createHmacCodeHasher(vault.codeKey),
      setupCodeHasher: createSetupCodeHasher(vault.setupCodeKey),
      secrets: vault.cipher,
      email: senders.email,
      sms: senders.sms,
      templates: {
        codeEmail: () => {
          const email = providers.getEmail()
          return {
            subject: email?.subject ?? emailDefaults.subject.parse(undefined),
            text: email?.text ?? emailDefaults.text.parse(undefined),
          }
        },
        smsText: () => providers.getSmsText(),
      },
      site: createSiteSettings(settings),
      setupCodes: createSqliteSetupCodeStore(db),
      unknownNames: createSqliteUnknownNameRepo(db),
    }
    const services = createServices(deps, { providers, tester: senders, audit: auditLog, policy: policyStore })
    // S18: enrollments abandoned while Keyhold was closed go at once, the others within a minute
    // of expiring (they are refused from the moment they expire either way).
    // Issue 15: the sessions' activity, kept in memory by the reads, is written here (S17).
    services.enrollment.purgeExpired()
    const sweep = setInterval(() => {
      services.enrollment.purgeExpired()
      services.auth.flushActivity()
    }, 60_000)
    sweep.unref()
    return {
      dataDir: options.dataDir,
      db,
      vault,
      auditLog,
      deps,
      services,
      auth: services.auth,
      accounts: services.accounts,
      providers,
      senders,
      close: () => {
        clearInterval(sweep)
        services.auth.flushActivity()
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
  if (error instanceof UnsafePathError) {
    // S31: a link where the data folder or the database should be is refused, not followed.
    return {
      code: 'DATABASE_ERROR',
      message: `Keyhold could not open its database in ${dataDir}: ${error.message}`,
      fix: 'Point Keyhold at the real folder (--data-dir or KEYHOLD_DATA_DIR) instead of a link to it, or move the data there; Keyhold keeps it readable by you only.',
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
