import type {
  EmailProviderInput,
  EmailProviderView,
  SmsProviderInput,
  SmsProviderView,
} from '../../shared/provider-schemas'
import type { MfaDeps } from './mfa-deps'

/**
 * Administrators set up the SMTP server and the SMS gateway. Secrets are
 * write-only (S20): nothing here returns them. Every change is audited, never
 * with a secret in it.
 */
export interface ProviderConfig {
  getEmail(): EmailProviderView | null
  setEmail(input: EmailProviderInput): EmailProviderView
  clearEmail(): void
  getSms(): SmsProviderView | null
  setSms(input: SmsProviderInput): SmsProviderView
  clearSms(): void
  getSmsText(): string
  setSmsText(text: string): string
}

export interface ProviderTester {
  testEmail(to: string, site?: string): Promise<void>
  testSms(to: string, site?: string): Promise<void>
}

export function createProviderService(deps: MfaDeps, config: ProviderConfig, tester: ProviderTester) {
  function audited<T>(actor: string, event: string, detail: Record<string, string>, change: () => T): T {
    return deps.uow.tx(() => {
      const result = change()
      deps.audit.append({ actor, event, accountId: null, detail }, deps.clock.now())
      return result
    })
  }

  return {
    get: () => ({ email: config.getEmail(), sms: config.getSms(), smsText: config.getSmsText() }),
    setEmail: (input: EmailProviderInput, actor: string) =>
      audited(
        actor,
        'provider.email-set',
        { host: input.host, passwordChanged: String(input.password !== undefined) },
        () => config.setEmail(input),
      ),
    setSms: (input: SmsProviderInput, text: string | undefined, actor: string) =>
      audited(actor, 'provider.sms-set', { kind: input.kind }, () => {
        const view = config.setSms(input)
        if (text !== undefined) config.setSmsText(text)
        return view
      }),
    clear: (kind: 'email' | 'sms', actor: string) =>
      audited(actor, `provider.${kind}-cleared`, {}, () =>
        kind === 'email' ? config.clearEmail() : config.clearSms(),
      ),
    /** Sends a fixed test message; the result of the last send is in the audit log. */
    async test(kind: 'email' | 'sms', to: string, actor: string): Promise<{ sent: true }> {
      try {
        if (kind === 'email') await tester.testEmail(to, deps.site.siteName())
        else await tester.testSms(to, deps.site.siteName())
      } catch (error) {
        audited(
          actor,
          'provider.test-failed',
          { kind, reason: error instanceof Error ? error.message : 'unknown' },
          () => undefined,
        )
        throw error
      }
      audited(actor, 'provider.test-sent', { kind }, () => undefined)
      return { sent: true }
    },
  }
}

export type ProviderService = ReturnType<typeof createProviderService>
