import { randomBytes } from 'node:crypto'
import { hash, verify, verifySync } from '@node-rs/argon2'
import type { PasswordHasher } from '../../services/ports'

/**
 * S3: Argon2id with OWASP's minimum (m=19456 KiB, t=2, p=1). The PHC string
 * stores the parameters, so a change here is detected per hash and upgraded at
 * the next successful sign-in. S33: `hash` and `verify` run on libuv's thread
 * pool (@node-rs/argon2's async functions), never on the event loop.
 */
export interface Argon2Params {
  readonly memoryCost: number
  readonly timeCost: number
  readonly parallelism: number
}

export const argon2Params: Argon2Params = { memoryCost: 19456, timeCost: 2, parallelism: 1 }

/** The port, plus a blocking check for tests and the bench; services never call it (S33). */
export interface Argon2PasswordHasher extends PasswordHasher {
  verifySync(hash: string, password: string): boolean
}

// @node-rs/argon2's Algorithm is a const enum, which isolatedModules cannot read: 2 is Argon2id.
const argon2id = 2

const phcPattern = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/

/**
 * A hash of random bytes nobody knows, made with `argon2Params`, so that a decoy check costs what a real
 * one costs without hashing at start-up (every `keyhold auth` is a new process). Other parameters
 * (tests, a future change) make their own decoy once, on first use.
 */
const defaultDecoy = '$argon2id$v=19$m=19456,t=2,p=1$aDjowo+5YWQeEEgd3G/y+g$xCLn4PYgLO/b/Dud7PKkoZXgzjB1rokdFftes+pOdRA'

function sameParams(a: Argon2Params, b: Argon2Params): boolean {
  return a.memoryCost === b.memoryCost && a.timeCost === b.timeCost && a.parallelism === b.parallelism
}

export function createArgon2PasswordHasher(params: Argon2Params = argon2Params): Argon2PasswordHasher {
  let decoy: Promise<string> | undefined = sameParams(params, argon2Params) ? Promise.resolve(defaultDecoy) : undefined
  const decoyHash = () => (decoy ??= hash(randomBytes(32).toString('base64'), { algorithm: argon2id, ...params }))

  async function verifyDecoy(password: string): Promise<false> {
    try {
      await verify(await decoyHash(), password)
    } catch {
      // Nothing to learn from a decoy; its only job is to take the time.
    }
    return false
  }

  return {
    hash: (password) => hash(password, { algorithm: argon2id, ...params }),
    verify: async (stored, password) => {
      // A value that is no Argon2id hash (an account waiting for its setup code) can never match,
      // but answers only after a decoy check, or its speed would tell such accounts apart (S26).
      if (!phcPattern.test(stored)) return verifyDecoy(password)
      try {
        return await verify(stored, password)
      } catch {
        // A malformed stored hash can never match; it must not become INTERNAL at sign-in.
        return false
      }
    },
    verifyDecoy,
    verifySync: (stored, password) => {
      try {
        return verifySync(stored, password)
      } catch {
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
