/** What the crash worker tells the test over the fork IPC channel. */
export type WorkerMessage =
  /** Its code is loaded; it opens the database when told `go` (a spare worker loads while another works). */
  | { readonly type: 'loaded' }
  /** The database is open and the worker starts its work. */
  | { readonly type: 'ready' }
  /** The service call it is about to make (for the kill statistics only). */
  | { readonly type: 'phase'; readonly phase: string }
  /** pause-in-verify: the verification is hashing recovery codes and will never go on. */
  | { readonly type: 'paused' }

/** What the test sends: open the database and start. */
export const goMessage = { type: 'go' } as const

/** Every account the worker creates has this password (15+ characters: valid without MFA too). */
export const crashPassword = 'violet-harbour-kettle-42'

export function isWorkerMessage(value: unknown): value is WorkerMessage {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string'
}
