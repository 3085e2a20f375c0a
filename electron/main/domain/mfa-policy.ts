import { isStrong, methodTypes, type MethodType } from '../../shared/method-types'
import type { PolicyDocument, PolicyRules } from '../../shared/policy-schemas'
import type { SecurityPolicy } from './policy'

/**
 * Pure rules for the site's MFA policy: the defaults, the effective rules of a
 * role (site rules with the role's override on top), the limits the services
 * enforce, and whether an account is within its grace period.
 */
export type Role = 'admin' | 'user'

export const defaultRules: PolicyRules = {
  allowedMethods: [...methodTypes],
  enforcement: 'optional',
  gracePeriodDays: 14,
  strongMethodsOnly: false,
  totpAlgorithms: ['sha1', 'sha256', 'sha512'],
  totpDigits: [6, 8],
  codeLifetimeMinutes: 5,
  resendCooldownSeconds: 60,
  lockoutThreshold: 10,
  lockoutMinutes: 15,
  sessionIdleMinutes: 30,
  sessionAbsoluteHours: 12,
  recoveryCodeWarning: 3,
  allowRemovingLastMethod: true,
}

export const defaultDocument: PolicyDocument = { site: defaultRules, roles: {} }

export interface RequiredSince {
  readonly site: number | null
  readonly admin: number | null
  readonly user: number | null
}

export function rulesFor(document: PolicyDocument, role: Role): PolicyRules {
  return { ...document.site, ...(document.roles[role] ?? {}) }
}

/** S8: with "strong methods only", the types that are not strong (email, SMS) are not allowed whatever the list says. */
export function allowedMethodsOf(rules: PolicyRules): MethodType[] {
  return rules.allowedMethods.filter((m) => !rules.strongMethodsOnly || isStrong(m))
}

const minute = 60_000
const day = 24 * 60 * minute

export interface MfaRules {
  readonly allowedMethods: readonly MethodType[]
  readonly enforcement: PolicyRules['enforcement']
  readonly gracePeriodMs: number
  /** When Required took effect for this role's rules; null when it is not Required. */
  readonly requiredSince: number | null
  readonly totpAlgorithms: PolicyRules['totpAlgorithms']
  readonly totpDigits: PolicyRules['totpDigits']
}

export type EffectivePolicy = SecurityPolicy & { readonly mfa: MfaRules }

export function toEffectivePolicy(
  document: PolicyDocument,
  role: Role,
  since: RequiredSince,
  base: SecurityPolicy,
): EffectivePolicy {
  const rules = rulesFor(document, role)
  // The role's override decides when its own Required began; otherwise the site's.
  const requiredSince =
    rules.enforcement !== 'required'
      ? null
      : document.roles[role]?.enforcement === 'required'
        ? since[role]
        : since.site
  return {
    ...base,
    lockoutThreshold: rules.lockoutThreshold,
    lockoutBaseMs: rules.lockoutMinutes * minute,
    sessionIdleMs: rules.sessionIdleMinutes * minute,
    sessionAbsoluteMs: rules.sessionAbsoluteHours * 60 * minute,
    codeLifetimeMs: rules.codeLifetimeMinutes * minute,
    resendCooldownMs: rules.resendCooldownSeconds * 1000,
    recoveryCodeWarning: rules.recoveryCodeWarning,
    allowRemovingLastMethod: rules.allowRemovingLastMethod,
    mfa: {
      allowedMethods: allowedMethodsOf(rules),
      enforcement: rules.enforcement,
      gracePeriodMs: rules.gracePeriodDays * day,
      requiredSince,
      totpAlgorithms: rules.totpAlgorithms,
      totpDigits: rules.totpDigits,
    },
  }
}

/** What an account without an allowed MFA method is told at sign-in. */
export type SetupRequirement =
  | { readonly state: 'none' }
  | { readonly state: 'invited' }
  | { readonly state: 'grace'; readonly deadline: number }
  | { readonly state: 'required'; readonly deadline: number }

export function setupRequirement(mfa: MfaRules, accountCreatedAt: number, now: number): SetupRequirement {
  if (mfa.enforcement === 'optional') return { state: 'none' }
  if (mfa.enforcement === 'prompt') return { state: 'invited' }
  // The grace period counts from when Required began, or from the account's creation if later.
  const start = Math.max(mfa.requiredSince ?? now, accountCreatedAt)
  const deadline = start + mfa.gracePeriodMs
  return now < deadline ? { state: 'grace', deadline } : { state: 'required', deadline }
}
