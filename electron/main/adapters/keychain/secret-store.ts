/**
 * The OS keychain behind a small interface (as Bitwarden and Element do), so
 * the backend can change without touching the vault logic.
 */
export interface SecretStore {
  get(account: string): Promise<string | null>
  set(account: string, secret: string): Promise<void>
  delete(account: string): Promise<boolean>
}

export type KeychainFailure = 'unavailable' | 'locked'

/** The keychain could not be used; Keyhold fails closed (S19). */
export class KeychainError extends Error {
  constructor(
    readonly failure: KeychainFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.name = 'KeychainError'
  }
}
