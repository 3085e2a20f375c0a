import { isSupportedCountry, type CountryCode } from 'libphonenumber-js/max'
import type {
  EmailProviderInput,
  EmailProviderView,
  LastSend,
  ProvidersView,
  SmsProviderInput,
  SmsProviderView,
} from '../../shared/provider-schemas'
import { AppError } from '../domain/app-error'
import { toE164 } from '../domain/phone'
import { requireSmsCountryAllowed, type SmsCountries } from '../domain/sms-countries'
import { iso } from './account-view'
import type { MfaDeps } from './mfa-deps'
import { currentSiteState, strandedByChange, type SiteState, type StrandedByChange } from './stranded-accounts'

/**
 * Administrators set up the SMTP server and the SMS gateway, and the countries
 * text messages may go to. Secrets are write-only (S20): nothing here returns
 * them. Every change is audited, never with a secret in it.
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
  /** The outcome of the newest test or code send through a provider (kept by the senders). */
  lastSend(kind: 'email' | 'sms'): LastSend | null
  /** When the recent test messages through a provider were started (ms), kept across runs and clears. */
  testTimes(kind: 'email' | 'sms'): number[]
  setTestTimes(kind: 'email' | 'sms', times: readonly number[]): void
}

/**
 * A test message goes to any address the administrator types, and a failed one
 * still tells whether a server answers: so each provider takes at most
 * `testLimit` tests (sent or not) in `testWindowMs`. Enough to try settings a
 * few times; not enough to use Keyhold to spam or to scan a network.
 */
export const testLimit = 10
export const testWindowMs = 10 * 60_000

export interface ProviderTester {
  testEmail(to: string, site?: string): Promise<void>
  testSms(to: string, site?: string): Promise<void>
}

/**
 * Checks an SMS country list: two-letter codes phone numbers are known for,
 * each once. Every bad code gets its own message (field `countries.N`), so an
 * operator fixes a long list in one go. Codes are taken in any case.
 */
export function checkSmsCountries(countries: readonly string[] | null): SmsCountries {
  if (countries === null) return null
  const fields: { field: string; message: string }[] = []
  const seen = new Set<string>()
  const codes: CountryCode[] = []
  countries.forEach((raw, index) => {
    const code = raw.trim().toUpperCase()
    const field = `countries.${index}`
    if (!/^[A-Z]{2}$/.test(code)) {
      fields.push({ field, message: `"${raw}" is not a two-letter country code (e.g. GB)` })
    } else if (!isSupportedCountry(code)) {
      fields.push({ field, message: `${code} is not a country code phone numbers are known for` })
    } else if (seen.has(code)) {
      fields.push({ field, message: `${code} is listed twice` })
    } else {
      seen.add(code)
      codes.push(code)
    }
  })
  if (fields.length === 0 && codes.length === 0) {
    fields.push({
      field: 'countries',
      message: 'Add at least one country, or allow text messages to any country',
    })
  }
  if (fields.length > 0) {
    throw new AppError('VALIDATION', fields.map((f) => f.message).join('; '), { fields })
  }
  return codes
}

function clearRefusal(kind: 'email' | 'sms', stranded: StrandedByChange): string {
  const what = kind === 'email' ? 'the email server' : 'the SMS gateway'
  const reasons = [
    stranded.cannotSignIn > 0 ? `${accounts(stranded.cannotSignIn)} could not sign in at all` : '',
    stranded.cannotComply > 0 || stranded.rolesWithoutMethod.length > 0
      ? `${accounts(stranded.cannotComply)} could not set up a method the Required policy allows`
      : '',
  ].filter((r) => r !== '')
  return `Removing ${what} would lock people out: ${reasons.join('; ')}. Change the policy or their methods first`
}

const accounts = (n: number) => (n === 1 ? '1 account' : `${n} accounts`)

export function createProviderService(deps: MfaDeps, config: ProviderConfig, tester: ProviderTester) {
  function audited<T>(actor: string, event: string, detail: Record<string, string>, change: () => T): T {
    return deps.uow.tx(() => {
      const result = change()
      deps.audit.append({ actor, event, accountId: null, detail }, deps.clock.now())
      return result
    })
  }

  const smsCountries = (): string[] | null => {
    const list = deps.site.smsCountries()
    return list === null ? null : [...list]
  }

  return {
    get: (): ProvidersView => ({
      email: config.getEmail(),
      sms: config.getSms(),
      smsText: config.getSmsText(),
      smsCountries: smsCountries(),
      lastSend: { email: config.lastSend('email'), sms: config.lastSend('sms') },
    }),
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
    /** null: text messages may go to any country. Checked at every SMS send from then on. */
    setSmsCountries(countries: readonly string[] | null, actor: string): { countries: string[] | null } {
      const checked = checkSmsCountries(countries)
      audited(actor, 'provider.sms-countries-set', { countries: checked === null ? 'any' : checked.join(',') }, () =>
        deps.site.setSmsCountries(checked),
      )
      return { countries: smsCountries() }
    },
    /**
     * S35: refused, with the number of accounts, when it would leave anyone unable to sign in (their
     * only methods use this provider) or unable to meet a Required policy (no allowed method would
     * work). Judged inside the transaction that clears, so a method enabled meanwhile is counted.
     */
    clear: (kind: 'email' | 'sms', actor: string) =>
      audited(actor, `provider.${kind}-cleared`, {}, () => {
        const before = currentSiteState(deps)
        const after: SiteState = { ...before, providers: { ...before.providers, [kind]: false } }
        const stranded = strandedByChange(deps, before, after)
        if (stranded.accounts > 0 || stranded.rolesWithoutMethod.length > 0) {
          throw new AppError('CONFLICT', clearRefusal(kind, stranded), { affectedAccounts: stranded.accounts })
        }
        if (kind === 'email') config.clearEmail()
        else config.clearSms()
      }),
    /** Sends a fixed test message; its outcome is the provider's last send, and is audited. */
    async test(kind: 'email' | 'sms', to: string, actor: string): Promise<{ sent: true }> {
      // Reserved before the send, in one transaction, so parallel tests (window and CLI) see each other.
      deps.uow.tx(() => {
        const now = deps.clock.now()
        const recent = config.testTimes(kind).filter((at) => at > now - testWindowMs && at <= now)
        if (recent.length >= testLimit) {
          throw new AppError(
            'RATE_LIMITED',
            `Too many test messages through this provider: at most ${testLimit} in ${testWindowMs / 60_000} minutes`,
            { retryAt: iso(Math.min(...recent) + testWindowMs) },
          )
        }
        config.setTestTimes(kind, [...recent, now])
      })
      try {
        if (kind === 'email') await tester.testEmail(to, deps.site.siteName())
        else {
          // A test goes only where a code could go.
          const number = toE164(to, 'to')
          requireSmsCountryAllowed(number, deps.site.smsCountries(), 'to')
          await tester.testSms(number, deps.site.siteName())
        }
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
