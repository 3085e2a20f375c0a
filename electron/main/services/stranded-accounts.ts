import { traitsOf, type MethodType } from '../../shared/method-types'
import type { Role } from '../domain/mfa-policy'
import type { MfaDeps } from './mfa-deps'

/**
 * S35: who a change of the MFA policy or of the providers would lock out. One
 * function counts for every such change (policy:set narrowing the allowed
 * methods, provider:clear, `keyhold policy set`, `keyhold provider clear`), so
 * the window and the CLI refuse the same changes with the same numbers.
 */

/** What matters of a role's rules here. */
export interface RoleReach {
  readonly allowedMethods: readonly MethodType[]
  readonly required: boolean
}

/** A state of the site to judge: the rules of each role and which providers are configured. */
export interface SiteState {
  readonly rules: (role: Role) => RoleReach
  readonly providers: { readonly email: boolean; readonly sms: boolean }
}

export interface Stranded {
  /** Roles under Required with no allowed method that works: nobody in them can set one up. */
  readonly rolesWithoutMethod: readonly Role[]
  /** Accounts in those roles (all of them: none has a working allowed method to keep). */
  readonly cannotComply: ReadonlySet<number>
  /** How many of those each role has. */
  readonly cannotComplyByRole: ReadonlyMap<Role, number>
  /** Accounts that have methods, none of which can deliver a code any more: no sign-in at all, whatever the policy. */
  readonly cannotSignIn: ReadonlySet<number>
}

const roles: readonly Role[] = ['admin', 'user']

/** A type works when it needs no provider, or its provider is configured. */
function works(state: SiteState, type: MethodType): boolean {
  const provider = traitsOf(type).provider
  return provider === null || state.providers[provider]
}

export function roleHasWorkingMethod(state: SiteState, role: Role): boolean {
  return state.rules(role).allowedMethods.some((m) => works(state, m))
}

export function strandedAccounts(deps: MfaDeps, state: SiteState): Stranded {
  const rolesWithoutMethod = roles.filter((r) => state.rules(r).required && !roleHasWorkingMethod(state, r))
  const cannotComply = new Set<number>()
  const cannotComplyByRole = new Map<Role, number>(rolesWithoutMethod.map((r) => [r, 0]))
  const cannotSignIn = new Set<number>()
  const types = deps.methods.typesByAccount()
  for (const account of deps.accounts.iterate()) {
    if (rolesWithoutMethod.includes(account.role)) {
      cannotComply.add(account.id)
      cannotComplyByRole.set(account.role, (cannotComplyByRole.get(account.role) ?? 0) + 1)
    }
    const own = types.get(account.id) ?? []
    // A method of a type the policy no longer allows still answers a sign-in challenge (challengeMethods),
    // so only whether its provider works decides here.
    if (own.length > 0 && !own.some((t) => works(state, t))) cannotSignIn.add(account.id)
  }
  return { rolesWithoutMethod, cannotComply, cannotComplyByRole, cannotSignIn }
}

export interface StrandedByChange {
  readonly rolesWithoutMethod: readonly Role[]
  readonly cannotComply: number
  readonly cannotSignIn: number
  /** Distinct accounts in either group. */
  readonly accounts: number
}

/**
 * What a change strands that was not stranded before: a site already missing a
 * provider does not block every later change, only the ones that make it worse.
 */
export function strandedByChange(deps: MfaDeps, before: SiteState, after: SiteState): StrandedByChange {
  const was = strandedAccounts(deps, before)
  const will = strandedAccounts(deps, after)
  const cannotComply = [...will.cannotComply].filter((id) => !was.cannotComply.has(id))
  const cannotSignIn = [...will.cannotSignIn].filter((id) => !was.cannotSignIn.has(id))
  return {
    rolesWithoutMethod: will.rolesWithoutMethod.filter((r) => !was.rolesWithoutMethod.includes(r)),
    cannotComply: cannotComply.length,
    cannotSignIn: cannotSignIn.length,
    accounts: new Set([...cannotComply, ...cannotSignIn]).size,
  }
}

/** The site as it is now: each role's effective rules and the configured providers. */
export function currentSiteState(deps: MfaDeps): SiteState {
  return {
    rules: (role) => {
      const mfa = deps.policy(role).mfa
      return { allowedMethods: mfa.allowedMethods, required: mfa.enforcement === 'required' }
    },
    providers: { email: deps.email.isConfigured(), sms: deps.sms.isConfigured() },
  }
}
