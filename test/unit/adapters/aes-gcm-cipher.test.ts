import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { createAesGcmCipher, DecryptionError, keyIdOf } from '../../../electron/main/adapters/crypto/aes-gcm-cipher'

const key = () => new Uint8Array(randomBytes(32))

describe('AES-256-GCM cipher (S20)', () => {
  it('round-trips and never repeats a ciphertext', () => {
    const cipher = createAesGcmCipher([key()])
    const a = cipher.encrypt('JBSWY3DPEHPK3PXP', 'mfa:1')
    const b = cipher.encrypt('JBSWY3DPEHPK3PXP', 'mfa:1')
    expect(a).not.toBe(b)
    expect(a).not.toContain('JBSWY3DPEHPK3PXP')
    expect(cipher.decrypt(a, 'mfa:1')).toBe('JBSWY3DPEHPK3PXP')
    expect(a.split('.')[1]).toBe(cipher.keyId)
  })

  it('refuses a ciphertext moved to another place (associated data)', () => {
    const cipher = createAesGcmCipher([key()])
    const sealed = cipher.encrypt('secret', 'mfa:1')
    expect(() => cipher.decrypt(sealed, 'mfa:2')).toThrow(DecryptionError)
  })

  it('refuses a tampered or truncated ciphertext', () => {
    const cipher = createAesGcmCipher([key()])
    const sealed = cipher.encrypt('secret', 'x')
    const parts = sealed.split('.')
    const data = Buffer.from(parts[3]!, 'base64url')
    data[0] = data[0]! ^ 1
    expect(() => cipher.decrypt([...parts.slice(0, 3), data.toString('base64url')].join('.'), 'x')).toThrow(
      DecryptionError,
    )
    expect(() => cipher.decrypt(sealed.slice(0, 30), 'x')).toThrow(DecryptionError)
    expect(() => cipher.decrypt('plain text', 'x')).toThrow(DecryptionError)
  })

  it('decrypts with an older key by its id and encrypts with the first', () => {
    const oldKey = key()
    const old = createAesGcmCipher([oldKey]).encrypt('secret', 'x')
    const rotated = createAesGcmCipher([key(), oldKey])
    expect(rotated.decrypt(old, 'x')).toBe('secret')
    expect(rotated.keyId).not.toBe(keyIdOf(oldKey))
    expect(() => createAesGcmCipher([key()]).decrypt(old, 'x')).toThrow(/No key with id/)
  })

  it('accepts only 256-bit keys', () => {
    expect(() => createAesGcmCipher([new Uint8Array(16)])).toThrow(/32 bytes/)
    expect(() => createAesGcmCipher([])).toThrow()
  })
})
