/**
 * The limits the foundation enforces. Issue "MFA policy" makes them editable;
 * until then these are the SECURITY.md defaults, and every value is within its range.
 */
export interface SecurityPolicy {
  /** S13: consecutive failures that lock the account (3–20). */
  readonly lockoutThreshold: number
  /** S13: first lock duration (1 min–24 h); doubles with each further lock. */
  readonly lockoutBaseMs: number
  /** S13: longest single lock. */
  readonly lockoutMaxMs: number
  /** S13: after this many consecutive failures only an administrator can unlock. */
  readonly adminUnlockAfterFailures: number
  /** S17: idle and absolute session limits. */
  readonly sessionIdleMs: number
  readonly sessionAbsoluteMs: number
  /** S15: how long a password check counts as recent. */
  readonly stepUpMs: number
  /** S8: how long an email or SMS code is valid (1–10 min). */
  readonly codeLifetimeMs: number
  /** S10: wait before another code to the same place (30–300 s), and sends per destination per hour. */
  readonly resendCooldownMs: number
  readonly sendsPerDestinationPerHour: number
  /** S13: wrong second-factor entries that end one sign-in challenge. */
  readonly challengeFailureLimit: number
  /** How long a sign-in may wait for its second factor. */
  readonly challengeTtlMs: number
  /** S18: a pending enrollment is deleted after this long. */
  readonly enrollmentTtlMs: number
  /** S12: warn when this many recovery codes or fewer remain (1–5). */
  readonly recoveryCodeWarning: number
  /** Hook for the policy issue: may a user remove their last method? */
  readonly allowRemovingLastMethod: boolean
}

const minute = 60_000
const hour = 60 * minute

export const defaultPolicy: SecurityPolicy = {
  lockoutThreshold: 10,
  lockoutBaseMs: 15 * minute,
  lockoutMaxMs: 24 * hour,
  adminUnlockAfterFailures: 100,
  sessionIdleMs: 30 * minute,
  sessionAbsoluteMs: 12 * hour,
  stepUpMs: 5 * minute,
  codeLifetimeMs: 5 * minute,
  resendCooldownMs: minute,
  sendsPerDestinationPerHour: 5,
  challengeFailureLimit: 5,
  challengeTtlMs: 10 * minute,
  enrollmentTtlMs: 10 * minute,
  recoveryCodeWarning: 3,
  allowRemovingLastMethod: true,
}
