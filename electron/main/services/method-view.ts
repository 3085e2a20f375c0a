import type { MethodView } from '../../shared/mfa-schemas'
import { isStrong, providerOf, type ProviderKind } from '../../shared/method-types'
import { maskDestination } from '../domain/masking'
import { callingCodeOf } from '../domain/phone'
import { iso } from './account-view'
import type { MethodRecord } from './mfa-ports'

export function toMethodView(method: MethodRecord): MethodView {
  return {
    id: method.id,
    type: method.type,
    label: method.label,
    destination: method.destination === null ? null : maskedFor(providerOf(method.type), method.destination),
    preferred: method.preferred,
    createdAt: iso(method.createdAt),
    lastUsedAt: method.lastUsedAt === null ? null : iso(method.lastUsedAt),
    // S8: a type that does not count for "strong methods only" is shown as weaker.
    weaker: !isStrong(method.type),
  }
}

/** The destination as people see it: the provider says whether it is an email address or a phone number. */
export function maskedFor(provider: ProviderKind, destination: string): string {
  return maskDestination(provider, destination, provider === 'sms' ? callingCodeOf(destination) : undefined)
}
