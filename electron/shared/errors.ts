/**
 * Error codes that cross the IPC boundary. The renderer maps each code to a
 * translated message; the CLI prints `error: CODE: message`.
 */
export const errorCodes = [
  'VALIDATION',
  'WEAK_PASSWORD',
  'UNAUTHENTICATED',
  'SESSION_EXPIRED',
  'FORBIDDEN',
  'INVALID_CREDENTIALS',
  'ACCOUNT_DISABLED',
  'LOCKED',
  'STEP_UP_REQUIRED',
  'NOT_FOUND',
  'CONFLICT',
  'SETUP_REQUIRED',
  'SETUP_DONE',
  'LAST_ADMIN',
  'UNAVAILABLE',
  'DELIVERY_FAILED',
  'NOT_CONFIGURED',
  'INVALID_CODE',
  /** A TOTP code of a step already accepted (S7): a failure like a wrong code, but named so the user waits. */
  'CODE_REUSED',
  'EXPIRED',
  /** S36: a setup that showed no recovery codes of its own outlived the set it relied on; it ended. */
  'RECOVERY_CODES_CHANGED',
  'RATE_LIMITED',
  'INTERNAL',
] as const

export type ErrorCode = (typeof errorCodes)[number]

/** One field that failed validation, with a path such as `email` or `password`. */
export interface FieldError {
  readonly field: string
  readonly message: string
}

/**
 * S30: why a new username was refused. `look-alike`: it looks like an existing account's
 * (same UTS #39 confusable skeleton); `mixed-scripts`: it mixes scripts beyond UTS #39's
 * Highly Restrictive level (Latin with Cyrillic, say).
 */
export type UsernameProblem = 'look-alike' | 'mixed-scripts'

/** Why a password was refused (S1, S2). */
export type WeakPasswordReason = 'too-short' | 'too-long' | 'common' | 'context' | 'mismatch'

export interface ErrorPayload {
  readonly code: ErrorCode
  /** English, for logs and the CLI; the renderer shows its own translation of `code`. */
  readonly message: string
  readonly fields?: readonly FieldError[]
  /** LOCKED: when the lock ends (ISO 8601), or null when an administrator must unlock. */
  readonly lockedUntil?: string | null
  /** INVALID_CREDENTIALS: failures left before the account locks; INVALID_CODE, CODE_REUSED: tries left. */
  readonly attemptsLeft?: number
  /** WEAK_PASSWORD: which rule refused it, and the minimum length that applied. */
  readonly reason?: WeakPasswordReason
  readonly minLength?: number
  /** RATE_LIMITED: when another attempt is allowed (ISO 8601). */
  readonly retryAt?: string
  /** VALIDATION or CONFLICT on a new username (S30). */
  readonly usernameProblem?: UsernameProblem
  /** S35: how many accounts a refused policy or provider change would have locked out. */
  readonly affectedAccounts?: number
}

export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ErrorPayload }
