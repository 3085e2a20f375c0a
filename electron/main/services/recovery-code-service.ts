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
   * S33: which unused code of the account this is, checked off the event loop and outside any
   * transaction (null: none). Another account's code never matches: only this account's hashes
   * are tried. The caller consumes it with `consume`, inside its transaction.
   */
  async function find(accountId: number, input: string): Promise<number | null> {
    const canonical = normalizeRecoveryCode(input)
    if (canonical === null) return null
    // One at a time: ten checks at once would take every thread of the pool from other sign-ins.
    for (const stored of recoveryCodes.unusedActive(accountId)) {
      if (await hasher.verify(stored.codeHash, canonical)) return stored.id
    }
    return null
  }

  /**
   * Inside the caller's transaction: the code `find` matched is used now, if it is still an unused
   * code of the account's valid set (a parallel use or a new set may have come in between). S12.
   */
  function consume(accountId: number, codeId: number, now: number): boolean {
    const stillValid = recoveryCodes.unusedActive(accountId).some((stored) => stored.id === codeId)
    return stillValid && recoveryCodes.markUsed(codeId, now)
  }

  function remaining(accountId: number): { remaining: number; low: boolean } {
    const count = recoveryCodes.countUnusedActive(accountId)
    const role = deps.accounts.findById(accountId)?.role
    return { remaining: count, low: count <= deps.policy(role).recoveryCodeWarning }
  }

  return { makeBatch, find, consume, remaining }
}

export type RecoveryCodeService = ReturnType<typeof createRecoveryCodeService>
