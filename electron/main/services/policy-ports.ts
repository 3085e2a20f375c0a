import type { PolicyDocument } from '../../shared/policy-schemas'
import { toEffectivePolicy, type EffectivePolicy, type RequiredSince, type Role } from '../domain/mfa-policy'
import type { SecurityPolicy } from '../domain/policy'

export interface StoredPolicy {
  readonly version: number
  readonly document: PolicyDocument
  readonly since: RequiredSince
  readonly updatedAt: number | null
  readonly updatedBy: string | null
}

export interface PolicyStore {
  current(): StoredPolicy
  /** Appends a version inside the caller's transaction; returns its number. */
  save(document: PolicyDocument, since: RequiredSince, actor: string, now: number): number
}

/** The `policy(role?)` function services read: the stored document applied to the fixed limits. */
export function effectivePolicyReader(store: PolicyStore, base: SecurityPolicy): (role?: Role) => EffectivePolicy {
  return (role) => {
    const { document, since } = store.current()
    // Without a role (site-wide work such as a provider test), the site rules alone.
    return role === undefined
      ? toEffectivePolicy({ site: document.site, roles: {} }, 'user', { ...since, user: since.site }, base)
      : toEffectivePolicy(document, role, since, base)
  }
}
