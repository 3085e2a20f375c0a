import { createHmac, timingSafeEqual } from 'node:crypto'
import type { CodeHasher } from '../../services/mfa-ports'

/**
 * S9: email and SMS codes are stored as HMAC-SHA256 under a vault key, with the
 * subject (enrollment, challenge + method, contact change) mixed in, so a code
 * hash is useless without the key and cannot be moved to another subject.
 * Six digits are only a million values: an unkeyed hash would be no protection.
 */
export function createHmacCodeHasher(key: Uint8Array): CodeHasher {
  const digest = (code: string, subject: string) =>
    createHmac('sha256', key).update(subject).update('\n').update(code).digest()
  return {
    hash: (code, subject) => digest(code, subject).toString('hex'),
    matches: (code, subject, stored) => {
      const expected = Buffer.from(stored, 'hex')
      const actual = digest(code, subject)
      return expected.length === actual.length && timingSafeEqual(expected, actual)
    },
  }
}
