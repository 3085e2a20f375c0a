/**
 * The race worker's messages (fork IPC). The test sends `tasks` to every worker,
 * waits until all are `ready`, then sends `go` with one start time to all; each worker runs
 * its tasks back to back and answers `results`, in task order.
 */
export type RaceTask =
  /** auth:verify-code for a session that waits for its second factor. */
  | { readonly kind: 'verify-code'; readonly sessionId: string; readonly methodId: number; readonly code: string }
  /** auth:sign-in with a username and password. */
  | { readonly kind: 'sign-in'; readonly username: string; readonly password: string }
  /** mfa:verify-enrollment ("Next Step") for one of the account's pending setups. */
  | {
      readonly kind: 'verify-enrollment'
      readonly username: string
      readonly enrollmentId: string
      readonly code: string
    }
  /** mfa:enable-enrollment ("Enable") for one of the account's verified setups. */
  | { readonly kind: 'enable-enrollment'; readonly username: string; readonly enrollmentId: string }

/** ok, or the refusal's code; INTERNAL (with the error text) for anything that is not a service refusal. */
export type RaceResult =
  | { readonly ok: true; readonly recoveryCodes?: readonly string[] | null }
  | { readonly ok: false; readonly code: string; readonly message: string }

export type ToWorker =
  | { readonly type: 'tasks'; readonly tasks: readonly RaceTask[] }
  /** Start at this wall-clock time (ms), the same for every worker, so they really start together. */
  | { readonly type: 'go'; readonly at: number }

export type FromWorker =
  | { readonly type: 'loaded' }
  | { readonly type: 'ready' }
  | { readonly type: 'results'; readonly results: readonly RaceResult[] }

export function isFromWorker<T extends FromWorker['type']>(type: T) {
  return (value: unknown): value is Extract<FromWorker, { type: T }> =>
    typeof value === 'object' && value !== null && (value as { type?: unknown }).type === type
}
