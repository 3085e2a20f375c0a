import type { ErrorCode, ErrorPayload } from '../../shared/errors'

/**
 * An expected failure with a code. Services throw it; the router turns it into
 * `{ ok: false, error }`. Anything else thrown is a programmer error and becomes INTERNAL.
 */
export class AppError extends Error {
  readonly code: ErrorCode
  readonly extra: Omit<ErrorPayload, 'code' | 'message'>

  constructor(code: ErrorCode, message: string, extra: Omit<ErrorPayload, 'code' | 'message'> = {}) {
    super(message)
    this.name = 'AppError'
    this.code = code
    this.extra = extra
  }

  toPayload(): ErrorPayload {
    return { code: this.code, message: this.message, ...this.extra }
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError
}
