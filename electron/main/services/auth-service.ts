import type { SessionView } from '../../shared/schemas'
import { AppError } from '../domain/app-error'
import { lockStatus } from '../domain/lockout'
import { setupRequirement, type SetupRequirement } from '../domain/mfa-policy'
import { normalizePassword } from '../domain/password-rules'
import { iso, toAccountView } from './account-view'
import type { CoreDeps } from './deps'
import type { SiteSettings } from './mfa-deps'
import type { MethodRepo } from './mfa-ports'
import {
  clearFailures,
  currentLock,
  currentUnknownLock,
  maxCheckRounds,
  registerFailure,
  registerUnknownFailure,
  unknownNameKey,
  type UnknownNameDeps,
} from './failure-counter'
import type { AccountRecord, SessionRecord } from './ports'

/**
 * Sign-in, sessions and the password check (step-up). S33: the password is
 * checked off the event loop, outside any transaction; then one IMMEDIATE
 * transaction re-reads the account and decides: a lock found there answers
 * "locked" whatever the check said, a password changed meanwhile is checked
 * again, and the failure is counted there (S13), so parallel attempts count
 * exactly. The transaction returns its outcome instead of throwing, because a
 * throw would roll the counter back. S26: a name without an account is checked
 * against a decoy hash and counted and locked by the same rules, so every answer
 * reads the same whether the name exists or not.
 */
export interface ResolvedSession {
  readonly session: SessionRecord
  readonly account: AccountRecord
}

/** The outcome of a transaction that decides: a value, a refusal, or "check again" (the account changed meanwhile). */
type Decision<T> =
  | { readonly kind: 'done'; readonly value: T }
  | { readonly kind: 'refused'; readonly error: AppError }
  | { readonly kind: 'again' }

/** What was checked outside the transaction, against which stored hash (S33). */
interface PasswordCheck {
  /** The account checked, or null: no account by that name (a decoy was checked). */
  readonly accountId: number | null
  readonly hash: string | null
  /** False: the name was locked, so nothing was checked (a lock answers at once, known name or not). */
  readonly checked: boolean
  readonly right: boolean
  /** S3: the password hashed anew when it was right and its hash has older parameters. */
  readonly upgraded: string | null
}

const wrongCredentials = 'Wrong username or password'

function refused(error: AppError): { readonly kind: 'refused'; readonly error: AppError } {
  return { kind: 'refused', error }
}

/**
 * The session view also says which countries text messages may go to (the site's SMS allow-list),
 * and whether the account has methods at all, usable or not (see sessionView).
 */
export type AuthDeps = CoreDeps &
  UnknownNameDeps & {
    readonly site: Pick<SiteSettings, 'smsCountries'>
    readonly methods: Pick<MethodRepo, 'countActive'>
  }

export function createAuthService(deps: AuthDeps) {
  const { clock, accounts, sessions, audit, uow, hasher } = deps

  /** Outside any transaction, off the event loop (S33). `seen` is the account as read before it, if any. */
  async function checkOutside(
    seen: AccountRecord | null,
    lockedNow: boolean,
    password: string,
    upgrade: boolean,
  ): Promise<PasswordCheck> {
    const base = { accountId: seen?.id ?? null, hash: seen?.passwordHash ?? null }
    // S26: a locked name, known or not, answers at once; no hash is spent on it.
    if (lockedNow) return { ...base, checked: false, right: false, upgraded: null }
    if (!seen) return { ...base, checked: true, right: await hasher.verifyDecoy(password), upgraded: null }
    const right = await hasher.verify(seen.passwordHash, password)
    const upgraded = right && upgrade && hasher.needsRehash(seen.passwordHash) ? await hasher.hash(password) : null
    return { ...base, checked: true, right, upgraded }
  }

  /** True when the check outside was made against what the transaction now reads. */
  function checkedAgainst(check: PasswordCheck, fresh: AccountRecord): boolean {
    return check.checked && check.accountId === fresh.id && check.hash === fresh.passwordHash
  }

  /** Runs check-then-decide until the decision stands (see maxRounds). */
  async function decided<T>(
    check: () => Promise<PasswordCheck>,
    decide: (check: PasswordCheck, lastRound: boolean) => Decision<T>,
  ): Promise<T> {
    for (let round = 1; ; round += 1) {
      const checked = await check()
      const decision = uow.tx(() => decide(checked, round === maxCheckRounds))
      if (decision.kind === 'done') return decision.value
      if (decision.kind === 'refused') throw decision.error
    }
  }

  function newSessionId(): string {
    return Buffer.from(deps.random.bytes(32)).toString('hex')
  }

  function sessionView(resolved: ResolvedSession): SessionView {
    const { session, account } = resolved
    const policy = deps.policy(account.role)
    const smsCountries = deps.site.smsCountries()
    const now = clock.now()
    const stepUpUntil = session.stepUpAt === null ? null : session.stepUpAt + policy.stepUpMs
    const setup = deps.mfa.hasActiveMethod(account.id)
      ? ({ state: 'none' } as const)
      : withDisallowedMethods(account.id, setupRequirement(policy.mfa, account.createdAt, now))
    return {
      mfaSetup:
        setup.state === 'none'
          ? null
          : { state: setup.state, deadline: 'deadline' in setup ? iso(setup.deadline) : null },
      account: toAccountView(account, now),
      expiresAt: iso(session.createdAt + policy.sessionAbsoluteMs),
      idleTimeoutMinutes: Math.round(policy.sessionIdleMs / 60_000),
      stepUpUntil: stepUpUntil !== null && stepUpUntil > now ? iso(stepUpUntil) : null,
      // The same rule the engine enforces when a method is set up (requireAllowed), so the window
      // offers nothing it would refuse; strong-only has already removed email and SMS here (S8).
      mfaOptions: {
        methods: [...policy.mfa.allowedMethods],
        smsCountries: smsCountries === null ? null : [...smsCountries],
      },
    }
  }

  /**
   * An account whose every method is of a type the policy no longer allows (SMS or email under
   * "strong methods only") still proves itself with them at sign-in (challengeMethods), but counts
   * as without MFA for the policy. Where MFA is
   * optional it is still invited to set up an allowed method, rather than left to believe the
   * method it sees on My account still guards it.
   */
  function withDisallowedMethods(accountId: number, setup: SetupRequirement): SetupRequirement {
    return setup.state === 'none' && deps.methods.countActive(accountId) > 0 ? { state: 'invited' } : setup
  }

  async function signIn(input: { username: string; password: string }, actorPrefix: string) {
    const password = normalizePassword(input.password)
    const unknownActor = `${actorPrefix}:?`
    const resolved = await decided(
      () => {
        const seen = accounts.findByUsername(input.username)
        const now = clock.now()
        const locked = seen
          ? lockStatus(seen, now).locked
          : currentUnknownLock(deps, unknownNameKey(deps, input.username), now) !== null
        return checkOutside(seen, locked, password, true)
      },
      (check, lastRound): Decision<ResolvedSession> => {
        const now = clock.now()
        const fresh = accounts.findByUsername(input.username)
        if (!fresh) {
          // S26: the same answers, the same counting and the same lock as for an account.
          const key = unknownNameKey(deps, input.username)
          const lock = currentUnknownLock(deps, key, now)
          if (lock) {
            audit.append({ actor: unknownActor, event: 'sign-in.refused-locked', accountId: null }, now)
            return refused(lock)
          }
          if (!check.checked && !lastRound) return { kind: 'again' }
          const failure = registerUnknownFailure(deps, key, now, unknownActor, 'sign-in.failed', 'password')
          return refused(
            failure.locked ??
              new AppError('INVALID_CREDENTIALS', wrongCredentials, { attemptsLeft: failure.attemptsLeft }),
          )
        }
        const actor = `${actorPrefix}:${fresh.username}`
        const lock = currentLock(fresh, now)
        if (lock) {
          // S33: whatever the check outside found, a locked account says only that it is locked.
          audit.append({ actor, event: 'sign-in.refused-locked', accountId: fresh.id }, now)
          return refused(lock)
        }
        const current = checkedAgainst(check, fresh)
        if (!current && !lastRound) return { kind: 'again' }
        if (!current || !check.right) {
          const failure = registerFailure(deps, fresh, now, actor, 'sign-in.failed', 'password')
          return refused(
            failure.locked ??
              new AppError('INVALID_CREDENTIALS', wrongCredentials, { attemptsLeft: failure.attemptsLeft }),
          )
        }
        // S13: with MFA the password is only half of a sign-in, so it must not reset the
        // counter, or password + four wrong codes, again and again, would never lock.
        if (deps.methods.countActive(fresh.id) === 0) clearFailures(deps, fresh, now)
        if (fresh.disabled) {
          audit.append({ actor, event: 'sign-in.refused-disabled', accountId: fresh.id }, now)
          return refused(new AppError('ACCOUNT_DISABLED', 'This account is disabled; ask an administrator'))
        }
        if (check.upgraded !== null) {
          // S3, in the same commit as the sign-in: the hash checked is still the stored one.
          accounts.setPassword(fresh.id, check.upgraded, fresh.passwordChangedAt)
          audit.append({ actor: 'system', event: 'password.rehashed', accountId: fresh.id }, now)
        }
        return { kind: 'done', value: openSession(fresh, actor, now) }
      },
    )
    return { sessionId: resolved.session.id, resolved }
  }

  /** Inside the deciding transaction: the password was right. */
  function openSession(account: AccountRecord, actor: string, now: number): ResolvedSession {
    // S14: every path to a session goes through here. With an active MFA method the
    // session only waits for its second factor; the challenge service makes it active.
    // Any method counts, even one the policy no longer allows (see challengeMethods):
    // a password alone never opens an account that has a second factor.
    // Without any method, a Required policy past its grace period lets the session
    // do nothing but set one up (enforced by the router, not just hidden in the window).
    const needsSecondFactor = deps.methods.countActive(account.id) > 0
    const mustEnroll =
      !needsSecondFactor && setupRequirement(deps.policy(account.role).mfa, account.createdAt, now).state === 'required'
    const session: SessionRecord = {
      id: newSessionId(),
      accountId: account.id,
      state: needsSecondFactor ? 'pending_mfa' : mustEnroll ? 'enrollment_required' : 'active',
      createdAt: now,
      lastSeenAt: now,
      stepUpAt: now,
      factorFailures: 0,
    }
    sessions.insert(session)
    if (needsSecondFactor || mustEnroll) {
      const event = needsSecondFactor ? 'sign-in.password-accepted' : 'sign-in.enrollment-required'
      audit.append({ actor, event, accountId: account.id }, now)
    } else {
      accounts.update(account.id, { lastSignInAt: now }, now)
      audit.append({ actor, event: 'sign-in.succeeded', accountId: account.id }, now)
    }
    return { session, account: accounts.findById(account.id)! }
  }

  /**
   * Issue 15: a read commits nothing, so the activity it shows is kept here, in this process,
   * and written at most a minute later (flushActivity, from the minute sweep). S17's idle limit
   * is decided with the later of the two, so it holds in this process to the millisecond; a
   * session lives only in the process that bound it to a window, so another process (the CLI)
   * never resolves it, and what that process sees (last_seen_at) is at most a minute behind.
   */
  const activity = new Map<string, number>()

  function lastSeen(session: SessionRecord): number {
    return Math.max(session.lastSeenAt, activity.get(session.id) ?? 0)
  }

  /** Writes the activity seen since the last write, in one transaction; nothing when there is none. */
  function flushActivity(): void {
    if (activity.size === 0) return
    const seen = [...activity]
    activity.clear()
    uow.tx(() => {
      for (const [id, at] of seen) sessions.touch(id, at)
    })
  }

  /**
   * S17: a session past its idle or absolute limit is ended; so is one whose
   * account was disabled, deleted or locked meanwhile. A live session is only read.
   */
  function resolveSession(sessionId: string): ResolvedSession {
    const now = clock.now()
    const session = sessions.findLive(sessionId)
    if (!session) {
      activity.delete(sessionId)
      throw new AppError('UNAUTHENTICATED', 'Sign in to continue')
    }
    const account = accounts.findById(session.accountId)
    const policy = deps.policy(account?.role)
    const seen = lastSeen(session)
    const expired =
      now - seen > policy.sessionIdleMs ||
      now - session.createdAt > policy.sessionAbsoluteMs ||
      (session.state === 'pending_mfa' && now - session.createdAt > policy.challengeTtlMs)
    if (expired || !account || account.disabled || lockStatus(account, now).locked) {
      activity.delete(sessionId)
      uow.tx(() => {
        // Ended only once, even if another request or process ended it meanwhile.
        if (!sessions.findLive(sessionId)) return
        sessions.end(session.id, now)
        if (expired) audit.append({ actor: 'system', event: 'session.expired', accountId: session.accountId }, now)
      })
      throw new AppError('SESSION_EXPIRED', 'Your session has ended; sign in again')
    }
    activity.set(session.id, now)
    return { session: { ...session, lastSeenAt: now }, account }
  }

  function signOut(resolved: ResolvedSession, actor: string): void {
    activity.delete(resolved.session.id)
    uow.tx(() => {
      const now = clock.now()
      sessions.end(resolved.session.id, now)
      audit.append({ actor, event: 'sign-out', accountId: resolved.account.id }, now)
    })
  }

  /** S15: a fresh password check, valid for `policy.stepUpMs`. Failures count like any other (S13). */
  async function confirmPassword(
    resolved: ResolvedSession,
    password: string,
    actor: string,
  ): Promise<{ stepUpUntil: string }> {
    const normalized = normalizePassword(password)
    const id = resolved.account.id
    return decided(
      () => {
        const seen = accounts.findById(id)
        return checkOutside(seen, seen !== null && lockStatus(seen, clock.now()).locked, normalized, false)
      },
      (check, lastRound): Decision<{ stepUpUntil: string }> => {
        const now = clock.now()
        const fresh = accounts.findById(id)
        if (!fresh) return refused(new AppError('INVALID_CREDENTIALS', 'Wrong password'))
        const lock = currentLock(fresh, now)
        if (lock) {
          audit.append({ actor, event: 'step-up.refused-locked', accountId: fresh.id }, now)
          return refused(lock)
        }
        const current = checkedAgainst(check, fresh)
        if (!current && !lastRound) return { kind: 'again' }
        if (!current || !check.right) {
          const failure = registerFailure(deps, fresh, now, actor, 'step-up.failed', 'password')
          return refused(
            failure.locked ??
              new AppError('INVALID_CREDENTIALS', 'Wrong password', { attemptsLeft: failure.attemptsLeft }),
          )
        }
        clearFailures(deps, fresh, now)
        sessions.setStepUp(resolved.session.id, now)
        audit.append({ actor, event: 'step-up.succeeded', accountId: fresh.id }, now)
        return { kind: 'done', value: { stepUpUntil: iso(now + deps.policy().stepUpMs) } }
      },
    )
  }

  /** S15: throws STEP_UP_REQUIRED unless the password was checked within the step-up window. */
  function requireStepUp(resolved: ResolvedSession): void {
    const at = resolved.session.stepUpAt
    if (at === null || clock.now() - at > deps.policy().stepUpMs) {
      throw new AppError('STEP_UP_REQUIRED', 'Confirm your password to continue')
    }
  }

  /** The required setup is done: the session that had to enroll becomes a full one. */
  function completeRequiredSetup(resolved: ResolvedSession, actor: string): void {
    if (resolved.session.state !== 'enrollment_required') return
    uow.tx(() => {
      const now = clock.now()
      sessions.activate(resolved.session.id, now)
      accounts.update(resolved.account.id, { lastSignInAt: now }, now)
      audit.append(
        { actor, event: 'sign-in.succeeded', accountId: resolved.account.id, detail: { after: 'required-setup' } },
        now,
      )
    })
  }

  return {
    signIn,
    resolveSession,
    flushActivity,
    signOut,
    confirmPassword,
    requireStepUp,
    sessionView,
    completeRequiredSetup,
  }
}

export type AuthService = ReturnType<typeof createAuthService>
