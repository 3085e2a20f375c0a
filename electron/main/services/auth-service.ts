import type { SessionView } from '../../shared/schemas'
import { AppError } from '../domain/app-error'
import { lockStatus } from '../domain/lockout'
import { setupRequirement, type SetupRequirement } from '../domain/mfa-policy'
import { normalizePassword } from '../domain/password-rules'
import { iso, toAccountView } from './account-view'
import type { CoreDeps } from './deps'
import type { SiteSettings } from './mfa-deps'
import type { MethodRepo } from './mfa-ports'
import { clearFailures, currentLock, registerFailure } from './failure-counter'
import type { AccountRecord, SessionRecord } from './ports'

/**
 * Sign-in, sessions and the password check (step-up). Failures are recorded in
 * the same transaction that checks the lock, and the transaction returns the
 * outcome instead of throwing, because a throw would roll the counter back.
 */
export interface ResolvedSession {
  readonly session: SessionRecord
  readonly account: AccountRecord
}

type PasswordOutcome =
  | { readonly kind: 'ok'; readonly account: AccountRecord; readonly rehash: boolean }
  | { readonly kind: 'refused'; readonly error: AppError }

/** A hash of nothing in particular, verified when the username is unknown, so timing does not reveal which usernames exist. */
const decoyHash = '$argon2id$v=19$m=19456,t=2,p=1$aDjowo+5YWQeEEgd3G/y+g$xCLn4PYgLO/b/Dud7PKkoZXgzjB1rokdFftes+pOdRA'

/**
 * The session view also says which countries text messages may go to (the site's SMS allow-list),
 * and whether the account has methods at all, usable or not (see sessionView).
 */
export type AuthDeps = CoreDeps & {
  readonly site: Pick<SiteSettings, 'smsCountries'>
  readonly methods: Pick<MethodRepo, 'countActive'>
}

export function createAuthService(deps: AuthDeps) {
  const { clock, accounts, sessions, audit, uow, hasher } = deps

  /** S13: check the lock, verify, and count the outcome, all in one IMMEDIATE transaction. */
  function checkPassword(account: AccountRecord, password: string, actor: string, purpose: string): PasswordOutcome {
    return uow.tx((): PasswordOutcome => {
      const now = clock.now()
      const fresh = accounts.findById(account.id)
      if (!fresh) return { kind: 'refused', error: new AppError('INVALID_CREDENTIALS', 'Wrong username or password') }
      const lock = currentLock(fresh, now)
      if (lock) {
        audit.append({ actor, event: `${purpose}.refused-locked`, accountId: fresh.id }, now)
        return { kind: 'refused', error: lock }
      }
      if (hasher.verifySync(fresh.passwordHash, normalizePassword(password))) {
        // S13: with MFA the password is only half of a sign-in, so it must not reset the
        // counter, or password + four wrong codes, again and again, would never lock.
        if (purpose !== 'sign-in' || deps.methods.countActive(fresh.id) === 0) clearFailures(deps, fresh, now)
        return { kind: 'ok', account: fresh, rehash: hasher.needsRehash(fresh.passwordHash) }
      }
      const failure = registerFailure(deps, fresh, now, actor, `${purpose}.failed`, 'password')
      return {
        kind: 'refused',
        error:
          failure.locked ??
          new AppError('INVALID_CREDENTIALS', 'Wrong username or password', { attemptsLeft: failure.attemptsLeft }),
      }
    })
  }

  /** S3: a hash made with older parameters is replaced once the password is known to be right. */
  async function upgradeHash(account: AccountRecord, password: string): Promise<void> {
    const upgraded = await hasher.hash(normalizePassword(password))
    uow.tx(() => {
      const current = accounts.findById(account.id)
      // Only if nobody changed the password meanwhile.
      if (current && current.passwordHash === account.passwordHash) {
        accounts.setPassword(account.id, upgraded, current.passwordChangedAt)
        audit.append({ actor: 'system', event: 'password.rehashed', accountId: account.id }, clock.now())
      }
    })
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
    const account = accounts.findByUsername(input.username)
    if (!account) {
      hasher.verifySync(decoyHash, normalizePassword(input.password))
      uow.tx(() =>
        audit.append(
          { actor: `${actorPrefix}:?`, event: 'sign-in.failed', accountId: null, detail: { reason: 'unknown-user' } },
          clock.now(),
        ),
      )
      throw new AppError('INVALID_CREDENTIALS', 'Wrong username or password')
    }
    const actor = `${actorPrefix}:${account.username}`
    const outcome = checkPassword(account, input.password, actor, 'sign-in')
    if (outcome.kind === 'refused') throw outcome.error
    if (outcome.account.disabled) {
      uow.tx(() => audit.append({ actor, event: 'sign-in.refused-disabled', accountId: account.id }, clock.now()))
      throw new AppError('ACCOUNT_DISABLED', 'This account is disabled; ask an administrator')
    }
    if (outcome.rehash) await upgradeHash(outcome.account, input.password)
    const resolved = uow.tx((): ResolvedSession => {
      const now = clock.now()
      // S14: every path to a session goes through here. With an active MFA method the
      // session only waits for its second factor; the challenge service makes it active.
      // Any method counts, even one the policy no longer allows (see challengeMethods):
      // a password alone never opens an account that has a second factor.
      // Without any method, a Required policy past its grace period lets the session
      // do nothing but set one up (enforced by the router, not just hidden in the window).
      const needsSecondFactor = deps.methods.countActive(account.id) > 0
      const mustEnroll =
        !needsSecondFactor &&
        setupRequirement(deps.policy(account.role).mfa, account.createdAt, now).state === 'required'
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
    })
    return { sessionId: resolved.session.id, resolved }
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
  function confirmPassword(resolved: ResolvedSession, password: string, actor: string): { stepUpUntil: string } {
    const outcome = checkPassword(resolved.account, password, actor, 'step-up')
    if (outcome.kind === 'refused') {
      if (outcome.error.code === 'INVALID_CREDENTIALS') {
        throw new AppError('INVALID_CREDENTIALS', 'Wrong password', outcome.error.extra)
      }
      throw outcome.error
    }
    const now = clock.now()
    uow.tx(() => {
      sessions.setStepUp(resolved.session.id, now)
      audit.append({ actor, event: 'step-up.succeeded', accountId: resolved.account.id }, now)
    })
    return { stepUpUntil: iso(now + deps.policy().stepUpMs) }
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
