import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto'

/**
 * S20: AES-256-GCM for secrets at rest. Every ciphertext names the key that
 * made it (`v1.<keyId>.<iv>.<data+tag>`), so a later key rotation can tell old
 * from new, and carries associated data naming where it belongs (e.g.
 * `settings:smtp.password`), so a ciphertext copied to another row fails to decrypt.
 */
export interface Cipher {
  readonly keyId: string
  encrypt(plaintext: string, associatedData: string): string
  decrypt(ciphertext: string, associatedData: string): string
}

export class DecryptionError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'DecryptionError'
  }
}

const ivLength = 12
const tagLength = 16

/** A short, stable, non-secret name for a key: HMAC of a fixed label. */
export function keyIdOf(key: Uint8Array): string {
  return createHmac('sha256', key).update('keyhold/key-id').digest('hex').slice(0, 16)
}

export function createAesGcmCipher(keys: readonly Uint8Array[]): Cipher {
  if (keys.length === 0) throw new Error('A cipher needs at least one key')
  for (const key of keys) if (key.length !== 32) throw new Error('AES-256-GCM keys are 32 bytes')
  const byId = new Map(keys.map((key) => [keyIdOf(key), key]))
  const current = keys[0]!
  const currentId = keyIdOf(current)

  return {
    keyId: currentId,
    encrypt(plaintext, associatedData) {
      const iv = randomBytes(ivLength)
      const cipher = createCipheriv('aes-256-gcm', current, iv, { authTagLength: tagLength })
      cipher.setAAD(Buffer.from(associatedData, 'utf8'))
      const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()])
      return `v1.${currentId}.${iv.toString('base64url')}.${data.toString('base64url')}`
    },
    decrypt(ciphertext, associatedData) {
      const parts = ciphertext.split('.')
      if (parts.length !== 4 || parts[0] !== 'v1') throw new DecryptionError('Not a Keyhold ciphertext')
      const key = byId.get(parts[1]!)
      if (!key) throw new DecryptionError(`No key with id ${parts[1]} is available`)
      const iv = Buffer.from(parts[2]!, 'base64url')
      const data = Buffer.from(parts[3]!, 'base64url')
      if (iv.length !== ivLength || data.length < tagLength) throw new DecryptionError('Truncated ciphertext')
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: tagLength })
        decipher.setAAD(Buffer.from(associatedData, 'utf8'))
        decipher.setAuthTag(data.subarray(data.length - tagLength))
        return Buffer.concat([decipher.update(data.subarray(0, data.length - tagLength)), decipher.final()]).toString(
          'utf8',
        )
      } catch {
        throw new DecryptionError('The ciphertext was altered or belongs elsewhere')
      }
    },
  }
}
