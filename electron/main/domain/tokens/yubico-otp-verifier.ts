/**
 * Yubico OTP checked offline (issue 12 §3; S7). 44 modhex characters: 12 of public id, then one
 * AES-128 block. The plaintext is private id (6), usage counter (2, LE), timestamp (3, LE),
 * session counter (1), random (2), CRC-16 (2); the CRC over all 16 bytes leaves 0xf0b8.
 */
import { isModhex, modhexToBytes } from './modhex'
import type { TokenCrypto } from './token-crypto'

export const yubicoOtpLength = 44
export const yubicoPublicIdLength = 12

export interface YubicoToken {
  /** 12 modhex characters, lower case. */
  publicId: string
  aesKey: Uint8Array
  /** 6 bytes. */
  privateId: Uint8Array
  /** The last accepted counters, or null before the first OTP. */
  lastUsage: number | null
  lastSession: number | null
}

export type YubicoOtpResult =
  | { ok: true; usage: number; session: number }
  | {
      ok: false
      reason: 'malformed' | 'other-token' | 'bad-crc' | 'wrong-private-id' | 'reused'
    }

/** ISO 13239 CRC-16 (reflected 0x8408, initial 0xffff), as the key computes it. */
export function crc16(bytes: Uint8Array): number {
  let crc = 0xffff
  for (const byte of bytes) {
    crc ^= byte
    for (let bit = 0; bit < 8; bit += 1) {
      crc = crc & 1 ? (crc >>> 1) ^ 0x8408 : crc >>> 1
    }
  }
  return crc
}
const crcResidue = 0xf0b8

/** The key types the OTP; a layout may send upper case, and people paste with spaces around. */
export function normalizeYubicoOtp(input: string): string {
  return input.trim().toLowerCase()
}

/** The public id of an OTP, or null when the text is not an OTP at all. */
export function yubicoPublicIdOf(otp: string): string | null {
  const text = normalizeYubicoOtp(otp)
  if (text.length !== yubicoOtpLength || !isModhex(text)) return null
  return text.slice(0, yubicoPublicIdLength)
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i += 1) diff |= a[i]! ^ b[i]!
  return diff === 0
}

export function verifyYubicoOtp(crypto: TokenCrypto, token: YubicoToken, otp: string): YubicoOtpResult {
  const text = normalizeYubicoOtp(otp)
  const publicId = yubicoPublicIdOf(text)
  if (publicId === null) return { ok: false, reason: 'malformed' }
  if (publicId !== token.publicId.toLowerCase()) return { ok: false, reason: 'other-token' }
  const plain = crypto.aes128EcbDecryptBlock(token.aesKey, modhexToBytes(text.slice(yubicoPublicIdLength)))
  if (crc16(plain) !== crcResidue) return { ok: false, reason: 'bad-crc' }
  if (!sameBytes(plain.subarray(0, 6), token.privateId)) return { ok: false, reason: 'wrong-private-id' }
  // The top bit of the usage counter is a flag (caps lock at plug-in), not part of the count.
  const usage = (plain[6]! | (plain[7]! << 8)) & 0x7fff
  const session = plain[11]!
  const last = token.lastUsage === null ? null : { usage: token.lastUsage, session: token.lastSession ?? -1 }
  if (last !== null && (usage < last.usage || (usage === last.usage && session <= last.session))) {
    return { ok: false, reason: 'reused' }
  }
  return { ok: true, usage, session }
}
