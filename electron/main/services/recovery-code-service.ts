import {
  canonicalRecoveryCode,
  formatRecoveryCode,
  normalizeRecoveryCode,
  recoveryCodeBytes,
  recoveryCodesPerBatch,
} from '../domain/one-time-codes'
import type { MfaDeps } from './mfa-deps'

/**
 * S11, S12: ten codes of 80 bits, shown once, stored as salted Argon2id hashes
 * (below 112 bits NIST requires a password-hashing scheme). A batch is made
 * (hashed) outside a transaction, stored inside one, and only becomes valid
 * when activated. S36: activating a batch retires the valid set, never another
 * setup's pending batch, so with overlapping setups the one enabled last (the
 * set the user last confirmed saving) is the one that works.
 */
export interface RecoveryBatch {
  readonly batch: string
  /** Formatted XXXX-XXXX-XXXX-XXXX, to show once. */
  readonly codes: readonly string[]
  readonly hashes: readonly string[]
}

export function createRecoveryCodeService(deps: MfaDeps) {
  const { recoveryCodes, hasher } = deps

  async function makeBatch(): Promise<RecoveryBatch> {
    const codes = Array.from({ length: recoveryCodesPerBatch }, () =>
      formatRecoveryCode(deps.random.bytes(recoveryCodeBytes)),
    )
    const hashes = await Promise.all(codes.map((code) => hasher.hash(canonicalRecoveryCode(code))))
    const batch = Buffer.from(deps.random.bytes(16)).toString('hex')
    return { batch, codes, hashes }
  }

  /**
   * Check-and-consume inside the caller's transaction: the first unused code of
   * the account that matches is marked used. Another account's code never
   * matches: only this account's hashes are tried.
   */
  function consume(accountId: number, input: string, now: number): boolean {
    const canonical = normalizeRecoveryCode(input)
    if (canonical === null) return false
    for (const stored of recoveryCodes.unusedActive(accountId)) {
      if (hasher.verifySync(stored.codeHash, canonical)) return recoveryCodes.markUsed(stored.id, now)
    }
    return false
  }

  function remaining(accountId: number): { remaining: number; low: boolean } {
    const count = recoveryCodes.countUnusedActive(accountId)
    const role = deps.accounts.findById(accountId)?.role
    return { remaining: count, low: count <= deps.policy(role).recoveryCodeWarning }
  }

  return { makeBatch, consume, remaining }
}

export type RecoveryCodeService = ReturnType<typeof createRecoveryCodeService>
