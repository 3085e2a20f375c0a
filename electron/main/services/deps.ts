import type { CommonPasswordCheck } from '../domain/password-rules'
import type { SecurityPolicy } from '../domain/policy'
import type { AccountRepo, AuditLog, Clock, PasswordHasher, Random, SessionRepo, UnitOfWork } from './ports'

/** Whether an account has an active MFA method: it changes the password rules (S1). */
export interface MfaPresence {
  hasActiveMethod(accountId: number): boolean
}

/** Everything the account and session services use; read-only, built once by the composition root. */
export interface CoreDeps {
  readonly clock: Clock
  readonly random: Random
  readonly hasher: PasswordHasher
  readonly accounts: AccountRepo
  readonly sessions: SessionRepo
  readonly audit: AuditLog
  readonly uow: UnitOfWork
  readonly policy: () => SecurityPolicy
  readonly isCommonPassword: CommonPasswordCheck
  readonly mfa: MfaPresence
}
