/**
 * The cryptography of an encrypted PSKC file (RFC 6030 §6): AES-128-CBC with the IV in front
 * of the ciphertext (XML Encryption), HMAC-SHA1 over IV + ciphertext, and a PBKDF2 key from a
 * passphrase, derived off the event loop.
 */
import { createDecipheriv, createHmac, pbkdf2, timingSafeEqual } from 'node:crypto'
import { promisify } from 'node:util'
import { TokenImportError } from './token-import-types'

const pbkdf2Async = promisify(pbkdf2)
/** A file must not be able to make the import spin for minutes. */
export const pskcMaxIterations = 1_000_000

export function decryptAes128Cbc(key: Uint8Array, ivAndCiphertext: Uint8Array): Uint8Array {
  if (ivAndCiphertext.length < 32 || ivAndCiphertext.length % 16 !== 0) {
    throw new TokenImportError('malformed', 'an encrypted value has the wrong length')
  }
  const decipher = createDecipheriv('aes-128-cbc', key, ivAndCiphertext.subarray(0, 16))
  decipher.setAutoPadding(false)
  const plain = Buffer.concat([decipher.update(ivAndCiphertext.subarray(16)), decipher.final()])
  // XML Encryption padding: the last byte says how many bytes to drop (1–16).
  const pad = plain[plain.length - 1]!
  if (pad < 1 || pad > 16) {
    throw new TokenImportError('wrong-key', 'the file cannot be decrypted: wrong key or passphrase')
  }
  return new Uint8Array(plain.subarray(0, plain.length - pad))
}

export function checkHmacSha1(key: Uint8Array, data: Uint8Array, expected: Uint8Array): boolean {
  const actual = createHmac('sha1', key).update(data).digest()
  return actual.length === expected.length && timingSafeEqual(actual, expected)
}

export async function pbkdf2Key(
  passphrase: string,
  salt: Uint8Array,
  iterations: number,
  keyLength: number,
): Promise<Uint8Array> {
  if (!Number.isSafeInteger(iterations) || iterations < 1 || iterations > pskcMaxIterations) {
    throw new TokenImportError('malformed', `PBKDF2 iteration count must be 1–${pskcMaxIterations}`)
  }
  if (keyLength !== 16) throw new TokenImportError('unsupported-file', 'only 128-bit PBKDF2 keys are supported')
  return new Uint8Array(await pbkdf2Async(passphrase, salt, iterations, keyLength, 'sha1'))
}
