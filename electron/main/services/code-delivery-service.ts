import { AppError } from '../domain/app-error'
import { canonicalDestination } from '../domain/canonical-destination'
import { normalizeDigits, sixDigitCode } from '../domain/one-time-codes'
import { requireSmsCountryAllowed } from '../domain/sms-countries'
import { iso } from './account-view'
import { fillTemplate, type OutgoingEmail, type OutgoingSms } from './delivery-ports'
import type { MfaDeps } from './mfa-deps'
import type { CodePurpose, SendBudget } from './mfa-ports'

/**
 * Email and SMS codes (S8–S10): six CSPRNG digits, stored only as a keyed hash
 * bound to one subject, valid `codeLifetimeMs`, replaced on resend, with a
 * cooldown per subject and an hourly cap per destination. A send that the
 * provider refuses leaves no code and starts no cooldown; so does a text
 * message to a country the site does not send to.
 *
 * S27, how the hourly cap is counted. A destination counts in its canonical
 * form (canonicalDestination), so spellings of one mailbox share a count. And
 * the count is split into budgets, each capped at `sendsPerDestinationPerHour`:
 * - 'sign-in': codes to one account's verified method, per (account, destination);
 * - 'setup': codes to an address one account has not confirmed (a method setup
 *   or a contact change), per (account, destination).
 * A single budget per destination would let anyone with an account aim setups
 * at someone else's address and spend the budget that address's owner needs to
 * sign in. Here an account only ever spends its own budgets, so no account can
 * starve another; any one account still sends at most the cap per destination
 * per hour from its setups, and a mailbox gets more only from accounts that
 * have verified it (its owner's) or from several accounts, each one an
 * administrator-made account whose setups are each capped and audited.
 */
export type Channel = 'email' | 'sms'

export interface SendRequest {
  readonly accountId: number
  readonly accountName: string
  readonly purpose: CodePurpose
  readonly subject: string
  readonly channel: Channel
  readonly destination: string
  readonly payload?: string
  readonly actor: string
}

export interface SentCode {
  readonly resendAvailableAt: string
  readonly expiresAt: string
}

export type CodeCheck = 'ok' | 'wrong' | 'expired' | 'missing'

const hourMs = 3_600_000

export function createCodeDeliveryService(deps: MfaDeps) {
  const { clock, uow, otpCodes, codeHasher, audit } = deps

  function senderFor(channel: Channel) {
    const sender = channel === 'email' ? deps.email : deps.sms
    if (!sender.isConfigured()) {
      throw new AppError(
        'NOT_CONFIGURED',
        channel === 'email'
          ? 'No email server is set up; an administrator can set one up'
          : 'No SMS gateway is set up; an administrator can set one up',
      )
    }
    return sender
  }

  async function send(request: SendRequest): Promise<SentCode> {
    senderFor(request.channel)
    // The list may have changed since the number was stored: checked at every send, before a code exists.
    if (request.channel === 'sms') requireSmsCountryAllowed(request.destination, deps.site.smsCountries())
    const policy = deps.policy(deps.accounts.findById(request.accountId)?.role)
    const budget: SendBudget = {
      kind: request.purpose === 'sign-in' ? 'sign-in' : 'setup',
      accountId: request.accountId,
      destination: canonicalDestination(request.channel, request.destination),
    }
    const reservation = uow.tx(() => {
      const now = clock.now()
      // The cooldown is per subject and destination: changing the email and then the phone is two sends.
      const last = otpCodes.lastSendFor(request.subject, budget.destination)
      if (last !== null && now - last < policy.resendCooldownMs) {
        return new AppError('RATE_LIMITED', 'Wait before asking for another code', {
          retryAt: iso(last + policy.resendCooldownMs),
        })
      }
      const recent = otpCodes.countSendsSince(budget, now - hourMs)
      if (recent >= policy.sendsPerDestinationPerHour) {
        audit.append({ actor: request.actor, event: 'code.rate-limited', accountId: request.accountId }, now)
        return new AppError('RATE_LIMITED', 'Too many codes were sent to this address in the last hour', {
          retryAt: iso(now + hourMs),
        })
      }
      const code = sixDigitCode((n) => deps.random.bytes(n))
      const expiresAt = now + policy.codeLifetimeMs
      const codeId = otpCodes.replace({
        accountId: request.accountId,
        purpose: request.purpose,
        subject: request.subject,
        destination: request.destination,
        codeHash: codeHasher.hash(code, request.subject),
        payload: request.payload ?? null,
        createdAt: now,
        expiresAt,
      })
      // Reserved now so parallel requests see it; removed again if the provider refuses.
      const sendId = otpCodes.recordSend(budget, request.subject, now)
      return { code, codeId, sendId, now, expiresAt }
    })
    if (reservation instanceof AppError) throw reservation

    const minutes = String(Math.round(policy.codeLifetimeMs / 60_000))
    const values = { code: reservation.code, minutes, account: request.accountName, site: deps.site.siteName() }
    try {
      if (request.channel === 'email') {
        const template = deps.templates.codeEmail()
        const email: OutgoingEmail = {
          to: request.destination,
          subject: fillTemplate(template.subject, values),
          text: fillTemplate(template.text, values),
          purpose: 'code',
        }
        await deps.email.send(email)
      } else {
        const sms: OutgoingSms = {
          to: request.destination,
          text: fillTemplate(deps.templates.smsText(), values),
          purpose: 'code',
        }
        await deps.sms.send(sms)
      }
    } catch (error) {
      uow.tx(() => {
        otpCodes.delete(reservation.codeId)
        otpCodes.deleteSend(reservation.sendId)
        audit.append(
          {
            actor: request.actor,
            event: 'code.send-failed',
            accountId: request.accountId,
            detail: {
              channel: request.channel,
              purpose: request.purpose,
              reason: error instanceof Error ? error.message : 'unknown',
            },
          },
          clock.now(),
        )
      })
      if (error instanceof AppError) throw error
      throw new AppError(
        'DELIVERY_FAILED',
        `The ${request.channel === 'email' ? 'email' : 'text message'} could not be sent`,
      )
    }
    uow.tx(() =>
      audit.append(
        {
          actor: request.actor,
          event: 'code.sent',
          accountId: request.accountId,
          detail: { channel: request.channel, purpose: request.purpose },
        },
        clock.now(),
      ),
    )
    return {
      resendAvailableAt: iso(reservation.now + policy.resendCooldownMs),
      expiresAt: iso(reservation.expiresAt),
    }
  }

  /**
   * Check-and-consume; call inside the caller's transaction. A right code is
   * deleted at once (single use); a wrong one stays for the next try, within
   * the caller's failure limits.
   */
  function check(
    purpose: CodePurpose,
    subject: string,
    input: string,
    accountId: number,
  ): { result: CodeCheck; payload: string | null } {
    const stored = otpCodes.find(purpose, subject)
    if (!stored || stored.accountId !== accountId) return { result: 'missing', payload: null }
    if (stored.expiresAt <= clock.now()) {
      otpCodes.delete(stored.id)
      return { result: 'expired', payload: null }
    }
    const code = normalizeDigits(input)
    if (!/^\d{6}$/.test(code) || !codeHasher.matches(code, subject, stored.codeHash))
      return { result: 'wrong', payload: null }
    otpCodes.delete(stored.id)
    return { result: 'ok', payload: stored.payload }
  }

  return {
    send,
    check,
    discard: (purpose: CodePurpose, subject: string) => otpCodes.deleteForSubject(purpose, subject),
  }
}

export type CodeDeliveryService = ReturnType<typeof createCodeDeliveryService>
