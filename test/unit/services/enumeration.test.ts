import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createSqliteUnknownNameRepo } from '../../../electron/main/adapters/sqlite/sqlite-unknown-name-repo'
import { defaultPolicy } from '../../../electron/main/domain/policy'
import type { PasswordHasher } from '../../../electron/main/services/ports'
import { actor, createCoreFixture, fastHasher, goodPassword, type CoreFixture } from '../support/core-fixture'
import { refusal } from '../support/mfa-helpers'

/**
 * S26: sign-in and setup-code answers never tell an unknown username from a known one: the same
 * error code, fields and message, one hash check each (a decoy for unknown names), and the same lock.
 */
const minute = 60_000
const threshold = defaultPolicy.lockoutThreshold
/** In the setup codes' format (24 Base32 characters), and not the code of anyone here. */
const wrongCode = 'AAAA-AAAA-AAAA-AAAA-AAAA-AAAA'

/** The real hasher, counting its checks: "comparable time" is one Argon2id check on every path. */
function countingHasher() {
  const calls = { verify: 0, decoy: 0, hash: 0 }
  const hasher: PasswordHasher = {
    hash: (password) => {
      calls.hash += 1
      return fastHasher.hash(password)
    },
    verify: (hash, password) => {
      calls.verify += 1
      return fastHasher.verify(hash, password)
    },
    verifyDecoy: (password) => {
      calls.decoy += 1
      return fastHasher.verifyDecoy(password)
    },
    needsRehash: (hash) => fastHasher.needsRehash(hash),
  }
  return {
    hasher,
    /** Hash checks (real or decoy) since the last call. */
    checks() {
      const n = calls.verify + calls.decoy
      calls.verify = 0
      calls.decoy = 0
      return n
    },
  }
}

describe('S26: sign-in does not tell unknown names from known ones', () => {
  let f: CoreFixture
  let counting: ReturnType<typeof countingHasher>
  beforeEach(async () => {
    counting = countingHasher()
    f = createCoreFixture({ hasher: counting.hasher })
    await f.accounts.createFirstAdmin({ username: 'alice', password: goodPassword }, actor)
    await f.accounts.createAccount({ username: 'bob', role: 'user', password: goodPassword }, actor)
    counting.checks()
  })
  afterEach(() => f.close())

  const signIn = (username: string, password: string) => refusal(f.auth.signIn({ username, password }, 'window'))

  it('answers a wrong password and an unknown name alike: code, message, fields, one hash check each', async () => {
    const wrong = await signIn('alice', 'not-the-password-1')
    expect(counting.checks()).toBe(1)
    const unknown = await signIn('nobody', 'not-the-password-1')
    expect(counting.checks()).toBe(1)
    expect(wrong).toEqual({
      code: 'INVALID_CREDENTIALS',
      message: 'Wrong username or password',
      extra: { attemptsLeft: threshold - 1 },
    })
    expect(unknown).toEqual(wrong)
  })

  it('an unknown name "locks" after as many tries as an account, with the same lock answer, across a restart', async () => {
    const answers = async (username: string) => {
      const all = []
      for (let i = 0; i < threshold; i += 1) all.push(await signIn(username, `wrong-guess-${i}`))
      return all
    }
    // Differently cased, as a user would type it: one name, one counter, like accounts (case-insensitive).
    const known = await answers('bob')
    const unknown = await answers('Nobody')
    expect(unknown).toEqual(known)
    expect(unknown.at(-1)).toEqual({
      code: 'LOCKED',
      message: `This account is locked until ${new Date(f.clock.now() + 15 * minute).toISOString()} after too many failed attempts`,
      extra: { lockedUntil: new Date(f.clock.now() + 15 * minute).toISOString() },
    })
    // Locked says "locked" whatever was typed, the right password included, and spends no hash.
    counting.checks()
    const lockedRight = await signIn('bob', goodPassword)
    const lockedWrong = await signIn('bob', 'still-not-it-1')
    const lockedUnknown = await signIn('nobody', 'still-not-it-1')
    expect(lockedRight.code).toBe('LOCKED')
    expect(lockedWrong).toEqual(lockedRight)
    expect(lockedUnknown).toEqual(lockedRight)
    expect(counting.checks()).toBe(0)

    // Kept in the database, like an account's lock: a restart (or another `keyhold auth` process) sees it.
    f = f.reopen()
    expect(await signIn('nobody', 'after-restart-1')).toEqual(await signIn('bob', 'after-restart-1'))
    expect((await signIn('NOBODY', 'after-restart-2')).code).toBe('LOCKED')

    // When the lock ends both start the next round alike, and the next lock doubles for both.
    f.clock.advance(15 * minute + 1)
    expect(await signIn('nobody', 'next-round-1')).toEqual(await signIn('bob', 'next-round-1'))
    expect((await signIn('nobody', 'next-round-1')).extra).toEqual({ attemptsLeft: threshold - 2 })
  })

  it('never stores the typed name, only a keyed hash of it', async () => {
    await signIn('mallory-typed-her-password', 'x-wrong-password-1')
    await refusal(
      f.services.setupCodes.redeem('mallory-typed-her-password', wrongCode, 'sunlit-meadow-violin-7', 'window'),
    )
    const rows = f.db.prepare('SELECT * FROM unknown_name_failures').all() as Record<string, unknown>[]
    expect(rows).toHaveLength(1)
    expect(JSON.stringify(rows)).not.toContain('mallory')
    const audit = JSON.stringify(f.db.prepare('SELECT actor, detail FROM audit_log').all())
    expect(audit).not.toContain('mallory')
  })

  it('an account waiting for its setup code answers a password like any other account', async () => {
    await f.services.admin.resetPassword('bob', actor)
    counting.checks()
    const pending = await signIn('bob', goodPassword)
    expect(counting.checks()).toBe(1)
    expect(pending).toEqual(await signIn('nobody-at-all', goodPassword))
  })
})

describe('S26: setup-code redemption does not tell unknown names from known ones', () => {
  let f: CoreFixture
  let counting: ReturnType<typeof countingHasher>
  let carolCode: string
  beforeEach(async () => {
    counting = countingHasher()
    f = createCoreFixture({ hasher: counting.hasher })
    await f.accounts.createFirstAdmin({ username: 'alice', email: 'alice@example.org', password: goodPassword }, actor)
    carolCode = (await f.services.admin.create({ username: 'carol', role: 'user' }, actor)).setupCode.setupCode
    await f.services.admin.create({ username: 'dave', role: 'user' }, actor)
    counting.checks()
  })
  afterEach(() => f.close())

  const redeem = (username: string, code: string, newPassword = 'sunlit-meadow-violin-7') =>
    refusal(f.services.setupCodes.redeem(username, code, newPassword, 'window'))

  it('an unknown name, an account without a code, an expired code and a wrong code answer alike, one check each', async () => {
    // One keyed-hash check of the code on every path: the stored code's, or a decoy's in the same format.
    const codeChecks = vi.spyOn(f.deps.setupCodeHasher, 'matches')
    const checks = () => {
      const n = codeChecks.mock.calls.length + counting.checks()
      codeChecks.mockClear()
      return n
    }
    const expected = {
      code: 'INVALID_CODE',
      message: 'This setup code is not right or has expired; ask an administrator for a new one',
      extra: { attemptsLeft: threshold - 1 },
    }
    expect(await redeem('nobody', wrongCode)).toEqual(expected)
    expect(checks()).toBe(1)
    expect(await redeem('alice', wrongCode)).toEqual(expected)
    expect(checks()).toBe(1)
    expect(await redeem('carol', wrongCode)).toEqual(expected)
    expect(checks()).toBe(1)
    // Not even in the code's format: the same answer, and the same (no) check, known name or not.
    expect(await redeem('someone-else', 'not a code')).toEqual(expected)
    const unknownChecks = checks()
    expect(await redeem('carol', 'not a code')).toEqual({ ...expected, extra: { attemptsLeft: threshold - 2 } })
    expect(checks()).toBe(unknownChecks)
    f.clock.advance(7 * 24 * 60 * minute)
    expect(await redeem('dave', wrongCode)).toEqual(expected)
    expect(checks()).toBe(1)
  })

  it('one counter per name across sign-in and setup codes; an unknown name locks like carol does', async () => {
    for (let i = 0; i < threshold - 1; i += 1) {
      const name = i % 2 === 0 ? 'nobody' : 'NoBody'
      const password = `wrong-guess-${i}`
      // Half the tries as wrong passwords, half as wrong setup codes, for both names.
      if (i < 5) {
        expect(await signIn(name, password)).toEqual(await signIn('carol', password))
      } else {
        expect(await redeem(name, wrongCode)).toEqual(await redeem('carol', wrongCode))
      }
    }
    const lockedUnknown = await redeem('nobody', wrongCode)
    const lockedCarol = await redeem('carol', wrongCode)
    expect(lockedCarol.code).toBe('LOCKED')
    expect(lockedUnknown).toEqual(lockedCarol)
    // Locked: even the right code is answered "locked", and nothing is checked.
    const codeChecks = vi.spyOn(f.deps.setupCodeHasher, 'matches')
    expect(await redeem('carol', carolCode)).toEqual(lockedCarol)
    expect(codeChecks).not.toHaveBeenCalled()
  })

  function signIn(username: string, password: string) {
    return refusal(f.auth.signIn({ username, password }, 'window'))
  }

  it('a weak password is refused before anything is counted, and the right code then works', async () => {
    expect((await redeem('nobody', wrongCode, 'password')).code).toBe('WEAK_PASSWORD')
    expect((await redeem('carol', wrongCode, 'password')).code).toBe('WEAK_PASSWORD')
    expect(counting.checks()).toBe(0)
    expect(f.deps.accounts.findByUsername('carol')!.failedAttempts).toBe(0)
    await f.services.setupCodes.redeem('carol', carolCode, 'sunlit-meadow-violin-7', 'window')
    expect(f.services.admin.get('carol').setupCodePending).toBe(false)
  })
})

describe('S26: the record of unknown names is bounded', () => {
  it('forgets the names tried least recently past its limit', () => {
    const f = createCoreFixture()
    try {
      const repo = createSqliteUnknownNameRepo(f.db, 3)
      const state = { failedAttempts: 1, lockedUntil: null, adminLocked: false }
      for (const [i, key] of ['a', 'b', 'c', 'd'].entries()) repo.record(key, state, 1000 + i)
      repo.record('b', { ...state, failedAttempts: 2 }, 2000)
      repo.record('e', state, 3000)
      expect(repo.find('a')).toBeNull()
      expect(repo.find('c')).toBeNull()
      expect(repo.find('b')).toEqual({ ...state, failedAttempts: 2 })
      expect(['d', 'e'].map((k) => repo.find(k))).toEqual([state, state])
    } finally {
      f.close()
    }
  })
})
