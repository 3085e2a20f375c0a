import { AppError } from '../domain/app-error'
import { formatSetupCode, normalizeSetupCode, setupCodeBytes } from '../domain/one-time-codes'
import { checkNewPassword, isShortWithoutMfa } from '../domain/password-rules'
import { iso } from './account-view'
import { currentLock, registerFailure } from './failure-counter'
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

  type Outcome = { ok: true } | { ok: false; error: AppError }

  /** The user's first sign-in: the code and a new password. The caller then signs in normally (S14). */
  async function redeem(username: string, code: string, newPassword: string, actor: string): Promise<void> {
    const account = accounts.findByUsername(username)
    const invalid = new AppError(
      'INVALID_CODE',
      'This setup code is not right or has expired; ask an administrator for a new one',
    )
    if (!account || store.get(account.id) === null) throw invalid
    const normalized = checkNewPassword(
      newPassword,
      { username: account.username, email: account.email, hasMfa: false },
      deps.isCommonPassword,
    )
    const passwordHash = await deps.hasher.hash(normalized)
    const outcome = uow.tx((): Outcome => {
      const now = clock.now()
      const fresh = accounts.findById(account.id)!
      const lock = currentLock(fresh, now)
      if (lock) return { ok: false, error: lock }
      const stored = store.get(account.id)
      if (!stored || stored.expiresAt <= now) return { ok: false, error: invalid }
      if (!setupCodeMatches(deps, stored.codeHash, code)) {
        const failure = registerFailure(deps, fresh, now, actor, 'setup-code.failed', 'setup-code')
        return {
          ok: false,
          error:
            failure.locked ?? new AppError('INVALID_CODE', invalid.message, { attemptsLeft: failure.attemptsLeft }),
        }
      }
      store.delete(account.id)
      accounts.setPassword(account.id, passwordHash, now, isShortWithoutMfa(normalized))
      audit.append({ actor, event: 'setup-code.redeemed', accountId: account.id }, now)
      return { ok: true }
    })
    if (!outcome.ok) throw outcome.error
  }

  return { make, attach, attachToNew, issue, redeem, pending: (accountId: number) => store.get(accountId) !== null }
}

export type SetupCodeService = ReturnType<typeof createSetupCodeService>
