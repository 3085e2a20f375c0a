/**
 * RFC 4226 section 5: the HOTP value of one counter, shared by HOTP and hardware TOTP
 * (RFC 6238 is HOTP over the time step).
 */
import type { OathHash, TokenCrypto } from './token-crypto'

export type OathDigits = 6 | 8

/** The counter as 8 big-endian bytes; counters stay below 2^53, so two 32-bit halves suffice. */
function counterBytes(counter: number): Uint8Array {
  const bytes = new Uint8Array(8)
  const high = Math.floor(counter / 0x1_0000_0000)
  const low = counter % 0x1_0000_0000
  new DataView(bytes.buffer).setUint32(0, high)
  new DataView(bytes.buffer).setUint32(4, low)
  return bytes
}

export function oathCode(
  crypto: TokenCrypto,
  hash: OathHash,
  secret: Uint8Array,
  counter: number,
  digits: OathDigits,
): string {
  if (!Number.isSafeInteger(counter) || counter < 0) throw new RangeError('counter out of range')
  const mac = crypto.hmac(hash, secret, counterBytes(counter))
  // Dynamic truncation (RFC 4226 5.3): the low nibble of the last byte picks four bytes.
  const offset = mac[mac.length - 1]! & 0x0f
  const binary = ((mac[offset]! & 0x7f) << 24) | (mac[offset + 1]! << 16) | (mac[offset + 2]! << 8) | mac[offset + 3]!
  return String(binary % 10 ** digits).padStart(digits, '0')
}

/** Constant-time comparison of two equal-length digit strings (no early exit on the first mismatch). */
export function sameCode(a: string, b: string): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i += 1) diff |= a.charCodeAt(i) ^ b.charCodeAt(i)
  return diff === 0
}

/** A code as typed must be exactly `digits` ASCII digits (the caller normalises spaces first). */
export function isCodeShape(code: string, digits: OathDigits): boolean {
  return code.length === digits && /^[0-9]+$/.test(code)
}
