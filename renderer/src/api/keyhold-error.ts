import type { ErrorCode, ErrorPayload, FieldError, WeakPasswordReason } from '../../../electron/shared/errors'

/**
 * A refused call, carrying the main process's ErrorPayload unchanged. Views
 * never show `message` (English, meant for logs): they translate `code` and
 * the structured details through the message catalogue.
 */
export class KeyholdError extends Error {
  readonly code: ErrorCode
  readonly payload: ErrorPayload

  constructor(payload: ErrorPayload, options?: { cause?: unknown }) {
    super(payload.message, options)
    this.name = 'KeyholdError'
    this.code = payload.code
    this.payload = payload
  }

  get fields(): readonly FieldError[] {
    return this.payload.fields ?? []
  }

  /** LOCKED: ISO time the lock ends, null when an administrator must unlock, undefined when not said. */
  get lockedUntil(): string | null | undefined {
    return this.payload.lockedUntil
  }

  get attemptsLeft(): number | undefined {
    return this.payload.attemptsLeft
  }

  get reason(): WeakPasswordReason | undefined {
    return this.payload.reason
  }

  get minLength(): number | undefined {
    return this.payload.minLength
  }

  /** RATE_LIMITED: ISO time another attempt is allowed. */
  get retryAt(): string | undefined {
    return this.payload.retryAt
  }
}

export function isKeyholdError(value: unknown): value is KeyholdError {
  return value instanceof KeyholdError
}

/** The codes that mean "there is no session any more": the app goes back to sign-in. */
export function isSessionEnded(error: unknown): error is KeyholdError {
  return isKeyholdError(error) && (error.code === 'UNAUTHENTICATED' || error.code === 'SESSION_EXPIRED')
}

/** The engine wants a fresh password check first (S15); the step-up dialog answers it. */
export function isStepUpRequired(error: unknown): error is KeyholdError {
  return isKeyholdError(error) && error.code === 'STEP_UP_REQUIRED'
}

/**
 * The person closed the "Confirm your password" dialog instead of confirming:
 * the sensitive call was not made. Not a failure to report; actions treat it as
 * "nothing happened".
 */
export class StepUpCancelledError extends Error {
  constructor() {
    super('The password confirmation was cancelled')
    this.name = 'StepUpCancelledError'
  }
}

export function isStepUpCancelled(error: unknown): error is StepUpCancelledError {
  return error instanceof StepUpCancelledError
}
