import type { MethodView } from '../../shared/mfa-schemas'
import { maskDestination } from '../domain/masking'
import { callingCodeOf } from '../domain/phone'
import { iso } from './account-view'
import type { MethodRecord } from './mfa-ports'

export function toMethodView(method: MethodRecord): MethodView {
  return {
    id: method.id,
    type: method.type,
    label: method.label,
    destination:
      method.destination === null || method.type === 'totp'
        ? null
        : maskDestination(
            method.type,
            method.destination,
            method.type === 'sms' ? callingCodeOf(method.destination) : undefined,
          ),
    preferred: method.preferred,
    createdAt: iso(method.createdAt),
    lastUsedAt: method.lastUsedAt === null ? null : iso(method.lastUsedAt),
    weaker: method.type !== 'totp',
  }
}

export function maskedFor(type: 'email' | 'sms', destination: string): string {
  return maskDestination(type, destination, type === 'sms' ? callingCodeOf(destination) : undefined)
}
