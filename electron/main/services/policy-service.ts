import type { PolicyDocument, PolicyView } from '../../shared/policy-schemas'
import { AppError } from '../domain/app-error'
import { allowedMethodsOf, rulesFor, type RequiredSince, type Role } from '../domain/mfa-policy'
import { iso } from './account-view'
import type { MfaDeps } from './mfa-deps'
import type { PolicyStore } from './policy-ports'
import { strandedAccounts, type SiteState } from './stranded-accounts'

/**
 * Reading and changing the MFA policy: versioned and audited. A change is
 * refused, with a message per field, if it could leave anyone (the last
 * administrator first of all) with no way in: under Required, every role must
 * have a method it can actually set up — an authenticator app, or a code whose
 * provider is configured.
 */
const roles: readonly Role[] = ['admin', 'user']

export function createPolicyService(deps: MfaDeps, store: PolicyStore) {
  function view(): PolicyView {
    const current = store.current()
    const toIso = (ms: number | null) => (ms === null ? null : iso(ms))
    return {
      version: current.version,
      updatedAt: toIso(current.updatedAt),
      updatedBy: current.updatedBy,
      site: current.document.site,
      roles: current.document.roles,
      requiredSince: {
        site: toIso(current.since.site),
        admin: toIso(current.since.admin),
        user: toIso(current.since.user),
      },
    }
  }

  /** The site as it would be under `document`, with the providers as they are. */
  function stateUnder(document: PolicyDocument): SiteState {
    return {
      rules: (role) => {
        const rules = rulesFor(document, role)
        return { allowedMethods: allowedMethodsOf(rules), required: rules.enforcement === 'required' }
      },
      providers: { email: deps.email.isConfigured(), sms: deps.sms.isConfigured() },
    }
  }

  function check(document: PolicyDocument): void {
    const fields: { field: string; message: string }[] = []
    // Each role with an override of its own, and the site rules the others use.
    for (const scope of ['site', ...roles.filter((r) => document.roles[r] !== undefined)] as const) {
      const rules = scope === 'site' ? document.site : { ...document.site, ...(document.roles[scope] ?? {}) }
      const prefix = scope === 'site' ? 'site' : `roles.${scope}`
      if (allowedMethodsOf(rules).length === 0) {
        fields.push({
          field: `${prefix}.allowedMethods`,
          message: '"Strong methods only" leaves no allowed method: allow authenticator apps',
        })
      }
    }
    // S35: counted by the same function as provider:clear. A role that no allowed method works for is
    // refused even with no account in it yet: the next account made in it would be stuck.
    const stranded = fields.length > 0 ? null : strandedAccounts(deps, stateUnder(document))
    for (const role of stranded?.rolesWithoutMethod ?? []) {
      const overridden =
        document.roles[role]?.enforcement !== undefined || document.roles[role]?.allowedMethods !== undefined
      const field = overridden ? `roles.${role}.enforcement` : 'site.enforcement'
      const n = stranded?.cannotComplyByRole.get(role) ?? 0
      if (!fields.some((f) => f.field === field)) {
        fields.push({
          field,
          message: `Nobody with the ${role} role could set up a method: allow authenticator apps, or set up the email or SMS provider first (${n === 1 ? '1 account has' : `${n} accounts have`} this role)`,
        })
      }
    }
    if (fields.length > 0) {
      const affected = stranded?.cannotComply.size
      throw new AppError('VALIDATION', fields[0]!.message, {
        fields,
        ...(affected === undefined ? {} : { affectedAccounts: affected }),
      })
    }
  }

  /** When Required began per scope: kept while it stays Required, stamped when it starts. */
  function nextSince(previous: PolicyDocument, next: PolicyDocument, since: RequiredSince, now: number): RequiredSince {
    const was = (doc: PolicyDocument, scope: 'site' | Role) =>
      scope === 'site' ? doc.site.enforcement === 'required' : doc.roles[scope]?.enforcement === 'required'
    const stamp = (scope: 'site' | Role) => (!was(next, scope) ? null : was(previous, scope) ? since[scope] : now)
    return { site: stamp('site'), admin: stamp('admin'), user: stamp('user') }
  }

  function set(document: PolicyDocument, actor: string): PolicyView {
    check(document)
    deps.uow.tx(() => {
      const now = deps.clock.now()
      const current = store.current()
      const version = store.save(document, nextSince(current.document, document, current.since, now), actor, now)
      deps.audit.append(
        {
          actor,
          event: 'policy.changed',
          accountId: null,
          detail: {
            version,
            enforcement: document.site.enforcement,
            allowedMethods: allowedMethodsOf(document.site).join(','),
            overrides: Object.keys(document.roles).join(','),
          },
        },
        now,
      )
    })
    return view()
  }

  return { view, set }
}

export type PolicyService = ReturnType<typeof createPolicyService>
