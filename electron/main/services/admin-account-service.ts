import type { AdminAccountView, Coverage } from '../../shared/admin-schemas'
import { countsByType, type MethodType } from '../../shared/method-types'
import { AppError } from '../domain/app-error'
import { setupRequirement, type EffectivePolicy } from '../domain/mfa-policy'
import { toE164 } from '../domain/phone'
import { iso, toAccountView } from './account-view'
import type { AccountService } from './account-service'
import type { MethodService } from './method-service'
import type { MfaDeps } from './mfa-deps'
import type { AccountRecord, Role } from './ports'
import type { SetupCodeService } from './setup-code-service'

/**
 * Account administration for operators, from the window (admin role, step-up)
 * or the CLI. New accounts and password resets get a one-time setup code
 * rather than a password an administrator chose: nobody but the user ever
 * knows the user's password.
 */
export interface AdminServices {
  readonly accounts: AccountService
  readonly methods: MethodService
  readonly setupCodes: SetupCodeService
}

export interface AccountPatchInput {
  readonly displayName?: string | undefined
  readonly email?: string | null | undefined
  readonly phone?: string | null | undefined
  readonly role?: Role | undefined
}

export function createAdminAccountService(deps: MfaDeps, services: AdminServices) {
  const { accounts, uow, clock, audit } = deps

  function require(username: string): AccountRecord {
    const account = accounts.findByUsername(username)
    if (!account) throw new AppError('NOT_FOUND', `No account named "${username}"`)
    return account
  }

  function mfaOf(
    account: AccountRecord,
    types: readonly MethodType[],
    now: number,
    policy = deps.policy(account.role),
  ): AdminAccountView['mfa'] {
    const usable = types.filter((t) => policy.mfa.allowedMethods.includes(t))
    if (usable.length > 0) return { state: 'enrolled', methods: [...types], deadline: null }
    const requirement = setupRequirement(policy.mfa, account.createdAt, now)
    switch (requirement.state) {
      case 'none':
        return { state: 'none', methods: [...types], deadline: null }
      case 'invited':
        return { state: 'invited', methods: [...types], deadline: null }
      case 'grace':
        return { state: 'grace', methods: [...types], deadline: iso(requirement.deadline) }
      case 'required':
        return { state: 'overdue', methods: [...types], deadline: iso(requirement.deadline) }
    }
  }

  /** What the admin screens show of one account; a page passes what it read for all its rows at once. */
  function view(
    account: AccountRecord,
    known?: { types: readonly MethodType[]; setupCodePending: boolean; policy: EffectivePolicy },
  ): AdminAccountView {
    const now = clock.now()
    const types = known?.types ?? deps.methods.typesFor([account.id]).get(account.id) ?? []
    const setupCodePending = known?.setupCodePending ?? deps.setupCodes.get(account.id) !== null
    const { passwordChangedAt: _changed, ...base } = toAccountView(account, now)
    return { ...base, mfa: mfaOf(account, types, now, known?.policy), setupCodePending }
  }

  function list(query: { search?: string | undefined; limit: number; offset: number }) {
    const { accounts: rows, total } = accounts.list({ ...query, search: query.search ?? '' })
    // Three reads for the page instead of three per row (methods, setup codes, policy).
    const ids = rows.map((a) => a.id)
    const types = deps.methods.typesFor(ids)
    const withCodes = deps.setupCodes.withCodes(ids)
    const policies = new Map<Role, EffectivePolicy>()
    const policyOf = (role: Role) => policies.get(role) ?? policies.set(role, deps.policy(role)).get(role)!
    return {
      accounts: rows.map((a) =>
        view(a, { types: types.get(a.id) ?? [], setupCodePending: withCodes.has(a.id), policy: policyOf(a.role) }),
      ),
      total,
    }
  }

  /** With a password (CLI `account create --password-stdin`) or, by default, a setup code. */
  async function create(
    input: { username: string; displayName?: string; email?: string | null; phone?: string | null; role: Role },
    actor: string,
  ) {
    const { code, hash } = services.setupCodes.make()
    // A throwaway password satisfies the account rules; the setup code replaces it at once, in one transaction.
    const placeholder = Buffer.from(deps.random.bytes(24)).toString('base64url')
    let expiresAt = ''
    await services.accounts.createAccount({ ...input, password: placeholder }, actor, (account, now) => {
      expiresAt = services.setupCodes.attach(account, hash, actor, now)
    })
    const account = require(input.username)
    return { account: view(account), setupCode: { username: account.username, setupCode: code, expiresAt } }
  }

  function update(username: string, patch: AccountPatchInput, actor: string): AdminAccountView {
    const phone = patch.phone === undefined || patch.phone === null ? patch.phone : toE164(patch.phone)
    return uow.tx(() => {
      const account = require(username)
      const now = clock.now()
      if (
        patch.role === 'user' &&
        account.role === 'admin' &&
        !account.disabled &&
        accounts.countAdmins({ enabledOnly: true }) <= 1
      ) {
        throw new AppError('LAST_ADMIN', 'Cannot make the last enabled administrator a user')
      }
      accounts.update(account.id, { displayName: patch.displayName, email: patch.email, phone, role: patch.role }, now)
      const changed = Object.entries(patch)
        .filter(([, v]) => v !== undefined)
        .map(([k]) => k)
      audit.append(
        { actor, event: 'account.updated', accountId: account.id, detail: { fields: changed.join(',') } },
        now,
      )
      return view(accounts.findById(account.id)!)
    })
  }

  async function resetPassword(username: string, actor: string) {
    const account = require(username)
    const issued = await services.setupCodes.issue(account, actor)
    return { username: account.username, ...issued }
  }

  async function resetMfa(username: string, actor: string) {
    return services.methods.reset(require(username), actor)
  }

  function coverage(limit = 500): Coverage {
    const now = clock.now()
    const types = deps.methods.typesByAccount()
    const result: Coverage = {
      total: 0,
      byState: { none: 0, invited: 0, grace: 0, overdue: 0, enrolled: 0 },
      byMethod: countsByType(),
      locked: 0,
      disabled: 0,
      nonCompliant: [],
    }
    const late: Coverage['nonCompliant'] = []
    for (const account of accounts.iterate()) {
      const own = types.get(account.id) ?? []
      const mfa = mfaOf(account, own, now)
      result.total += 1
      result.byState[mfa.state] += 1
      for (const t of own) result.byMethod[t] += 1
      const accountView = toAccountView(account, now)
      if (accountView.locked) result.locked += 1
      if (account.disabled) result.disabled += 1
      if ((mfa.state === 'grace' || mfa.state === 'overdue') && mfa.deadline !== null && !account.disabled) {
        late.push({
          username: account.username,
          displayName: account.displayName,
          state: mfa.state,
          deadline: mfa.deadline,
        })
      }
    }
    result.nonCompliant = late.sort((a, b) => a.deadline.localeCompare(b.deadline)).slice(0, limit)
    return result
  }

  return { list, get: (username: string) => view(require(username)), create, update, resetPassword, resetMfa, coverage }
}

export type AdminAccountService = ReturnType<typeof createAdminAccountService>
