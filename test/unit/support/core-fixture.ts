import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  createArgon2PasswordHasher,
  type Argon2PasswordHasher,
} from '../../../electron/main/adapters/crypto/argon2-password-hasher'
import { isCommonPassword } from '../../../electron/main/adapters/passwords/common-passwords'
import { openAndMigrate, type SqliteDatabase } from '../../../electron/main/adapters/sqlite/open-database'
import { createSqliteAccountRepo } from '../../../electron/main/adapters/sqlite/sqlite-account-repo'
import { createSqliteAuditLog } from '../../../electron/main/adapters/sqlite/sqlite-audit-log'
import { createSqliteSessionRepo } from '../../../electron/main/adapters/sqlite/sqlite-session-repo'
import { createSqliteSettings } from '../../../electron/main/adapters/sqlite/sqlite-settings'
import { createSqliteUnitOfWork } from '../../../electron/main/adapters/sqlite/sqlite-unit-of-work'
import { defaultPolicy } from '../../../electron/main/domain/policy'
import { createSqlitePolicyStore } from '../../../electron/main/adapters/sqlite/sqlite-policy-store'
import { createSqliteSetupCodeStore } from '../../../electron/main/adapters/sqlite/sqlite-setup-code-store'
import { createSqliteUnknownNameRepo } from '../../../electron/main/adapters/sqlite/sqlite-unknown-name-repo'
import { effectivePolicyReader } from '../../../electron/main/services/policy-ports'
import { hasUsableMethod } from '../../../electron/main/services/method-policy'
import { createHmacCodeHasher } from '../../../electron/main/adapters/crypto/hmac-code-hasher'
import { createSetupCodeHasher } from '../../../electron/main/adapters/crypto/setup-code-hasher'
import { createAesGcmCipher } from '../../../electron/main/adapters/crypto/aes-gcm-cipher'
import { totpEngine } from '../../../electron/main/adapters/otp/totp-engine'
import { qrcodeRenderer } from '../../../electron/main/adapters/otp/qrcode-renderer'
import { createSqliteEnrollmentRepo } from '../../../electron/main/adapters/sqlite/sqlite-enrollment-repo'
import { createSqliteMethodRepo } from '../../../electron/main/adapters/sqlite/sqlite-method-repo'
import { createSqliteOtpCodeRepo } from '../../../electron/main/adapters/sqlite/sqlite-otp-code-repo'
import { createSqliteRecoveryCodeRepo } from '../../../electron/main/adapters/sqlite/sqlite-recovery-code-repo'
import { createSiteSettings } from '../../../electron/main/adapters/sqlite/sqlite-site-settings'
import { createProviderSettings } from '../../../electron/main/adapters/delivery/provider-settings'
import { createServices, type Services } from '../../../electron/main/services/create-services'
import type { EmailSender, OutgoingEmail, OutgoingSms, SmsSender } from '../../../electron/main/services/delivery-ports'
import type { MfaDeps } from '../../../electron/main/services/mfa-deps'
import type { Clock, PasswordHasher, Random, UnitOfWork } from '../../../electron/main/services/ports'

/** A clock the test moves by hand. */
export interface FakeClock extends Clock {
  advance(ms: number): void
  set(ms: number): void
}

export function fakeClock(start = Date.UTC(2026, 10, 28, 9, 0, 0)): FakeClock {
  let now = start
  return { now: () => now, advance: (ms) => void (now += ms), set: (ms) => void (now = ms) }
}

/** Deterministic bytes: SHA-256 in counter mode over a seed. */
export function seededRandom(seed = 'keyhold-test'): Random {
  let counter = 0
  return {
    bytes(length) {
      const out = Buffer.alloc(length)
      for (let offset = 0; offset < length; offset += 32) {
        createHash('sha256').update(`${seed}:${counter++}`).digest().copy(out, offset)
      }
      return new Uint8Array(out)
    },
  }
}

/** Real Argon2id with small parameters, so unit tests stay fast; production uses S3's. */
export const fastHasher: Argon2PasswordHasher = createArgon2PasswordHasher({
  memoryCost: 1024,
  timeCost: 1,
  parallelism: 1,
})

/**
 * Transports that keep what they were given: unit tests read codes from them.
 * Integration and end-to-end tests use a real SMTP server and a real Kannel instead.
 */
export interface CaptureSenders {
  readonly email: EmailSender & { readonly sent: OutgoingEmail[]; failWith: Error | null; configured: boolean }
  readonly sms: SmsSender & { readonly sent: OutgoingSms[]; failWith: Error | null; configured: boolean }
  /** The six-digit code in the newest message to `to`. */
  lastCode(to: string): string
}

export function captureSenders(): CaptureSenders {
  const make = <T extends { to: string }>() => {
    const sender = {
      sent: [] as T[],
      failWith: null as Error | null,
      configured: true,
      isConfigured: () => sender.configured,
      send: async (message: T) => {
        if (sender.failWith) throw sender.failWith
        sender.sent.push(message)
      },
    }
    return sender
  }
  const email = make<OutgoingEmail>()
  const sms = make<OutgoingSms>()
  return {
    email,
    sms,
    lastCode(to) {
      const all: { to: string; text: string }[] = [...email.sent, ...sms.sent]
      const message = all.filter((m) => m.to === to).at(-1)
      const code = message?.text.match(/\b\d{6}\b/)?.[0]
      if (!code) throw new Error(`no code was sent to ${to}`)
      return code
    },
  }
}

export interface CoreFixture {
  readonly dir: string
  readonly file: string
  readonly db: SqliteDatabase
  readonly clock: FakeClock
  readonly deps: MfaDeps
  readonly services: Services
  readonly auth: Services['auth']
  readonly accounts: Services['accounts']
  readonly senders: CaptureSenders
  readonly audit: ReturnType<typeof createSqliteAuditLog>
  /** Closes and opens the same file again, as after a restart. */
  reopen(): CoreFixture
  close(): void
}

interface FixtureOptions {
  readonly dir?: string
  readonly clock?: FakeClock
  readonly hasher?: PasswordHasher
  readonly auditKey?: Uint8Array
  readonly masterKey?: Uint8Array
  readonly senders?: CaptureSenders
  /** Called at the start of every unit-of-work transaction (issue 15: one commit per request). */
  readonly onTransaction?: () => void
}

export function createCoreFixture(options: FixtureOptions = {}): CoreFixture {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'keyhold-unit-'))
  const file = join(dir, 'keyhold.db')
  const { db } = openAndMigrate(file)
  const clock = options.clock ?? fakeClock()
  const auditKey = options.auditKey ?? new Uint8Array(randomBytes(32))
  const masterKey = options.masterKey ?? new Uint8Array(randomBytes(32))
  const settings = createSqliteSettings(db)
  const audit = createSqliteAuditLog(db, settings, auditKey)
  const fixture: CoreFixture = {
    dir,
    file,
    db,
    clock,
    audit,
    deps: undefined as unknown as MfaDeps,
    services: undefined as unknown as Services,
    auth: undefined as unknown as Services['auth'],
    accounts: undefined as unknown as Services['accounts'],
    senders: options.senders ?? captureSenders(),
    reopen() {
      db.close()
      return createCoreFixture({ ...options, dir, clock, auditKey, masterKey, senders: fixture.senders })
    },
    close() {
      if (db.open) db.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
  const methods = createSqliteMethodRepo(db)
  const policyStore = createSqlitePolicyStore(db)
  const deps: MfaDeps = {
    clock,
    random: seededRandom(dir),
    hasher: options.hasher ?? fastHasher,
    accounts: createSqliteAccountRepo(db),
    sessions: createSqliteSessionRepo(db),
    audit,
    uow: countingUnitOfWork(createSqliteUnitOfWork(db), options.onTransaction),
    policy: effectivePolicyReader(policyStore, defaultPolicy),
    isCommonPassword,
    mfa: { hasActiveMethod: (accountId) => hasUsableMethod(deps, accountId) },
    methods,
    enrollments: createSqliteEnrollmentRepo(db),
    recoveryCodes: createSqliteRecoveryCodeRepo(db),
    otpCodes: createSqliteOtpCodeRepo(db),
    totp: totpEngine,
    qr: qrcodeRenderer,
    codeHasher: createHmacCodeHasher(masterKey),
    // The app's setup-code key is its own random key in the vault; here one the fixture already keeps across reopen.
    setupCodeHasher: createSetupCodeHasher(masterKey),
    secrets: createAesGcmCipher([masterKey]),
    email: fixture.senders.email,
    sms: fixture.senders.sms,
    templates: {
      codeEmail: () => ({ subject: '{site} code', text: 'Your {site} code is {code}; {minutes} minutes.' }),
      smsText: () => '{code} is your {site} code',
    },
    site: createSiteSettings(settings),
    setupCodes: createSqliteSetupCodeStore(db),
    unknownNames: createSqliteUnknownNameRepo(db),
  }
  const providers = createProviderSettings(settings, deps.secrets as ReturnType<typeof createAesGcmCipher>)
  const tester = {
    testEmail: (to: string) =>
      fixture.senders.email.send({ to, subject: 'Keyhold test message', text: 'Keyhold test message' }),
    testSms: (to: string) => fixture.senders.sms.send({ to, text: 'Keyhold test message' }),
  }
  const services = createServices(deps, { providers, tester, audit, policy: policyStore })
  Object.assign(fixture, { deps, services, auth: services.auth, accounts: services.accounts })
  return fixture
}

function countingUnitOfWork(uow: UnitOfWork, onTransaction?: () => void): UnitOfWork {
  if (!onTransaction) return uow
  return {
    tx: (fn) => {
      onTransaction()
      return uow.tx(fn)
    },
  }
}

export const goodPassword = 'violet-harbour-kettle-42'
export const actor = 'cli:tester'
