import { providerOf, unhandledType } from '../../shared/method-types'
import type { ChallengeView, SentCode } from '../../shared/mfa-schemas'
import { serverMethodTraits } from '../domain/method-traits'
import { AppError } from '../domain/app-error'
import { normalizeDigits } from '../domain/one-time-codes'
import { iso } from './account-view'
import type { ResolvedSession } from './auth-service'
import type { CodeDeliveryService } from './code-delivery-service'
import { clearFailures, currentLock, registerFailure } from './failure-counter'
import { totpSecretContext, type MfaDeps } from './mfa-deps'
import type { AppSecretFields, MethodRecord } from './mfa-ports'
import { challengeMethods, requireAllowed, usableMethods } from './method-policy'
import { setupRequirement, type EffectivePolicy } from '../domain/mfa-policy'
import { maskedFor, toMethodView } from './method-view'
import type { NotificationService } from './notification-service'
import type { AccountRecord } from './ports'
import type { RecoveryCodeService } from './recovery-code-service'

/**
 * The sign-in challenge (S14): a session that passed the password waits here
 * until a second factor is right. Each check runs in one IMMEDIATE transaction
 * with the account's shared failure counter (S13); five wrong entries end the
 * challenge; TOTP steps are consumed (S7), codes are single use (S8).
 */
export interface ChallengeServices {
  readonly codes: CodeDeliveryService
  readonly recovery: RecoveryCodeService
  readonly notifications: NotificationService
}

/** A right answer returns the session it activated, read back in the same transaction (no second look-up). */
type Outcome = { ok: true; resolved: ResolvedSession } | { ok: false; error: AppError }

/**
 * What a check found: the factor it tried (for the audit and the counter) and whether it was right.
 * 'reused': a TOTP code of a step already accepted (S7), counted like a wrong one but named as such.
 */
interface Checked {
  readonly factor: string
  readonly right: boolean | 'reused' | AppError
}

const reusedMessage = 'This code was just used. Wait for the next one.'

export function createChallengeService(deps: MfaDeps, services: ChallengeServices) {
  const { clock, uow, methods, sessions, audit } = deps

  function requirePending(resolved: ResolvedSession): void {
    if (resolved.session.state !== 'pending_mfa') throw new AppError('CONFLICT', 'This sign-in is already complete')
  }

  function view(resolved: ResolvedSession): ChallengeView {
    requirePending(resolved)
    const list = challengeMethods(deps, resolved.account)
    const preferred = list.find((m) => m.preferred) ?? list[0]
    if (!preferred) throw new AppError('CONFLICT', 'This account has no second factor any more; sign in again')
    const policy = deps.policy(resolved.account.role)
    // The preferred method first, then the others in the order they were added.
    const ordered = [preferred, ...list.filter((m) => m.id !== preferred.id)]
    return {
      methods: ordered.map(toMethodView),
      preferredMethodId: preferred.id,
      recoveryCodesAvailable: services.recovery.remaining(resolved.account.id).remaining > 0,
      expiresAt: iso(resolved.session.createdAt + policy.challengeTtlMs),
      attemptsLeft: Math.max(0, policy.challengeFailureLimit - resolved.session.factorFailures),
    }
  }

  function requireMethod(account: AccountRecord, methodId: number, policy = deps.policy(account.role)): MethodRecord {
    const method = methods.find(account.id, methodId)
    if (!method) throw new AppError('NOT_FOUND', 'This method was not found')
    // challengeMethods without listing them on every check: an allowed method is always offered;
    // a disallowed one only while the account has no allowed method left.
    const allowed = policy.mfa.allowedMethods.includes(method.type)
    if (!allowed && usableMethods(deps, account).length > 0) requireAllowed(deps, account, method.type)
    return method
  }

  async function sendCode(resolved: ResolvedSession, methodId: number, actor: string): Promise<SentCode> {
    requirePending(resolved)
    const method = requireMethod(resolved.account, methodId)
    if (method.destination === null) {
      throw new AppError(
        'VALIDATION',
        `Open ${serverMethodTraits[method.type].codeShownBy ?? 'your app'} for this code`,
      )
    }
    const channel = providerOf(method.type)
    const sent = await services.codes.send({
      accountId: resolved.account.id,
      accountName: resolved.account.username,
      purpose: 'sign-in',
      // S8: bound to this challenge and this method.
      subject: `${resolved.session.id}:${method.id}`,
      channel,
      destination: method.destination,
      actor,
    })
    return { sentTo: maskedFor(channel, method.destination), ...sent }
  }

  /** Runs one check inside a transaction and turns a wrong answer into the right refusal. */
  function attempt(
    resolved: ResolvedSession,
    actor: string,
    check: (now: number, account: AccountRecord, policy: EffectivePolicy) => Checked,
  ): Outcome {
    return uow.tx((): Outcome => {
      const now = clock.now()
      const session = sessions.findLive(resolved.session.id)
      const activated = (id: string): Outcome => ({
        ok: true,
        resolved: { session: sessions.findLive(id)!, account: deps.accounts.findById(resolved.account.id)! },
      })
      if (!session || session.state !== 'pending_mfa') {
        return { ok: false, error: new AppError('SESSION_EXPIRED', 'This sign-in has ended; start again') }
      }
      const account = deps.accounts.findById(resolved.account.id)!
      const lock = currentLock(account, now)
      if (lock) return { ok: false, error: lock }
      // Read once here for the method check, the failure limit and the setup requirement (the helpers
      // that list usable methods read it again, and see the same version: this transaction holds the write lock).
      const policy = deps.policy(account.role)
      const { factor, right: result } = check(now, account, policy)
      if (result instanceof AppError) return { ok: false, error: result }
      if (result !== true) {
        const failure = registerFailure(deps, account, now, actor, 'sign-in.factor-failed', factor)
        if (failure.locked) return { ok: false, error: failure.locked }
        const count = sessions.addFactorFailure(session.id)
        const limit = policy.challengeFailureLimit
        if (count >= limit) {
          sessions.end(session.id, now)
          audit.append(
            { actor, event: 'sign-in.challenge-ended', accountId: account.id, detail: { failures: count } },
            now,
          )
          return {
            ok: false,
            error: new AppError('SESSION_EXPIRED', 'Too many wrong codes; sign in again', { attemptsLeft: 0 }),
          }
        }
        const attemptsLeft = Math.min(limit - count, failure.attemptsLeft)
        const error =
          result === 'reused'
            ? new AppError('CODE_REUSED', reusedMessage, { attemptsLeft })
            : new AppError('INVALID_CODE', 'That code is not right', { attemptsLeft })
        return { ok: false, error }
      }
      clearFailures(deps, account, now)
      // Proved with a method the policy no longer allows, past a Required deadline: the session
      // may only set up an allowed method (S14), like a sign-in without any method.
      // The cheap policy check first: listing the methods is only needed past a Required deadline.
      const mustEnroll =
        setupRequirement(policy.mfa, account.createdAt, now).state === 'required' &&
        usableMethods(deps, account).length === 0
      if (mustEnroll) {
        sessions.requireSetup(session.id, now)
        audit.append({ actor, event: 'sign-in.enrollment-required', accountId: account.id, detail: { factor } }, now)
        return activated(session.id)
      }
      sessions.activate(session.id, now)
      deps.accounts.update(account.id, { lastSignInAt: now }, now)
      audit.append({ actor, event: 'sign-in.succeeded', accountId: account.id, detail: { factor } }, now)
      return activated(session.id)
    })
  }

  function verifyCode(resolved: ResolvedSession, methodId: number, code: string, actor: string): ResolvedSession {
    requirePending(resolved)
    const outcome = attempt(resolved, actor, (now, account, policy) => {
      // Read inside the transaction: the last accepted step is what makes replay impossible (S7).
      // An unknown or refused method throws here, before anything is written.
      const method = requireMethod(account, methodId, policy)
      return { factor: method.type, right: checkMethod(resolved, method, code, now) }
    })
    if (!outcome.ok) throw outcome.error
    return outcome.resolved
  }

  /** Each type's check; exhaustive, so a new type fails typecheck until it has one. */
  function checkMethod(
    resolved: ResolvedSession,
    method: MethodRecord,
    code: string,
    now: number,
  ): boolean | 'reused' | AppError {
    switch (method.type) {
      case 'totp':
        return checkTotp(method, code, now)
      case 'email':
      case 'sms':
        return checkCode(resolved, method, code, now)
      default:
        return unhandledType(method)
    }
  }

  /**
   * S7: the step is consumed in the caller's transaction. A code that only matches a step at or before
   * the last accepted one is a replay: refused and counted all the same, but the user is told to wait
   * for the next code rather than that the code is wrong (it was right a moment ago).
   */
  function checkTotp(method: MethodRecord & AppSecretFields, typed: string, now: number): boolean | 'reused' {
    const secret = Buffer.from(deps.secrets.decrypt(method.secretEnc, totpSecretContext(method.accountId)), 'base64')
    const check = { secret, code: normalizeDigits(typed), params: method.totp, nowMs: now }
    const step = deps.totp.verify({ ...check, afterStep: method.lastUsedStep })
    if (step === null) {
      return method.lastUsedStep !== null && deps.totp.verify({ ...check, afterStep: null }) !== null ? 'reused' : false
    }
    methods.recordUse(method.id, now, step)
    return true
  }

  /** S8: single use, bound to this challenge and method. */
  function checkCode(resolved: ResolvedSession, method: MethodRecord, code: string, now: number): boolean | AppError {
    const check = services.codes.check('sign-in', `${resolved.session.id}:${method.id}`, code, resolved.account.id)
    if (check.result === 'missing') return new AppError('EXPIRED', 'No code is waiting; send a new one')
    if (check.result === 'expired') return new AppError('EXPIRED', 'This code has expired; send a new one')
    if (check.result === 'wrong') return false
    methods.recordUse(method.id, now, null)
    return true
  }

  async function useRecoveryCode(
    resolved: ResolvedSession,
    code: string,
    actor: string,
  ): Promise<{ recoveryCodesRemaining: number; resolved: ResolvedSession }> {
    requirePending(resolved)
    // S33: the hash checks run before the transaction, off the event loop; it consumes what they found.
    const match = await services.recovery.find(resolved.account.id, code)
    const outcome = attempt(resolved, actor, (now) => {
      if (match === null || !services.recovery.consume(resolved.account.id, match, now)) {
        return { factor: 'recovery-code', right: false }
      }
      // In the same transaction as the consumption: no code is ever used without its audit row (S21, S22).
      const left = services.recovery.remaining(resolved.account.id).remaining
      audit.append(
        { actor, event: 'recovery-code.used', accountId: resolved.account.id, detail: { remaining: left } },
        now,
      )
      return { factor: 'recovery-code', right: true }
    })
    if (!outcome.ok) throw outcome.error
    const { remaining } = services.recovery.remaining(resolved.account.id)
    // S12: the owner hears of it at once.
    await services.notifications.notify(resolved.account.id, 'recovery-code-used', String(remaining))
    return { recoveryCodesRemaining: remaining, resolved: outcome.resolved }
  }

  return { view, sendCode, verifyCode, useRecoveryCode }
}

export type ChallengeService = ReturnType<typeof createChallengeService>
