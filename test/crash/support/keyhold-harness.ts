import { createAesGcmCipher } from '../../../electron/main/adapters/crypto/aes-gcm-cipher'
import {
  createArgon2PasswordHasher,
  type Argon2PasswordHasher,
} from '../../../electron/main/adapters/crypto/argon2-password-hasher'
import { createHmacCodeHasher } from '../../../electron/main/adapters/crypto/hmac-code-hasher'
import { createSetupCodeHasher } from '../../../electron/main/adapters/crypto/setup-code-hasher'
import { createProviderSettings } from '../../../electron/main/adapters/delivery/provider-settings'
import { totpEngine } from '../../../electron/main/adapters/otp/totp-engine'
import { qrcodeRenderer } from '../../../electron/main/adapters/otp/qrcode-renderer'
import { isCommonPassword } from '../../../electron/main/adapters/passwords/common-passwords'
import { openAndMigrate, type SqliteDatabase } from '../../../electron/main/adapters/sqlite/open-database'
import { createSqliteAccountRepo } from '../../../electron/main/adapters/sqlite/sqlite-account-repo'
import { createSqliteAuditLog, type SqliteAuditLog } from '../../../electron/main/adapters/sqlite/sqlite-audit-log'
import { createSqliteEnrollmentRepo } from '../../../electron/main/adapters/sqlite/sqlite-enrollment-repo'
import { createSqliteMethodRepo } from '../../../electron/main/adapters/sqlite/sqlite-method-repo'
import { createSqliteOtpCodeRepo } from '../../../electron/main/adapters/sqlite/sqlite-otp-code-repo'
import { createSqlitePolicyStore } from '../../../electron/main/adapters/sqlite/sqlite-policy-store'
import { createSqliteRecoveryCodeRepo } from '../../../electron/main/adapters/sqlite/sqlite-recovery-code-repo'
import { createSqliteSessionRepo } from '../../../electron/main/adapters/sqlite/sqlite-session-repo'
import { createSqliteSettings } from '../../../electron/main/adapters/sqlite/sqlite-settings'
import { createSqliteSetupCodeStore } from '../../../electron/main/adapters/sqlite/sqlite-setup-code-store'
import { createSqliteUnknownNameRepo } from '../../../electron/main/adapters/sqlite/sqlite-unknown-name-repo'
import { createSiteSettings } from '../../../electron/main/adapters/sqlite/sqlite-site-settings'
import { createSqliteUnitOfWork } from '../../../electron/main/adapters/sqlite/sqlite-unit-of-work'
import { nodeRandom } from '../../../electron/main/adapters/system/node-random'
import { defaultPolicy } from '../../../electron/main/domain/policy'
import { createServices, type Services } from '../../../electron/main/services/create-services'
import type { EmailSender, OutgoingEmail, OutgoingSms, SmsSender } from '../../../electron/main/services/delivery-ports'
import type { MfaDeps } from '../../../electron/main/services/mfa-deps'
import type { QrRenderer } from '../../../electron/main/services/mfa-ports'
import { hasUsableMethod } from '../../../electron/main/services/method-policy'
import { effectivePolicyReader } from '../../../electron/main/services/policy-ports'
import type { Clock, PasswordHasher } from '../../../electron/main/services/ports'

/**
 * The main-process services over one real database file, wired the way
 * openKeyhold wires them, for processes that a test forks and kills: the keys
 * are fixed and passed in (no keychain, so a worker starts in a few hundred
 * milliseconds), randomness is the real CSPRNG (a restarted worker must not
 * repeat session ids), and email/SMS go to in-memory senders the worker reads
 * its codes from. Argon2id is real, with small parameters for speed.
 */
export interface HarnessKeys {
  /** 32 bytes: encrypts TOTP secrets and keys the email/SMS code hashes. */
  readonly masterKey: Uint8Array
  /** 32 bytes: the audit chain's HMAC key. */
  readonly auditKey: Uint8Array
}

export function keysToHex(keys: HarnessKeys): string {
  return `${Buffer.from(keys.masterKey).toString('hex')}:${Buffer.from(keys.auditKey).toString('hex')}`
}

export function keysFromHex(text: string): HarnessKeys {
  const [master, audit] = text.split(':')
  const masterKey = new Uint8Array(Buffer.from(master ?? '', 'hex'))
  const auditKey = new Uint8Array(Buffer.from(audit ?? '', 'hex'))
  if (masterKey.length !== 32 || auditKey.length !== 32) throw new Error('keys must be two 32-byte hex strings')
  return { masterKey, auditKey }
}

export const fastHasher: Argon2PasswordHasher = createArgon2PasswordHasher({
  memoryCost: 1024,
  timeCost: 1,
  parallelism: 1,
})

/** Senders that keep what they were given, so the worker can read the codes. */
export interface MemorySenders {
  readonly email: EmailSender & { readonly sent: OutgoingEmail[] }
  readonly sms: SmsSender & { readonly sent: OutgoingSms[] }
  /** The six-digit code in the newest code message to `to`. */
  lastCode(to: string): string
}

export function memorySenders(): MemorySenders {
  const email = {
    sent: [] as OutgoingEmail[],
    isConfigured: () => true,
    send: async (message: OutgoingEmail) => void email.sent.push(message),
  }
  const sms = {
    sent: [] as OutgoingSms[],
    isConfigured: () => true,
    send: async (message: OutgoingSms) => void sms.sent.push(message),
  }
  return {
    email,
    sms,
    lastCode(to) {
      const all: { to: string; text: string }[] = [...email.sent, ...sms.sent]
      const code = all
        .filter((m) => m.to === to)
        .map((m) => /\b\d{6}\b/.exec(m.text)?.[0])
        .filter((c): c is string => c !== undefined)
        .at(-1)
      if (code === undefined) throw new Error(`no code was sent to ${to}`)
      return code
    },
  }
}

export interface Harness {
  readonly db: SqliteDatabase
  readonly deps: MfaDeps
  readonly services: Services
  readonly audit: SqliteAuditLog
  readonly senders: MemorySenders
  close(): void
}

export interface HarnessOptions {
  readonly file: string
  readonly keys: HarnessKeys
  readonly clock: Clock
  readonly hasher?: PasswordHasher
  readonly senders?: MemorySenders
  /** Defaults to the real QR renderer. */
  readonly qr?: QrRenderer
}

export function openHarness(options: HarnessOptions): Harness {
  const { db } = openAndMigrate(options.file)
  const settings = createSqliteSettings(db)
  const audit = createSqliteAuditLog(db, settings, options.keys.auditKey)
  const senders = options.senders ?? memorySenders()
  const cipher = createAesGcmCipher([options.keys.masterKey])
  const policyStore = createSqlitePolicyStore(db)
  const deps: MfaDeps = {
    clock: options.clock,
    random: nodeRandom,
    hasher: options.hasher ?? fastHasher,
    accounts: createSqliteAccountRepo(db),
    sessions: createSqliteSessionRepo(db),
    audit,
    uow: createSqliteUnitOfWork(db),
    policy: effectivePolicyReader(policyStore, defaultPolicy),
    isCommonPassword,
    mfa: { hasActiveMethod: (accountId) => hasUsableMethod(deps, accountId) },
    methods: createSqliteMethodRepo(db),
    enrollments: createSqliteEnrollmentRepo(db),
    recoveryCodes: createSqliteRecoveryCodeRepo(db),
    otpCodes: createSqliteOtpCodeRepo(db),
    totp: totpEngine,
    qr: options.qr ?? qrcodeRenderer,
    codeHasher: createHmacCodeHasher(options.keys.masterKey),
    // The app's setup-code key is its own random key in the vault; here one the fixture already keeps across reopen.
    setupCodeHasher: createSetupCodeHasher(options.keys.masterKey),
    secrets: cipher,
    email: senders.email,
    sms: senders.sms,
    templates: {
      codeEmail: () => ({ subject: '{site} code', text: 'Your {site} code is {code}; {minutes} minutes.' }),
      smsText: () => '{code} is your {site} code',
    },
    site: createSiteSettings(settings),
    setupCodes: createSqliteSetupCodeStore(db),
    unknownNames: createSqliteUnknownNameRepo(db),
  }
  const providers = createProviderSettings(settings, cipher)
  const tester = {
    testEmail: (to: string) => senders.email.send({ to, subject: 'Keyhold test message', text: 'test' }),
    testSms: (to: string) => senders.sms.send({ to, text: 'test' }),
  }
  const services = createServices(deps, { providers, tester, audit, policy: policyStore })
  return {
    db,
    deps,
    services,
    audit,
    senders,
    close: () => {
      if (db.open) db.close()
    },
  }
}

/** A clock the caller moves by hand; time in the services comes only from here. */
export interface ManualClock extends Clock {
  advance(ms: number): void
}

export function manualClock(start: number): ManualClock {
  let now = start
  return { now: () => now, advance: (ms) => void (now += ms) }
}
