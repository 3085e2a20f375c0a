import { hash, verifySync } from '@node-rs/argon2'
import type { PasswordHasher } from '../../services/ports'

/**
 * S3: Argon2id with OWASP's minimum (m=19456 KiB, t=2, p=1). The PHC string
 * stores the parameters, so a change here is detected per hash and upgraded at
 * the next successful sign-in.
 */
export interface Argon2Params {
  readonly memoryCost: number
  readonly timeCost: number
  readonly parallelism: number
}

export const argon2Params: Argon2Params = { memoryCost: 19456, timeCost: 2, parallelism: 1 }

// @node-rs/argon2's Algorithm is a const enum, which isolatedModules cannot read: 2 is Argon2id.
const argon2id = 2

const phcPattern = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/

export function createArgon2PasswordHasher(params: Argon2Params = argon2Params): PasswordHasher {
  return {
    hash: (password) => hash(password, { algorithm: argon2id, ...params }),
    verifySync: (stored, password) => {
      try {
        return verifySync(stored, password)
      } catch {
        // A malformed stored hash can never match; it must not become INTERNAL at sign-in.
        return false
      }
    },
    needsRehash: (stored) => {
      const match = phcPattern.exec(stored)
      if (!match) return true
      const [, m, t, p] = match.map(Number)
      return m !== params.memoryCost || t !== params.timeCost || p !== params.parallelism
    },
  }
}
