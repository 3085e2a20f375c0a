import type { DeliveredMethodType, MethodType } from '../../shared/method-types'

/**
 * What the MFA services need beyond the account ports. Repositories are
 * synchronous so every check-and-consume runs inside one `tx` (S7, S13, S21).
 */
export type { DeliveredMethodType, MethodType }
export type TotpAlgorithm = 'sha1' | 'sha256' | 'sha512'

export interface TotpParams {
  readonly algorithm: TotpAlgorithm
  readonly digits: 6 | 8
  readonly period: 30
}

/**
 * What a method of each type stores, as a union on `type`: an authenticator app
 * has its secret and parameters and no destination; a delivered type has a
 * destination and no secret. A new type adds its own member here.
 */
export interface AppSecretFields {
  readonly type: 'totp'
  readonly destination: null
  readonly secretEnc: string
  readonly totp: TotpParams
  /** S7: the newest accepted time step. */
  readonly lastUsedStep: number | null
}

export interface DeliveredFields {
  readonly type: DeliveredMethodType
  readonly destination: string
  readonly secretEnc: null
  readonly totp: null
  readonly lastUsedStep: null
}

export type MethodFields = AppSecretFields | DeliveredFields

/** Fails typecheck when a method type has no member in MethodFields. */
type CoversEveryType<T extends MethodType> = [MethodType] extends [T] ? true : never
export const methodFieldsCoverEveryType: CoversEveryType<MethodFields['type']> = true

type WithFields<Base> = MethodFields extends infer F ? (F extends MethodFields ? Base & F : never) : never

export type MethodRecord = WithFields<{
  readonly id: number
  readonly accountId: number
  readonly label: string
  readonly preferred: boolean
  readonly createdAt: number
  readonly lastUsedAt: number | null
}>

export type NewMethod = WithFields<{
  readonly accountId: number
  readonly label: string
  readonly preferred: boolean
  readonly createdAt: number
}>

export interface MethodRepo {
  listActive(accountId: number): MethodRecord[]
  find(accountId: number, id: number): MethodRecord | null
  countActive(accountId: number): number
  insert(method: NewMethod): MethodRecord
  rename(id: number, label: string): void
  /** Makes `id` the only preferred method of its account. */
  setPreferred(accountId: number, id: number): void
  recordUse(id: number, at: number, step: number | null): void
  delete(id: number): void
  deleteAllForAccount(accountId: number): number
  /** The method types of every account that has any (coverage). */
  typesByAccount(): Map<number, MethodType[]>
  /** The method types of each of these accounts, each type once, in the order first added (a page of the admin list). */
  typesFor(accountIds: readonly number[]): Map<number, MethodType[]>
}

export type EnrollmentRecord = WithFields<{
  readonly id: string
  readonly accountId: number
  readonly label: string
  readonly verifiedAt: number | null
  readonly recoveryBatch: string | null
  readonly createdAt: number
  readonly expiresAt: number
}>

export interface EnrollmentRepo {
  insert(enrollment: EnrollmentRecord): void
  find(accountId: number, id: string): EnrollmentRecord | null
  markVerified(id: string, at: number, step: number | null, recoveryBatch: string | null): void
  /** Counts one wrong code for the enrollment; returns the new count. */
  addFailure(id: string): number
  /** The owner of an enrollment, for the operator CLI which names only the enrollment. */
  ownerOf(id: string): number | null
  delete(id: string): void
  /** S18: removes every enrollment past its expiry; returns them for the audit log. */
  deleteExpired(now: number): EnrollmentRecord[]
  deleteAllForAccount(accountId: number): number
}

export interface RecoveryCodeRecord {
  readonly id: number
  readonly codeHash: string
}

export interface RecoveryCodeRepo {
  insertBatch(accountId: number, batch: string, hashes: readonly string[], active: boolean, now: number): void
  /**
   * Makes `batch` the account's one valid set: every other active code goes (S12: the old set
   * dies), while other setups' pending batches stay (S36). False, changing nothing, when the
   * batch no longer exists.
   */
  activateBatch(accountId: number, batch: string): boolean
  /** Whether the account still holds this batch, pending or active. */
  hasBatch(accountId: number, batch: string): boolean
  /** Whether the account has a valid (active) set, used up or not. */
  hasActiveSet(accountId: number): boolean
  deleteBatch(batch: string): void
  deleteAllForAccount(accountId: number): void
  unusedActive(accountId: number): RecoveryCodeRecord[]
  countUnusedActive(accountId: number): number
  markUsed(id: number, at: number): boolean
}

export type CodePurpose = 'enroll' | 'sign-in' | 'contact'

export interface OtpCodeRecord {
  readonly id: number
  readonly accountId: number
  readonly purpose: CodePurpose
  readonly subject: string
  readonly destination: string
  readonly codeHash: string
  readonly payload: string | null
  readonly createdAt: number
  readonly expiresAt: number
}

/**
 * S27: what a send is charged to. `destination` is canonical (canonicalDestination); `kind` is
 * 'sign-in' for a code to a verified method of the account, 'setup' for an address the account has
 * not confirmed yet (a method setup or a contact change).
 */
export interface SendBudget {
  readonly kind: 'sign-in' | 'setup'
  readonly accountId: number
  readonly destination: string
}

export interface OtpCodeRepo {
  /** Replaces any live code for the same purpose and subject (S8: a resend kills the old code). */
  replace(code: Omit<OtpCodeRecord, 'id'>): number
  find(purpose: CodePurpose, subject: string): OtpCodeRecord | null
  delete(id: number): void
  deleteForSubject(purpose: CodePurpose, subject: string): void
  /**
   * S10, S27: sends charged to one budget since a time (rows from before budgets existed count
   * against every budget of their destination), and the newest send for a subject.
   */
  countSendsSince(budget: SendBudget, since: number): number
  lastSendFor(subject: string, destination: string): number | null
  recordSend(budget: SendBudget, subject: string, at: number): number
  deleteSend(id: number): void
}

export interface TotpEngine {
  /** otpauth:// URI for an authenticator app (the secret as Base32 inside). */
  uri(input: { issuer: string; label: string; secret: Uint8Array; params: TotpParams }): string
  base32(secret: Uint8Array): string
  /**
   * S6, S7: verifies a code at `nowMs` with one step of drift either way,
   * refusing any step at or before `afterStep`. Returns the matched step.
   */
  verify(input: {
    secret: Uint8Array
    code: string
    params: TotpParams
    nowMs: number
    afterStep: number | null
  }): number | null
}

export interface QrRenderer {
  /** A PNG data URL of the text, made locally (no network). */
  dataUrl(text: string): Promise<string>
}

/** Keyed hash of an email/SMS code (S9): HMAC-SHA256 under a vault key, bound to its subject. */
export interface CodeHasher {
  hash(code: string, subject: string): string
  matches(code: string, subject: string, stored: string): boolean
}
