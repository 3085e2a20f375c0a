import { normalizeRecoveryCode, normalizeSetupCode } from '../domain/one-time-codes'
import type { PasswordHasher } from './ports'

/**
 * How a stored setup code is checked, one verifier per storage format (the stored string
 * says which): today's 120-bit codes under a keyed hash, and the 80-bit Argon2id codes
 * issued before, which stay valid until they expire (at most 7 days after an upgrade).
 */
export interface SetupCodeHasher {
  /** The stored form of a canonical code. */
  hash(canonical: string): string
  /** Whether a stored value is in this hasher's format. */
  owns(stored: string): boolean
  matches(stored: string, canonical: string): boolean
}

export interface SetupCodeVerifierDeps {
  readonly setupCodeHasher: SetupCodeHasher
  /** Only for the older Argon2id codes. */
  readonly hasher: Pick<PasswordHasher, 'verify'>
}

/**
 * Checked outside the transaction that counts a failure, which then re-reads the code and decides
 * (S13); an older Argon2id code is checked off the event loop (S33).
 */
export async function setupCodeMatches(deps: SetupCodeVerifierDeps, stored: string, input: string): Promise<boolean> {
  if (deps.setupCodeHasher.owns(stored)) {
    const canonical = normalizeSetupCode(input)
    return canonical !== null && deps.setupCodeHasher.matches(stored, canonical)
  }
  // Legacy: 16 characters, Argon2id (issued before the keyed format).
  const canonical = normalizeRecoveryCode(input)
  return canonical !== null && (await deps.hasher.verify(stored, canonical))
}
