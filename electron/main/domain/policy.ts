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
}
