import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createArgon2PasswordHasher } from '../../../electron/main/adapters/crypto/argon2-password-hasher'
import { defaultPolicy } from '../../../electron/main/domain/policy'
import type { PasswordHasher } from '../../../electron/main/services/ports'
import { actor, createCoreFixture, fastHasher, goodPassword, type CoreFixture } from '../support/core-fixture'
import { enrollTotp, refusal } from '../support/mfa-helpers'

/**
 * S33: password, recovery-code and setup-code checks never block the main process's event loop,
 * and S13 still holds: the hash is checked outside the transaction, the transaction decides.
 * Production parameters here (S3), so that each check is long enough for the loop to turn.
 */
const strong = createArgon2PasswordHasher()
const threshold = defaultPolicy.lockoutThreshold

/**
 * Counts turns of the event loop while `work` runs, and the count at which each of its answers
 * came. Blocking work lets no turn happen before its answers; off-thread work lets many.
 */
async function loopTurnsDuring(work: readonly (() => Promise<unknown>)[]): Promise<number[]> {
  let turns = 0
  let running = true
  const turn = () => {
    turns += 1
    if (running) setImmediate(turn)
  }
  setImmediate(turn)
  const at: number[] = []
  await Promise.all(
    work.map((run) =>
      run()
        .catch(() => undefined)
        .finally(() => at.push(turns)),
    ),
  )
  running = false
  return at
}

describe('S33: hashing runs off the event loop', () => {
  let f: CoreFixture
  beforeEach(async () => {
    f = createCoreFixture({ hasher: strong })
    await f.accounts.createFirstAdmin({ username: 'alice', password: goodPassword }, actor)
    await f.accounts.createAccount({ username: 'bob', role: 'user', password: goodPassword }, actor)
  })

  // Setup codes are 120 bits under a keyed hash now (issue 15), microseconds to check; the older
  // Argon2id ones still valid are checked with the same asynchronous verify (setup-code-verifier.ts).
  afterEach(() => f.close())

  it('the loop keeps turning through a burst of sign-ins and step-ups', { timeout: 60_000 }, async () => {
    const { sessionId } = await f.auth.signIn({ username: 'alice', password: goodPassword }, 'window')
    const resolved = f.auth.resolveSession(sessionId)
    const at = await loopTurnsDuring([
      () => f.auth.signIn({ username: 'alice', password: goodPassword }, 'window'),
      () => f.auth.signIn({ username: 'alice', password: 'a-wrong-password-1' }, 'window'),
      () => f.auth.signIn({ username: 'nobody', password: 'a-wrong-password-2' }, 'window'),
      () => f.auth.confirmPassword(resolved, goodPassword, actor),
      // An account waiting for its setup code: no hash stored, a decoy check instead (S26).
      () => f.auth.signIn({ username: 'bob', password: goodPassword }, 'window'),
    ])
    expect(at).toHaveLength(5)
    // Each answer waited for an Argon2id check (tens of milliseconds at S3's parameters), during
    // which a free loop turns hundreds of times; a blocking check would allow none before the answer.
    expect(Math.min(...at)).toBeGreaterThanOrEqual(10)
  })

  it('recovery codes are checked off the loop too', { timeout: 60_000 }, async () => {
    const { recoveryCodes } = await enrollTotp(f, 'alice')
    const { resolved } = await f.auth.signIn({ username: 'alice', password: goodPassword }, 'window')
    const at = await loopTurnsDuring([() => f.services.challenge.useRecoveryCode(resolved, recoveryCodes![1]!, actor)])
    expect(Math.min(...at)).toBeGreaterThanOrEqual(10)
    expect(f.services.recovery.remaining(f.deps.accounts.findByUsername('alice')!.id).remaining).toBe(9)
  })

  it(
    'parallel wrong passwords lock at exactly the limit, for an account and for an unknown name (S13, S26)',
    {
      timeout: 60_000,
    },
    async () => {
      for (const username of ['bob', 'nobody']) {
        const answers = await Promise.all(
          Array.from({ length: 16 }, (_, i) =>
            refusal(f.auth.signIn({ username, password: `parallel-${i}` }, 'window')),
          ),
        )
        const codes = answers.map((a) => a.code)
        expect(
          codes.filter((c) => c === 'INVALID_CREDENTIALS'),
          username,
        ).toHaveLength(threshold - 1)
        expect(
          codes.filter((c) => c === 'LOCKED'),
          username,
        ).toHaveLength(16 - (threshold - 1))
      }
      expect(f.deps.accounts.findByUsername('bob')!.failedAttempts).toBe(threshold)
      const failures = f.db.prepare("SELECT count(*) AS n FROM audit_log WHERE event = 'sign-in.failed'").get() as {
        n: number
      }
      expect(failures.n).toBe(2 * threshold)
    },
  )
})

/** fastHasher, with every check of `password` held until `release` is called. */
function gatedHasher(password: string) {
  let release!: () => void
  const gate = new Promise<void>((resolve) => (release = resolve))
  let waiting = 0
  const hasher: PasswordHasher = {
    ...fastHasher,
    verify: async (hash, typed) => {
      const right = await fastHasher.verify(hash, typed)
      if (typed === password) {
        waiting += 1
        await gate
      }
      return right
    },
  }
  return { hasher, release: () => release(), waiting: () => waiting }
}

describe('S33: decided inside the transaction', () => {
  let f: CoreFixture
  const gated = gatedHasher(goodPassword)
  beforeEach(async () => {
    f = createCoreFixture({ hasher: gated.hasher })
    await f.accounts.createFirstAdmin({ username: 'alice', password: goodPassword }, actor)
    await f.accounts.createAccount({ username: 'bob', role: 'user', password: 'bobs-own-passphrase-9' }, actor)
  })
  afterEach(() => f.close())

  it('a right password whose account locked while it was being checked answers "locked" and nothing else', async () => {
    const held = f.auth.signIn({ username: 'alice', password: goodPassword }, 'window')
    await expect.poll(() => gated.waiting()).toBe(1)
    for (let i = 0; i < threshold; i += 1)
      await refusal(f.auth.signIn({ username: 'alice', password: `no-${i}` }, 'window'))
    gated.release()
    const answer = await refusal(held)
    expect(answer.code).toBe('LOCKED')
    expect(f.deps.accounts.findByUsername('alice')).toMatchObject({ failedAttempts: threshold, lastSignInAt: null })
    expect(f.db.prepare('SELECT count(*) AS n FROM sessions').get()).toEqual({ n: 0 })
  })
})

describe('S33 with issue 15: one write transaction per password check', () => {
  let f: CoreFixture
  let transactions = 0
  beforeEach(async () => {
    f = createCoreFixture({ onTransaction: () => (transactions += 1) })
    await f.accounts.createFirstAdmin({ username: 'alice', password: goodPassword }, actor)
    transactions = 0
  })
  afterEach(() => f.close())

  it('a sign-in (right, wrong, unknown name) and a step-up each make one transaction', async () => {
    const once = async (run: () => Promise<unknown>) => {
      transactions = 0
      await run().catch(() => undefined)
      return transactions
    }
    expect(await once(() => f.auth.signIn({ username: 'alice', password: goodPassword }, 'window'))).toBe(1)
    expect(await once(() => f.auth.signIn({ username: 'alice', password: 'wrong-one-1' }, 'window'))).toBe(1)
    expect(await once(() => f.auth.signIn({ username: 'nobody', password: 'wrong-one-1' }, 'window'))).toBe(1)
    const { sessionId } = await f.auth.signIn({ username: 'alice', password: goodPassword }, 'window')
    const resolved = f.auth.resolveSession(sessionId)
    expect(await once(() => f.auth.confirmPassword(resolved, goodPassword, actor))).toBe(1)
  })

  it(
    'S3: the upgrade of an old hash lands in the same transaction, and parallel sign-ins all pass',
    {
      timeout: 60_000,
    },
    async () => {
      f.close()
      f = createCoreFixture({ hasher: strong, onTransaction: () => (transactions += 1) })
      await f.accounts.createFirstAdmin({ username: 'carol', password: goodPassword }, actor)
      const weak = createArgon2PasswordHasher({ memoryCost: 4096, timeCost: 1, parallelism: 1 })
      f.deps.accounts.setPassword(1, await weak.hash(goodPassword), f.clock.now())
      transactions = 0
      await f.auth.signIn({ username: 'carol', password: goodPassword }, 'window')
      expect(transactions).toBe(1)
      const upgraded = f.deps.accounts.findByUsername('carol')!.passwordHash
      expect(upgraded).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/)
      expect(strong.verifySync(upgraded, goodPassword)).toBe(true)

      // Back to an old hash; three sign-ins at once: one upgrades it, the others were checked against the
      // old one, see it changed in their transaction, check again and pass (never "wrong" for a right password).
      f.deps.accounts.setPassword(1, await weak.hash(goodPassword), f.clock.now())
      const results = await Promise.all(
        [1, 2, 3].map(() => f.auth.signIn({ username: 'carol', password: goodPassword }, 'window')),
      )
      expect(results.map((r) => r.resolved.session.state)).toEqual(['active', 'active', 'active'])
      const events = f.db.prepare("SELECT count(*) AS n FROM audit_log WHERE event = 'password.rehashed'").get()
      expect(events).toEqual({ n: 2 })
    },
  )
})
