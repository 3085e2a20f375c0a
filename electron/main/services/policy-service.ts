import { traitsOf } from '../../shared/method-types'
import type { PolicyDocument, PolicyView } from '../../shared/policy-schemas'
import { AppError } from '../domain/app-error'
import { allowedMethodsOf, rulesFor, type RequiredSince, type Role } from '../domain/mfa-policy'
import { iso } from './account-view'
import type { MfaDeps } from './mfa-deps'
import type { PolicyStore } from './policy-ports'

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

  function enrollable(document: PolicyDocument, role: Role): boolean {
    return allowedMethodsOf(rulesFor(document, role)).some((m) => {
      const provider = traitsOf(m).provider
      return provider === null || deps[provider].isConfigured()
    })
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
    for (const role of roles) {
      const overridden =
        document.roles[role]?.enforcement !== undefined || document.roles[role]?.allowedMethods !== undefined
      const field = overridden ? `roles.${role}.enforcement` : 'site.enforcement'
      if (
        rulesFor(document, role).enforcement === 'required' &&
        !enrollable(document, role) &&
        !fields.some((f) => f.field === field)
      ) {
        fields.push({
          field,
          message: `Nobody with the ${role} role could set up a method: allow authenticator apps, or set up the email or SMS provider first`,
        })
      }
    }
    if (fields.length > 0) throw new AppError('VALIDATION', fields[0]!.message, { fields })
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
