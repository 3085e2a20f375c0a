import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createArgon2PasswordHasher } from '../../../electron/main/adapters/crypto/argon2-password-hasher'
import { isCommonPassword } from '../../../electron/main/adapters/passwords/common-passwords'
import { openAndMigrate, type SqliteDatabase } from '../../../electron/main/adapters/sqlite/open-database'
import { createSqliteAccountRepo } from '../../../electron/main/adapters/sqlite/sqlite-account-repo'
import { createSqliteAuditLog } from '../../../electron/main/adapters/sqlite/sqlite-audit-log'
import { createSqliteSessionRepo } from '../../../electron/main/adapters/sqlite/sqlite-session-repo'
import { createSqliteSettings } from '../../../electron/main/adapters/sqlite/sqlite-settings'
import { createSqliteUnitOfWork } from '../../../electron/main/adapters/sqlite/sqlite-unit-of-work'
import { defaultPolicy, type SecurityPolicy } from '../../../electron/main/domain/policy'
import { createAccountService } from '../../../electron/main/services/account-service'
import { createAuthService } from '../../../electron/main/services/auth-service'
import type { CoreDeps } from '../../../electron/main/services/deps'
import type { Clock, PasswordHasher, Random } from '../../../electron/main/services/ports'

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
export const fastHasher: PasswordHasher = createArgon2PasswordHasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 })

export interface CoreFixture {
  readonly dir: string
  readonly file: string
  readonly db: SqliteDatabase
  readonly clock: FakeClock
  readonly deps: CoreDeps
  readonly auth: ReturnType<typeof createAuthService>
  readonly accounts: ReturnType<typeof createAccountService>
  readonly audit: ReturnType<typeof createSqliteAuditLog>
  policy: SecurityPolicy
  /** Closes and opens the same file again, as after a restart. */
  reopen(): CoreFixture
  close(): void
}

interface FixtureOptions {
  readonly dir?: string
  readonly clock?: FakeClock
  readonly hasher?: PasswordHasher
  readonly auditKey?: Uint8Array
}

export function createCoreFixture(options: FixtureOptions = {}): CoreFixture {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'keyhold-unit-'))
  const file = join(dir, 'keyhold.db')
  const { db } = openAndMigrate(file)
  const clock = options.clock ?? fakeClock()
  const auditKey = options.auditKey ?? new Uint8Array(randomBytes(32))
  const settings = createSqliteSettings(db)
  const audit = createSqliteAuditLog(db, settings, auditKey)
  const fixture: CoreFixture = {
    dir,
    file,
    db,
    clock,
    policy: defaultPolicy,
    audit,
    deps: undefined as unknown as CoreDeps,
    auth: undefined as unknown as ReturnType<typeof createAuthService>,
    accounts: undefined as unknown as ReturnType<typeof createAccountService>,
    reopen() {
      db.close()
      return createCoreFixture({ ...options, dir, clock, auditKey })
    },
    close() {
      if (db.open) db.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
  const deps: CoreDeps = {
    clock,
    random: seededRandom(dir),
    hasher: options.hasher ?? fastHasher,
    accounts: createSqliteAccountRepo(db),
    sessions: createSqliteSessionRepo(db),
    audit,
    uow: createSqliteUnitOfWork(db),
    policy: () => fixture.policy,
    isCommonPassword,
    mfa: { hasActiveMethod: () => false },
  }
  Object.assign(fixture, { deps, auth: createAuthService(deps), accounts: createAccountService(deps) })
  return fixture
}

export const goodPassword = 'violet-harbour-kettle-42'
export const actor = 'cli:tester'
