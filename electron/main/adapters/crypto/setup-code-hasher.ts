import { createHmac, timingSafeEqual } from 'node:crypto'
import type { SetupCodeHasher } from '../../services/setup-code-verifier'

/**
 * Setup codes of 120 bits stored as HMAC-SHA256 under a key of their own (README design notes):
 * a guess costs an attacker with the database nothing less than 2^119 tries on average, so no
 * cost factor is needed, and one hash is microseconds instead of Argon2id's ~14 ms, which made
 * a 100,000-account import take a quarter of an hour. The key is random, sealed by the vault and
 * kept across `vault rotate` (a key derived from the master key would void every pending code
 * at rotation). The prefix names the format, so older Argon2id codes are told apart.
 */
const prefix = 'hmac-sha256$'
const context = 'keyhold/setup-code/v1\n'

export function createSetupCodeHasher(key: Uint8Array): SetupCodeHasher {
  const digest = (canonical: string) => createHmac('sha256', key).update(context).update(canonical).digest()
  return {
    hash: (canonical) => `${prefix}${digest(canonical).toString('hex')}`,
    owns: (stored) => stored.startsWith(prefix),
    matches: (stored, canonical) => {
      if (!stored.startsWith(prefix)) return false
      const expected = Buffer.from(stored.slice(prefix.length), 'hex')
      const actual = digest(canonical)
      return expected.length === actual.length && timingSafeEqual(expected, actual)
    },
  }
}
