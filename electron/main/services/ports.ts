/**
 * What services need from the outside world. Adapters implement these;
 * tests pass a fixed clock and seeded randomness. Repositories are synchronous
 * because better-sqlite3 is, so a check-and-consume runs inside one `tx` call.
 */
import type { LockState } from '../domain/lockout'

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number
}

export interface Random {
  /** Bytes from a CSPRNG (a seeded generator in tests). */
  bytes(length: number): Uint8Array
}

/**
 * S33: hashing and checking run off the main thread, so a burst of sign-ins never freezes the window.
 * Services check outside their transaction and decide inside it (S13 holds: the transaction re-reads).
 */
export interface PasswordHasher {
  hash(password: string): Promise<string>
  /** False for a wrong password, and for a stored value that is no hash, after as long as a real check (S26). */
  verify(hash: string, password: string): Promise<boolean>
  /**
   * Takes as long as checking a hash made with the current parameters, and is never right: for a
   * name without an account, or an account without a setup code, so time does not tell them apart (S26).
   */
  verifyDecoy(password: string): Promise<false>
  /** True when the hash was made with other parameters than the current ones (S3). */
  needsRehash(hash: string): boolean
}

/**
 * S26: the lock state of names that have no account, so such a name "locks" like a real one. Keyed by
 * a keyed hash of the name (never the name: people type passwords there). Bounded: past its limit the
 * names tried least recently are forgotten.
 */
export interface UnknownNameRepo {
  find(nameKey: string): LockState | null
  record(nameKey: string, state: LockState, now: number): void
}

export type Role = 'admin' | 'user'

export interface AccountRecord extends LockState {
  readonly id: number
  readonly username: string
  readonly displayName: string
  readonly email: string | null
  readonly phone: string | null
  readonly role: Role
  readonly disabled: boolean
  readonly passwordHash: string
  readonly createdAt: number
  readonly updatedAt: number
  readonly lastSignInAt: number | null
  readonly passwordChangedAt: number
  /** S1: the password is shorter than an account without MFA needs. */
  readonly passwordShort: boolean
}

export interface NewAccount {
  readonly username: string
  readonly displayName: string
  readonly email: string | null
  readonly phone: string | null
  readonly role: Role
  readonly passwordHash: string
  readonly passwordShort: boolean
  readonly now: number
}

export type AccountPatch = Partial<
  Pick<AccountRecord, 'displayName' | 'email' | 'phone' | 'role' | 'disabled' | 'lastSignInAt'>
>

export interface AccountQuery {
  readonly search?: string
  readonly limit: number
  readonly offset: number
}

export interface AccountRepo {
  count(): number
  countAdmins(opts: { enabledOnly: boolean }): number
  findById(id: number): AccountRecord | null
  findByUsername(username: string): AccountRecord | null
  /** S30: another account (another username key) whose username has the same confusable skeleton. */
  findLookAlike(username: string): AccountRecord | null
  /** S30: pairs of existing usernames that look alike (kept from before the check; reported, not broken). */
  lookAlikePairs(): readonly (readonly [string, string])[]
  insert(account: NewAccount): AccountRecord
  update(id: number, patch: AccountPatch, now: number): void
  setPassword(id: number, passwordHash: string, now: number, passwordShort?: boolean): void
  setLockState(id: number, state: LockState, now: number): void
  delete(id: number): void
  list(query: AccountQuery): { readonly accounts: AccountRecord[]; readonly total: number }
  /** Every account, streamed (coverage, export). */
  iterate(): IterableIterator<AccountRecord>
}

/** pending_mfa: owes a second factor (S14); enrollment_required: must set up MFA first (policy). */
export type SessionState = 'pending_mfa' | 'enrollment_required' | 'active'

export interface SessionRecord {
  readonly id: string
  readonly accountId: number
  readonly state: SessionState
  readonly createdAt: number
  readonly lastSeenAt: number
  readonly stepUpAt: number | null
  /** S13: wrong second-factor entries in this sign-in challenge. */
  readonly factorFailures: number
}

export interface SessionRepo {
  insert(session: SessionRecord): void
  findLive(id: string): SessionRecord | null
  touch(id: string, now: number): void
  setStepUp(id: string, at: number): void
  /** The second factor was right (or the required setup is done): the session becomes a full one. */
  activate(id: string, now: number): void
  /** The second factor was right, but the policy wants an allowed method first: the session may only set one up. */
  requireSetup(id: string, now: number): void
  /** Counts one wrong second-factor entry; returns the new count. */
  addFactorFailure(id: string): number
  end(id: string, now: number): void
  /** Ends every live session of the account but `exceptId`; returns how many ended. */
  endAllForAccount(accountId: number, now: number, exceptId?: string): number
}

export interface AuditEntry {
  /** `window:<username>`, `cli:<os user>`, `system`… */
  readonly actor: string
  readonly event: string
  readonly accountId: number | null
  /**
   * The account's username, kept on the row (S29). Looked up from accountId when left out;
   * give it when the account row is gone or going (a deletion).
   */
  readonly username?: string | undefined
  /** Never a secret, a code or a password. */
  readonly detail?: Readonly<Record<string, string | number | boolean | null>>
}

export interface AuditLog {
  /** Appends inside the caller's transaction, so the entry and the change land together. */
  append(entry: AuditEntry, now: number): void
}

export interface UnitOfWork {
  /** Runs `fn` in one `BEGIN IMMEDIATE` transaction; `fn` must be synchronous. */
  tx<T>(fn: () => T): T
}
