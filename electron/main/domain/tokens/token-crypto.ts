/**
 * The two primitives the hardware-token verifiers need, as a port: domain code stays free of
 * `node:*` (DESIGN.md layering) and stays synchronous, because the verifiers run inside an
 * IMMEDIATE transaction (S7) where awaiting would let a second check of the same code interleave.
 */
export type OathHash = 'sha1' | 'sha256'

export interface TokenCrypto {
  hmac(hash: OathHash, key: Uint8Array, message: Uint8Array): Uint8Array
  /** One 16-byte block, no padding (Yubico OTP carries exactly one block). */
  aes128EcbDecryptBlock(key: Uint8Array, block: Uint8Array): Uint8Array
}
