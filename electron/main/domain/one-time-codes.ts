/**
 * Pure helpers for the codes people type: normalising input (S7, S11),
 * drawing six digits without bias (S8) and the recovery-code format (S11).
 */

/** Spaces, dashes and dots are how people and apps group digits: "123 456", "123-456". */
export function normalizeDigits(input: string): string {
  return input.normalize('NFKC').replace(/[\s\-.]/g, '')
}

/** A uniform number below `bound` from random bytes, by rejection (no modulo bias). */
export function uniformBelow(bound: number, nextBytes: (n: number) => Uint8Array): number {
  const limit = Math.floor(0x1_0000_0000 / bound) * bound
  for (;;) {
    const b = nextBytes(4)
    const value = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0
    if (value < limit) return value % bound
  }
}

/** S8: six digits from a CSPRNG, leading zeros kept. */
export function sixDigitCode(nextBytes: (n: number) => Uint8Array): string {
  return String(uniformBelow(1_000_000, nextBytes)).padStart(6, '0')
}

/** RFC 4648 Base32 without padding: no 0/1/8/9, so no O/0 or I/1 confusion in print. */
const base32Alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'

/** S11: 10 random bytes are exactly 80 bits = 16 Base32 characters, shown as XXXX-XXXX-XXXX-XXXX. */
export const recoveryCodeBytes = 10
export const recoveryCodesPerBatch = 10

/** Base32 of whole 5-byte groups (8 characters each), shown in groups of four joined by dashes. */
function base32Groups(bytes: Uint8Array): string {
  let bits = 0
  let value = 0
  let out = ''
  for (const byte of bytes) {
    value = (value << 8) | byte
    bits += 8
    while (bits >= 5) {
      out += base32Alphabet[(value >>> (bits - 5)) & 31]
      bits -= 5
    }
    value &= (1 << bits) - 1
  }
  return out.match(/.{4}/g)!.join('-')
}

export function formatRecoveryCode(bytes: Uint8Array): string {
  if (bytes.length !== recoveryCodeBytes) throw new Error('A recovery code is made from 10 bytes')
  return base32Groups(bytes)
}

/**
 * Setup codes: 15 random bytes = 120 bits = 24 Base32 characters, shown as six groups of four.
 * At least 112 bits, so they may be stored under a keyed hash without a cost factor
 * (NIST SP 800-63B, look-up secrets; README design notes).
 */
export const setupCodeBytes = 15
const setupCodeLength = 24

export function formatSetupCode(bytes: Uint8Array): string {
  if (bytes.length !== setupCodeBytes) throw new Error('A setup code is made from 15 bytes')
  return base32Groups(bytes)
}

/**
 * S11: case, spaces and dashes do not matter; people also read 0 as O, 1 as I
 * and 8 as B, which Base32 does not use, so those are mapped back.
 * Returns the canonical 16 characters, or null when it cannot be a recovery code.
 */
export function normalizeRecoveryCode(input: string): string | null {
  const compact = compactBase32(input)
  return /^[A-Z2-7]{16}$/.test(compact) ? compact : null
}

/** The typing rules of a recovery code (case, separators, 0/1/8 read as O/I/B), without a length. */
function compactBase32(input: string): string {
  return input
    .normalize('NFKC')
    .toUpperCase()
    .replace(/[\s\-_.]/g, '')
    .replace(/0/g, 'O')
    .replace(/1/g, 'I')
    .replace(/8/g, 'B')
}

/** A setup code as typed, by the same rules as a recovery code: the canonical 24 characters, or null. */
export function normalizeSetupCode(input: string): string | null {
  const compact = compactBase32(input)
  return compact.length === setupCodeLength && /^[A-Z2-7]+$/.test(compact) ? compact : null
}

export function canonicalRecoveryCode(formatted: string): string {
  return formatted.replace(/-/g, '')
}
