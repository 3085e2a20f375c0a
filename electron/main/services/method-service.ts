import type { MethodView, MfaOverview } from '../../shared/mfa-schemas'
import { AppError } from '../domain/app-error'
import { checkNewPassword, isShortWithoutMfa } from '../domain/password-rules'
import type { MfaDeps } from './mfa-deps'
import type { MethodRecord } from './mfa-ports'
import { toMethodView } from './method-view'
import type { NotificationService } from './notification-service'
import type { AccountRecord } from './ports'
import type { RecoveryCodeService } from './recovery-code-service'

/**
 * The method list: rename, set preferred, remove, admin reset, and recovery
 * codes. Exactly one active method is preferred whenever any is active.
 * The router checks step-up (S15, S32); every change is audited, ends the
 * account's other sessions and is notified (S16).
 */
export interface MethodServices {
  readonly recovery: RecoveryCodeService
  readonly notifications: NotificationService
}

export function createMethodService(deps: MfaDeps, services: MethodServices) {
  const { clock, uow, methods, audit, recoveryCodes, sessions } = deps

  function overview(account: AccountRecord): MfaOverview {
    const { remaining, low } = services.recovery.remaining(account.id)
    const list = methods.listActive(account.id)
    return {
      methods: list.map(toMethodView),
      recoveryCodesRemaining: remaining,
      recoveryCodesLow: list.length > 0 && low,
    }
  }

  function requireMethod(account: AccountRecord, methodId: number): MethodRecord {
    const method = methods.find(account.id, methodId)
    if (!method) throw new AppError('NOT_FOUND', 'This method was not found; it may have been removed')
    return method
  }

  async function setPreferred(
    account: AccountRecord,
    methodId: number,
    actor: string,
    keepSessionId?: string,
  ): Promise<MethodView> {
    const method = uow.tx(() => {
      const found = requireMethod(account, methodId)
      if (found.preferred) return found
      const now = clock.now()
      methods.setPreferred(account.id, methodId)
      sessions.endAllForAccount(account.id, now, keepSessionId)
      audit.append({ actor, event: 'mfa.preferred-changed', accountId: account.id, detail: { methodId } }, now)
      return { ...found, preferred: true, changed: true }
    })
    if ('changed' in method) await services.notifications.notify(account.id, 'preferred-changed', method.label)
    return toMethodView(method)
  }

  function rename(account: AccountRecord, methodId: number, label: string, actor: string): MethodView {
    return uow.tx(() => {
      const method = requireMethod(account, methodId)
      methods.rename(methodId, label)
      audit.append({ actor, event: 'mfa.method-renamed', accountId: account.id, detail: { methodId } }, clock.now())
      return toMethodView({ ...method, label })
    })
  }

  function lastMethodForbidden(): AppError {
    return new AppError('FORBIDDEN', 'The site policy requires at least one sign-in method')
  }

  function newPasswordNeeded(): AppError {
    return new AppError(
      'WEAK_PASSWORD',
      'Without a second factor your password must be at least 15 characters; choose a new one',
      {
        reason: 'too-short',
        minLength: 15,
        fields: [{ field: 'newPassword', message: 'Choose a new password of at least 15 characters' }],
      },
    )
  }

  /**
   * Removing the preferred method promotes the most recently used one. Removing
   * the last one also removes the recovery codes and turns MFA off; if the
   * password is then too short for an account without MFA (S1), a new one must
   * come in the same step.
   *
   * Whether this is the last method is decided inside the transaction: two
   * removals at once (a window and the CLI) each see another method left
   * before either commits, and deciding outside would let the second turn MFA
   * off without the policy check or the new password. The check before the
   * transaction only answers early and hashes a new password outside it.
   */
  async function remove(
    account: AccountRecord,
    methodId: number,
    newPassword: string | undefined,
    actor: string,
    keepSessionId?: string,
  ) {
    const method = requireMethod(account, methodId)
    let newHash: { hash: string; short: boolean } | null = null
    if (methods.countActive(account.id) === 1) {
      if (!deps.policy(account.role).allowRemovingLastMethod) throw lastMethodForbidden()
      const fresh = deps.accounts.findById(account.id)!
      if (fresh.passwordShort || newPassword !== undefined) {
        if (newPassword === undefined) throw newPasswordNeeded()
        const normalized = checkNewPassword(
          newPassword,
          { username: fresh.username, email: fresh.email, hasMfa: false },
          deps.isCommonPassword,
        )
        newHash = { hash: await deps.hasher.hash(normalized), short: isShortWithoutMfa(normalized) }
      }
    }
    const result = uow.tx(() => {
      const now = clock.now()
      const current = requireMethod(account, methodId)
      const last = methods.countActive(account.id) === 1
      if (last) {
        const fresh = deps.accounts.findById(account.id)!
        if (!deps.policy(fresh.role).allowRemovingLastMethod) throw lastMethodForbidden()
        // S1: the other removal committed first; this one now turns MFA off and needs the new password.
        if (fresh.passwordShort && newHash === null) throw newPasswordNeeded()
      }
      methods.delete(current.id)
      const rest = methods.listActive(account.id)
      if (rest.length === 0) {
        recoveryCodes.deleteAllForAccount(account.id)
        if (newHash) deps.accounts.setPassword(account.id, newHash.hash, now, newHash.short)
      } else if (current.preferred) {
        const promoted = [...rest].sort(
          (a, b) => (b.lastUsedAt ?? 0) - (a.lastUsedAt ?? 0) || b.createdAt - a.createdAt || b.id - a.id,
        )[0]!
        methods.setPreferred(account.id, promoted.id)
      }
      const passwordChanged = rest.length === 0 && newHash !== null
      sessions.endAllForAccount(account.id, now, keepSessionId)
      audit.append(
        {
          actor,
          event: 'mfa.method-removed',
          accountId: account.id,
          detail: { methodId, type: current.type, mfaOff: rest.length === 0, passwordChanged },
        },
        now,
      )
      return { mfaEnabled: rest.length > 0 }
    })
    await services.notifications.notify(
      account.id,
      'method-removed',
      method.label,
      method.type === 'email' && method.destination ? [method.destination] : [],
    )
    return result
  }

  /** An administrator (or the operator CLI) removes every method, enrollment and recovery code. */
  async function reset(account: AccountRecord, actor: string): Promise<{ removed: number }> {
    const emails = methods
      .listActive(account.id)
      .flatMap((m) => (m.type === 'email' && m.destination ? [m.destination] : []))
    const removed = uow.tx(() => {
      const now = clock.now()
      const count = methods.deleteAllForAccount(account.id)
      deps.enrollments.deleteAllForAccount(account.id)
      recoveryCodes.deleteAllForAccount(account.id)
      sessions.endAllForAccount(account.id, now)
      audit.append({ actor, event: 'mfa.reset', accountId: account.id, detail: { removed: count } }, now)
      return count
    })
    await services.notifications.notify(account.id, 'mfa-reset', '', emails)
    return { removed }
  }

  /** S12: a new set of ten; the whole old set dies in the same transaction. */
  async function regenerateRecoveryCodes(
    account: AccountRecord,
    actor: string,
    keepSessionId?: string,
  ): Promise<string[]> {
    if (methods.countActive(account.id) === 0) {
      throw new AppError('VALIDATION', 'Recovery codes come with a sign-in method; add one first')
    }
    const batch = await services.recovery.makeBatch()
    uow.tx(() => {
      const now = clock.now()
      recoveryCodes.insertBatch(account.id, batch.batch, batch.hashes, true, now)
      recoveryCodes.activateBatch(account.id, batch.batch)
      sessions.endAllForAccount(account.id, now, keepSessionId)
      audit.append({ actor, event: 'recovery-codes.regenerated', accountId: account.id }, now)
    })
    await services.notifications.notify(account.id, 'recovery-codes-regenerated')
    return [...batch.codes]
  }

  return {
    overview,
    setPreferred,
    rename,
    remove,
    reset,
    regenerateRecoveryCodes,
    hasActiveMethod: (accountId: number) => methods.countActive(accountId) > 0,
  }
}

export type MethodService = ReturnType<typeof createMethodService>
