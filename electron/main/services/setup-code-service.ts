import { AppError } from '../domain/app-error'
import { formatSetupCode, normalizeSetupCode, setupCodeBytes } from '../domain/one-time-codes'
import { checkNewPassword, isShortWithoutMfa } from '../domain/password-rules'
import { iso } from './account-view'
import { lockStatus } from '../domain/lockout'
import {
  currentLock,
  currentUnknownLock,
  maxCheckRounds,
  registerFailure,
  registerUnknownFailure,
  unknownNameKey,
} from './failure-counter'
import type { MfaDeps } from './mfa-deps'
import type { AccountRecord } from './ports'
import { setupCodeMatches } from './setup-code-verifier'

/**
 * One-time setup codes: an imported account, or one whose password an
 * administrator reset, has no usable password until its user redeems the code
 * (printed once, valid 7 days) and chooses one. 120 random bits in the recovery
 * code's alphabet, stored as HMAC-SHA256 under the vault's setup-code key
 * (setup-code-verifier.ts; older 80-bit Argon2id codes stay valid until they
 * expire); wrong codes count like any failure (S13).
 */
export interface SetupCodeStore {
  put(accountId: number, codeHash: string, now: number, expiresAt: number): void
  get(accountId: number): { codeHash: string; expiresAt: number } | null
  delete(accountId: number): void
  /** Which of these accounts have a setup code stored (a page of the admin list). */
  withCodes(accountIds: readonly number[]): Set<number>
}

/** The password hash of an account waiting for its setup code: no password verifies against it. */
export const noPasswordHash = '!setup-code-pending'
const validityMs = 7 * 24 * 3_600_000

export function createSetupCodeService(deps: MfaDeps, store: SetupCodeStore) {
  const { uow, clock, audit, accounts, sessions } = deps

  /**
   * Makes a code and its hash; the caller stores it inside its own transaction with `store`.
   * A keyed hash of a 120-bit code takes microseconds: an import makes 100,000 at once.
   */
  function make(): { code: string; hash: string } {
    const code = formatSetupCode(deps.random.bytes(setupCodeBytes))
    return { code, hash: deps.setupCodeHasher.hash(normalizeSetupCode(code)!) }
  }

  /** Within a transaction: the account's password stops working and the code takes its place. */
  function attach(account: AccountRecord, hash: string, actor: string, now: number): string {
    const expiresAt = now + validityMs
    store.put(account.id, hash, now, expiresAt)
    accounts.setPassword(account.id, noPasswordHash, now, false)
    sessions.endAllForAccount(account.id, now)
    audit.append({ actor, event: 'setup-code.issued', accountId: account.id }, now)
    return iso(expiresAt)
  }

  /**
   * Within the transaction that just inserted `account` with `noPasswordHash` (an import): it
   * has no password and no session yet, so only the code and its audit row are written.
   */
  function attachToNew(account: AccountRecord, hash: string, actor: string, now: number): string {
    if (account.passwordHash !== noPasswordHash) throw new Error('attachToNew: the account already has a password')
    const expiresAt = now + validityMs
    store.put(account.id, hash, now, expiresAt)
    audit.append({ actor, event: 'setup-code.issued', accountId: account.id }, now)
    return iso(expiresAt)
  }

  async function issue(account: AccountRecord, actor: string): Promise<{ setupCode: string; expiresAt: string }> {
    const { code, hash } = make()
    const expiresAt = uow.tx(() => attach(account, hash, actor, clock.now()))
    return { setupCode: code, expiresAt }
  }

  /**
   * S26: a stored value in today's format that no code matches, checked when the name has no account
   * or the account no live code, so that those answers take the time of a real check.
   */
  let decoy: string | undefined
  function decoyStored(): string {
    decoy ??= make().hash
    return decoy
  }

  type Outcome = { kind: 'ok' } | { kind: 'refused'; error: AppError } | { kind: 'again' }

  const invalidMessage = 'This setup code is not right or has expired; ask an administrator for a new one'

  /** The code still usable now, or null. */
  function liveCode(accountId: number, now: number): { codeHash: string; expiresAt: number } | null {
    const stored = store.get(accountId)
    return stored !== null && stored.expiresAt > now ? stored : null
  }

  /**
   * The user's first sign-in: the code and a new password. The caller then signs in normally (S14).
   * S33: the code is checked outside the transaction (an older Argon2id code off the event loop),
   * which then re-reads and decides. S26: an unknown name, an account without a live code and a wrong
   * code all answer the same (INVALID_CODE with the tries left), after one check of the code each
   * (against a decoy when there is no code), and count towards a lock.
   */
  async function redeem(username: string, code: string, newPassword: string, actorPrefix: string): Promise<void> {
    // As at sign-in: the audit names an account, never a name typed for one that does not exist.
    const unknownActor = `${actorPrefix}:?`
    // What does not depend on the account is refused first: it tells nothing, and nothing is counted.
    checkNewPassword(newPassword, { username, email: null, hasMfa: false }, deps.isCommonPassword)
    for (let round = 1; ; round += 1) {
      const lastRound = round === maxCheckRounds
      const seen = accounts.findByUsername(username)
      const before = clock.now()
      const checkedCode = seen ? liveCode(seen.id, before) : null
      const locked = seen
        ? lockStatus(seen, before).locked
        : currentUnknownLock(deps, unknownNameKey(deps, username), before) !== null
      // A locked name, known or not, answers at once (S26); otherwise one check of the code against
      // the stored one, or against a decoy in the current format when there is none: the same work.
      const matches = locked ? false : await setupCodeMatches(deps, checkedCode?.codeHash ?? decoyStored(), code)
      const right = checkedCode !== null && matches
      // Only after the right code: the rule that reads the account (its email), and the new hash.
      const next = right && seen ? await newPasswordFor(seen, newPassword) : null
      const outcome = uow.tx((): Outcome => {
        const now = clock.now()
        const fresh = accounts.findByUsername(username)
        if (!fresh) {
          const key = unknownNameKey(deps, username)
          const lock = currentUnknownLock(deps, key, now)
          if (lock) return { kind: 'refused', error: lock }
          if (locked && !lastRound) return { kind: 'again' }
          const failure = registerUnknownFailure(deps, key, now, unknownActor, 'setup-code.failed', 'setup-code')
          return { kind: 'refused', error: failure.locked ?? invalidCode(failure.attemptsLeft) }
        }
        const actor = `${actorPrefix}:${fresh.username}`
        const lock = currentLock(fresh, now)
        if (lock) return { kind: 'refused', error: lock }
        const stored = liveCode(fresh.id, now)
        const current = !locked && seen?.id === fresh.id && stored?.codeHash === checkedCode?.codeHash
        if (!current && !lastRound) return { kind: 'again' }
        if (!current || stored === null || next === null) {
          const failure = registerFailure(deps, fresh, now, actor, 'setup-code.failed', 'setup-code')
          return { kind: 'refused', error: failure.locked ?? invalidCode(failure.attemptsLeft) }
        }
        store.delete(fresh.id)
        accounts.setPassword(fresh.id, next.hash, now, isShortWithoutMfa(next.normalized))
        audit.append({ actor, event: 'setup-code.redeemed', accountId: fresh.id }, now)
        return { kind: 'ok' }
      })
      if (outcome.kind === 'ok') return
      if (outcome.kind === 'refused') throw outcome.error
    }
  }

  function invalidCode(attemptsLeft: number): AppError {
    return new AppError('INVALID_CODE', invalidMessage, { attemptsLeft })
  }

  async function newPasswordFor(
    account: AccountRecord,
    password: string,
  ): Promise<{ normalized: string; hash: string }> {
    const normalized = checkNewPassword(
      password,
      { username: account.username, email: account.email, hasMfa: false },
      deps.isCommonPassword,
    )
    return { normalized, hash: await deps.hasher.hash(normalized) }
  }

  return { make, attach, attachToNew, issue, redeem, pending: (accountId: number) => store.get(accountId) !== null }
}

export type SetupCodeService = ReturnType<typeof createSetupCodeService>
