import type { CommonPasswordCheck } from '../domain/password-rules'
import type { EffectivePolicy, Role } from '../domain/mfa-policy'
import type { SetupCodeStore } from './setup-code-service'
import type {
  AccountRepo,
  AuditLog,
  Clock,
  PasswordHasher,
  Random,
  SessionRepo,
  UnitOfWork,
  UnknownNameRepo,
} from './ports'

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
  /** The policy in force for a role (site rules with the role's override), or the site rules alone. */
  readonly policy: (role?: Role) => EffectivePolicy
  readonly isCommonPassword: CommonPasswordCheck
  readonly mfa: MfaPresence
  /** One-time setup codes that stand in for a password (imports, admin resets). */
  readonly setupCodes: SetupCodeStore
  /** S26: failures against names without an account, so they "lock" like real ones. */
  readonly unknownNames: UnknownNameRepo
}
