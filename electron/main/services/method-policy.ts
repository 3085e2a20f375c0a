import { AppError } from '../domain/app-error'
import type { MethodType } from '../../shared/method-types'
import { serverMethodTraits } from '../domain/method-traits'
import type { MfaDeps } from './mfa-deps'
import type { MethodRecord } from './mfa-ports'
import type { AccountRecord } from './ports'

/**
 * Which of an account's methods the policy lets it use. A method of a type the
 * policy no longer allows (say SMS under "strong methods only") is neither
 * offered nor accepted at sign-in; the account then counts as without MFA and
 * the policy's enforcement applies to it.
 */
export function usableMethods(deps: MfaDeps, account: AccountRecord): MethodRecord[] {
  const allowed = deps.policy(account.role).mfa.allowedMethods
  return deps.methods.listActive(account.id).filter((m) => allowed.includes(m.type))
}

/**
 * The methods a sign-in challenge accepts. Normally the usable ones. An account
 * left with only methods the policy no longer allows still proves itself with
 * them: otherwise its password alone would let anyone who knows it sign in and
 * set up a new method, taking over an account that SMS or email protected.
 * After such a challenge the account is asked (or, past a Required deadline,
 * made) to set up an allowed method.
 */
export function challengeMethods(deps: MfaDeps, account: AccountRecord): MethodRecord[] {
  const usable = usableMethods(deps, account)
  return usable.length > 0 ? usable : deps.methods.listActive(account.id)
}

export function hasUsableMethod(deps: MfaDeps, accountId: number): boolean {
  const account = deps.accounts.findById(accountId)
  return account !== null && usableMethods(deps, account).length > 0
}

export function requireAllowed(deps: MfaDeps, account: AccountRecord, type: MethodType): void {
  if (!deps.policy(account.role).mfa.allowedMethods.includes(type)) {
    throw new AppError('FORBIDDEN', `The site policy does not allow ${serverMethodTraits[type].policyName}`)
  }
}
