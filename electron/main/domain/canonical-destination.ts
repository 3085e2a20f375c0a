import { toE164 } from './phone'

/**
 * S27: the one form in which a code's destination is counted and compared, so
 * that `Victim@Example.org` and ` victim@example.org` are one mailbox and
 * `+1 (415) 555-2671` and `+14155552671` one phone. Sending still uses the
 * address as the user gave it; only budgets and comparisons use this form.
 */
export function canonicalDestination(channel: 'email' | 'sms', destination: string): string {
  return channel === 'email' ? destination.trim().toLowerCase() : toE164(destination)
}
