import type { MfaDeps } from './mfa-deps'

/**
 * S16, S12: the account owner hears of every factor change and every use of a
 * recovery code, by email to the account's address and its confirmed email
 * methods, when an SMTP server is set up. A notification that fails is
 * audited; it never undoes the change it reports.
 */
export type FactorEvent =
  | 'method-added'
  | 'method-removed'
  | 'preferred-changed'
  | 'recovery-code-used'
  | 'recovery-codes-regenerated'
  | 'mfa-reset'
  | 'password-changed'
  | 'contact-changed'

const sentences: Record<FactorEvent, string> = {
  'method-added': 'A new sign-in method ({detail}) was added to your account.',
  'method-removed': 'A sign-in method ({detail}) was removed from your account.',
  'preferred-changed': 'Your preferred sign-in method is now {detail}.',
  'recovery-code-used': 'A recovery code was used to sign in to your account. {detail} recovery codes remain.',
  'recovery-codes-regenerated': 'New recovery codes were made for your account; the old ones no longer work.',
  'mfa-reset': 'An administrator removed all sign-in methods from your account.',
  'password-changed': 'The password of your account was changed.',
  'contact-changed': 'The contact details of your account were changed ({detail}).',
}

export function createNotificationService(deps: MfaDeps) {
  function recipients(accountId: number, extra: readonly string[]): string[] {
    const account = deps.accounts.findById(accountId)
    const addresses = [
      account?.email ?? null,
      ...deps.methods
        .listActive(accountId)
        .filter((m) => m.type === 'email')
        .map((m) => m.destination),
      ...extra,
    ].filter((a): a is string => a !== null)
    return [...new Set(addresses.map((a) => a.toLowerCase()))]
  }

  async function notify(
    accountId: number,
    event: FactorEvent,
    detail = '',
    extraRecipients: readonly string[] = [],
  ): Promise<void> {
    if (!deps.email.isConfigured()) return
    const account = deps.accounts.findById(accountId)
    if (!account) return
    const site = deps.site.siteName()
    const text = [
      `Hello ${account.displayName},`,
      '',
      sentences[event].replace('{detail}', detail),
      '',
      `If this was not you, contact your ${site} administrator at once.`,
    ].join('\n')
    for (const to of recipients(accountId, extraRecipients)) {
      try {
        await deps.email.send({ to, subject: `${site}: security change on your account`, text })
      } catch (error) {
        deps.uow.tx(() =>
          deps.audit.append(
            {
              actor: 'system',
              event: 'notification.failed',
              accountId,
              detail: { event, reason: error instanceof Error ? error.message : 'unknown' },
            },
            deps.clock.now(),
          ),
        )
      }
    }
  }

  return { notify }
}

export type NotificationService = ReturnType<typeof createNotificationService>
