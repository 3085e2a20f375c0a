import type { AccountView } from '../../shared/schemas'
import type { SentCode } from '../../shared/mfa-schemas'
import { AppError } from '../domain/app-error'
import { toE164 } from '../domain/phone'
import { requireSmsCountryAllowed } from '../domain/sms-countries'
import { toAccountView } from './account-view'
import type { CodeDeliveryService } from './code-delivery-service'
import { currentLock, registerFailure } from './failure-counter'
import type { MfaDeps } from './mfa-deps'
import { maskedFor } from './method-view'
import type { NotificationService } from './notification-service'
import type { AccountRecord } from './ports'

/**
 * The account's contact email and phone (its profile, where notifications go).
 * A change is applied only when a code sent to the new address comes back, so
 * nobody can point notifications at an address they do not hold.
 */
interface PendingChange {
  readonly field: 'email' | 'phone'
  readonly value: string
}

export function createContactService(
  deps: MfaDeps,
  services: { codes: CodeDeliveryService; notifications: NotificationService },
) {
  const subjectOf = (accountId: number) => `contact:${accountId}`

  async function begin(
    account: AccountRecord,
    change: { email: string } | { phone: string },
    actor: string,
  ): Promise<SentCode> {
    const pending: PendingChange =
      'email' in change
        ? { field: 'email', value: change.email.trim() }
        : { field: 'phone', value: toE164(change.phone) }
    const channel = pending.field === 'email' ? 'email' : 'sms'
    // A contact phone the site cannot text could never confirm the change: refused here, naming the field.
    if (channel === 'sms') requireSmsCountryAllowed(pending.value, deps.site.smsCountries(), 'phone')
    const sent = await services.codes.send({
      accountId: account.id,
      accountName: account.username,
      purpose: 'contact',
      subject: subjectOf(account.id),
      channel,
      destination: pending.value,
      payload: JSON.stringify(pending),
      actor,
    })
    return { sentTo: maskedFor(channel, pending.value), ...sent }
  }

  async function confirm(account: AccountRecord, code: string, actor: string): Promise<AccountView> {
    const outcome = deps.uow.tx(
      (): { ok: true; change: PendingChange; old: string | null } | { ok: false; error: AppError } => {
        const now = deps.clock.now()
        const fresh = deps.accounts.findById(account.id)!
        const lock = currentLock(fresh, now)
        if (lock) return { ok: false, error: lock }
        const check = services.codes.check('contact', subjectOf(account.id), code, account.id)
        if (check.result === 'missing' || check.result === 'expired') {
          return { ok: false, error: new AppError('EXPIRED', 'This code has expired; start the change again') }
        }
        if (check.result === 'wrong') {
          const failure = registerFailure(deps, fresh, now, actor, 'contact.code-failed', 'contact')
          return {
            ok: false,
            error:
              failure.locked ??
              new AppError('INVALID_CODE', 'That code is not right', { attemptsLeft: failure.attemptsLeft }),
          }
        }
        const change = JSON.parse(check.payload ?? '{}') as PendingChange
        deps.accounts.update(account.id, { [change.field]: change.value }, now)
        deps.audit.append({ actor, event: `contact.${change.field}-changed`, accountId: account.id }, now)
        return { ok: true, change, old: change.field === 'email' ? fresh.email : null }
      },
    )
    if (!outcome.ok) throw outcome.error
    // The old address hears of the change too: it may be the only one the real owner still reads.
    await services.notifications.notify(
      account.id,
      'contact-changed',
      outcome.change.field,
      outcome.old ? [outcome.old] : [],
    )
    return toAccountView(deps.accounts.findById(account.id)!, deps.clock.now())
  }

  return { begin, confirm }
}

export type ContactService = ReturnType<typeof createContactService>
