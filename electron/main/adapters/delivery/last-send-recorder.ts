import type { SendPurpose } from '../../../shared/provider-schemas'
import { maskDestination } from '../../domain/masking'
import { callingCodeOf } from '../../domain/phone'
import type { Clock } from '../../services/ports'
import type { ProviderKind, ProviderSettings } from './provider-settings'

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** How a destination is shown outside the message itself: "+44 •••••••958", "b•••b@example.org". */
export function maskedDestination(kind: ProviderKind, destination: string): string {
  return maskDestination(kind, destination, kind === 'sms' ? callingCodeOf(destination) : undefined)
}

/**
 * S9: a provider's answer may echo the destination (an SMTP server names the
 * refused recipient; an email-to-SMS gateway address holds the whole number).
 * Every occurrence of it, and for a number its digits without the +, becomes
 * the masked form before the text is kept anywhere.
 */
export function hideDestination(text: string, kind: ProviderKind, destination: string): string {
  const masked = maskedDestination(kind, destination)
  const forms = kind === 'sms' ? [destination, destination.replace(/^\+/, '')] : [destination]
  let result = text
  for (const form of forms) {
    if (form.length < 4) continue
    result = result.replace(new RegExp(escapeRegExp(form), 'gi'), masked)
  }
  return result
}

/**
 * Runs one send and keeps its outcome as the provider's "last send": when,
 * whether it went, why it was sent, to whom (masked) and the refusal (with
 * the destination masked; the senders already keep the text and its code out
 * of their errors). The record is informational: if it cannot be written the
 * send's own outcome still stands, and the audit log keeps its rows.
 */
export async function sendRecorded(
  providers: Pick<ProviderSettings, 'recordLastSend'>,
  clock: Clock,
  kind: ProviderKind,
  message: { readonly to: string; readonly purpose?: SendPurpose },
  send: () => Promise<void>,
): Promise<void> {
  const purpose = message.purpose
  // Messages without a purpose (notifications) are not what "last send" reports.
  if (purpose === undefined) return send()
  const record = (ok: boolean, detail: string | null) => {
    try {
      providers.recordLastSend(kind, {
        at: new Date(clock.now()).toISOString(),
        ok,
        purpose,
        to: maskedDestination(kind, message.to),
        detail,
      })
    } catch {
      // See above: a lost record must not turn a sent code into a failed one.
    }
  }
  try {
    await send()
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'The message could not be sent'
    record(false, hideDestination(reason, kind, message.to))
    throw error
  }
  record(true, null)
}
