import type { FieldError } from '../../../electron/shared/errors'
import { isStrong, methodTypes as allMethodTypes } from '../../../electron/shared/method-types'
import type { PolicyDocument, PolicyOverride, PolicyRules, PolicyView } from '../../../electron/shared/policy-schemas'

/**
 * The policy form's model, kept apart from the page so the rules are tested
 * on their own: the policy as form fields (numbers as typed text), back to a
 * PolicyDocument with a message key per field that is out of range, and the
 * main process's field paths (`site.codeLifetimeMinutes`,
 * `policy.roles.admin.enforcement`, `site.allowedMethods.0`) mapped to the
 * field they belong to. Ranges are SECURITY.md's (S8, S10, S12, S13, S17), as
 * the contract has them; the main process checks them again.
 */
export type RuleKey = keyof PolicyRules
export type PolicyScope = 'site' | 'admin' | 'user'
export type PolicyRole = Exclude<PolicyScope, 'site'>
export type MethodType = PolicyRules['allowedMethods'][number]
export type Enforcement = PolicyRules['enforcement']
export type TotpAlgorithm = PolicyRules['totpAlgorithms'][number]
export type TotpDigits = PolicyRules['totpDigits'][number]

export const numberRules = {
  gracePeriodDays: { min: 0, max: 365 },
  codeLifetimeMinutes: { min: 1, max: 10 },
  resendCooldownSeconds: { min: 30, max: 300 },
  lockoutThreshold: { min: 3, max: 20 },
  lockoutMinutes: { min: 1, max: 1440 },
  sessionIdleMinutes: { min: 1, max: 30 },
  sessionAbsoluteHours: { min: 1, max: 12 },
  recoveryCodeWarning: { min: 1, max: 5 },
} as const satisfies Partial<Record<RuleKey, { min: number; max: number }>>

export type NumberRuleKey = keyof typeof numberRules

/** Every rule, in the order the form shows them. */
export const ruleKeys: readonly RuleKey[] = [
  'allowedMethods',
  'strongMethodsOnly',
  'totpAlgorithms',
  'totpDigits',
  'enforcement',
  'gracePeriodDays',
  'codeLifetimeMinutes',
  'resendCooldownSeconds',
  'lockoutThreshold',
  'lockoutMinutes',
  'sessionIdleMinutes',
  'sessionAbsoluteHours',
  'recoveryCodeWarning',
  'allowRemovingLastMethod',
]

export const methodTypes: readonly MethodType[] = allMethodTypes
export const enforcements: readonly Enforcement[] = ['optional', 'prompt', 'required']
export const totpAlgorithms: readonly TotpAlgorithm[] = ['sha1', 'sha256', 'sha512']
export const totpDigitOptions: readonly TotpDigits[] = [6, 8]

export function isNumberRule(key: RuleKey): key is NumberRuleKey {
  return key in numberRules
}

/** The rules as the form holds them: numbers are the text in their fields. */
export type RulesDraft = {
  -readonly [K in RuleKey]: K extends NumberRuleKey ? string : PolicyRules[K]
}

export interface RoleDraft {
  /** "Use different rules for this role". */
  enabled: boolean
  /** Which rules the role sets itself; the others follow the site. */
  overridden: Record<RuleKey, boolean>
  rules: RulesDraft
}

export interface PolicyDraft {
  site: RulesDraft
  admin: RoleDraft
  user: RoleDraft
}

/** Message keys per field, by scope (catalogue keys under admin.policy.errors). */
export type RuleErrors = Partial<Record<RuleKey, string>>
export type PolicyErrors = Record<PolicyScope, RuleErrors>

export function toRulesDraft(rules: PolicyRules): RulesDraft {
  return {
    allowedMethods: [...rules.allowedMethods],
    strongMethodsOnly: rules.strongMethodsOnly,
    totpAlgorithms: [...rules.totpAlgorithms],
    totpDigits: [...rules.totpDigits],
    enforcement: rules.enforcement,
    gracePeriodDays: String(rules.gracePeriodDays),
    codeLifetimeMinutes: String(rules.codeLifetimeMinutes),
    resendCooldownSeconds: String(rules.resendCooldownSeconds),
    lockoutThreshold: String(rules.lockoutThreshold),
    lockoutMinutes: String(rules.lockoutMinutes),
    sessionIdleMinutes: String(rules.sessionIdleMinutes),
    sessionAbsoluteHours: String(rules.sessionAbsoluteHours),
    recoveryCodeWarning: String(rules.recoveryCodeWarning),
    allowRemovingLastMethod: rules.allowRemovingLastMethod,
  }
}

function noneOverridden(): Record<RuleKey, boolean> {
  return Object.fromEntries(ruleKeys.map((key) => [key, false])) as Record<RuleKey, boolean>
}

export function toRoleDraft(site: PolicyRules, override: PolicyOverride | undefined): RoleDraft {
  const overridden = noneOverridden()
  for (const key of ruleKeys) overridden[key] = override?.[key] !== undefined
  return {
    enabled: override !== undefined,
    overridden,
    rules: toRulesDraft({ ...site, ...override }),
  }
}

export function toPolicyDraft(view: Pick<PolicyView, 'site' | 'roles'>): PolicyDraft {
  return {
    site: toRulesDraft(view.site),
    admin: toRoleDraft(view.site, view.roles.admin),
    user: toRoleDraft(view.site, view.roles.user),
  }
}

/** A whole number as typed ("  5 " is 5; "5.5", "", "five" are not). */
function parseWhole(text: string): number | null {
  const trimmed = text.trim()
  return /^-?\d+$/.test(trimmed) ? Number(trimmed) : null
}

/** Checks one rule; the catalogue key of its problem, or null. */
function checkRule(draft: RulesDraft, key: RuleKey): string | null {
  if (isNumberRule(key)) {
    const value = parseWhole(draft[key])
    const { min, max } = numberRules[key]
    return value === null || value < min || value > max ? `range.${key}` : null
  }
  switch (key) {
    case 'allowedMethods':
      if (draft.allowedMethods.length === 0) return 'allowedMethods'
      // S8: strong methods only leaves only the strong types (authenticator apps).
      return draft.strongMethodsOnly && !draft.allowedMethods.some(isStrong) ? 'strongLeavesNone' : null
    case 'totpAlgorithms':
      return draft.totpAlgorithms.length === 0 ? 'totpAlgorithms' : null
    case 'totpDigits':
      return draft.totpDigits.length === 0 ? 'totpDigits' : null
    default:
      return null
  }
}

function parseRules(draft: RulesDraft): PolicyRules {
  const number = (key: NumberRuleKey) => parseWhole(draft[key]) ?? 0
  return {
    allowedMethods: methodTypes.filter((m) => draft.allowedMethods.includes(m)),
    strongMethodsOnly: draft.strongMethodsOnly,
    totpAlgorithms: totpAlgorithms.filter((a) => draft.totpAlgorithms.includes(a)),
    totpDigits: totpDigitOptions.filter((d) => draft.totpDigits.includes(d)),
    enforcement: draft.enforcement,
    gracePeriodDays: number('gracePeriodDays'),
    codeLifetimeMinutes: number('codeLifetimeMinutes'),
    resendCooldownSeconds: number('resendCooldownSeconds'),
    lockoutThreshold: number('lockoutThreshold'),
    lockoutMinutes: number('lockoutMinutes'),
    sessionIdleMinutes: number('sessionIdleMinutes'),
    sessionAbsoluteHours: number('sessionAbsoluteHours'),
    recoveryCodeWarning: number('recoveryCodeWarning'),
    allowRemovingLastMethod: draft.allowRemovingLastMethod,
  }
}

export function emptyErrors(): PolicyErrors {
  return { site: {}, admin: {}, user: {} }
}

export function hasErrors(errors: PolicyErrors): boolean {
  return Object.values(errors).some((scope) => Object.keys(scope).length > 0)
}

/**
 * The document to send, or the problems found first. A role's override holds
 * only the rules it sets itself; a role with none of its own has no override.
 */
export function toPolicyDocument(draft: PolicyDraft): { document: PolicyDocument | null; errors: PolicyErrors } {
  const errors = emptyErrors()
  for (const key of ruleKeys) {
    const problem = checkRule(draft.site, key)
    if (problem) errors.site[key] = problem
  }
  const roles: PolicyDocument['roles'] = {}
  for (const role of ['admin', 'user'] as const) {
    const own = draft[role]
    if (!own.enabled) continue
    const keys = ruleKeys.filter((key) => own.overridden[key])
    // "Strong methods only" and the allowed methods are judged together, as the engine does.
    const effective: RulesDraft = { ...draft.site }
    for (const key of keys) Object.assign(effective, { [key]: own.rules[key] })
    for (const key of keys) {
      const problem = checkRule(effective, key)
      if (problem) errors[role][key] = problem
    }
    if (keys.includes('strongMethodsOnly') && !keys.includes('allowedMethods')) {
      const problem = checkRule(effective, 'allowedMethods')
      if (problem) errors[role].strongMethodsOnly = problem
    }
    if (keys.length === 0) continue
    const parsed = parseRules(effective)
    roles[role] = Object.fromEntries(keys.map((key) => [key, parsed[key]])) as PolicyOverride
  }
  if (hasErrors(errors)) return { document: null, errors }
  return { document: { site: parseRules(draft.site), roles }, errors }
}

/**
 * Maps the main process's VALIDATION fields onto the form. Paths come from the
 * request schema (`policy.site.lockoutMinutes`, `policy.roles.user.totpDigits.1`)
 * or from the policy service's own checks (`site.allowedMethods`,
 * `roles.admin.enforcement`). The message keys say what the engine refused:
 * a number out of range, or a rule that would leave nobody a method to set up.
 * Paths that name no field of the form are returned apart, for the summary.
 */
export function mapPolicyErrors(fields: readonly FieldError[]): { errors: PolicyErrors; unmapped: string[] } {
  const errors = emptyErrors()
  const unmapped: string[] = []
  for (const { field } of fields) {
    const parts = field.split('.')
    if (parts[0] === 'policy') parts.shift()
    let scope: PolicyScope | null = null
    if (parts[0] === 'site') {
      scope = 'site'
      parts.shift()
    } else if (parts[0] === 'roles' && (parts[1] === 'admin' || parts[1] === 'user')) {
      scope = parts[1]
      parts.splice(0, 2)
    }
    const key = parts[0]
    if (scope === null || key === undefined || !(ruleKeys as readonly string[]).includes(key)) {
      unmapped.push(field)
      continue
    }
    const rule = key as RuleKey
    errors[scope][rule] ??= engineMessageKey(rule)
  }
  return { errors, unmapped }
}

function engineMessageKey(key: RuleKey): string {
  if (isNumberRule(key)) return `range.${key}`
  switch (key) {
    case 'allowedMethods':
      return 'noMethodLeft'
    case 'enforcement':
      return 'nobodyCanEnroll'
    case 'totpAlgorithms':
    case 'totpDigits':
      return key
    default:
      return 'invalid'
  }
}
