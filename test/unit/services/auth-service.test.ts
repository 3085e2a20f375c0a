import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createArgon2PasswordHasher } from '../../../electron/main/adapters/crypto/argon2-password-hasher'
import { commitCount } from '../../../electron/main/adapters/sqlite/commit-counter'
import { AppError } from '../../../electron/main/domain/app-error'
import { actor, createCoreFixture, goodPassword, type CoreFixture } from '../support/core-fixture'

const minute = 60_000

async function rejection(promise: Promise<unknown> | (() => unknown)): Promise<AppError> {
  try {
    await (typeof promise === 'function' ? promise() : promise)
  } catch (error) {
    if (error instanceof AppError) return error
    throw error
  }
  throw new Error('expected a refusal')
}

describe('sign-in and sessions', () => {
  let f: CoreFixture
  beforeEach(async () => {
    f = createCoreFixture()
    await f.accounts.createFirstAdmin(
      { username: 'alice', displayName: 'Alice', email: 'alice@example.org', password: goodPassword },
      actor,
    )
  })
  afterEach(() => f.close())

  it('signs in case-insensitively and records the sign-in time', async () => {
    const { sessionId, resolved } = await f.auth.signIn({ username: 'Alice', password: goodPassword }, 'window')
    expect(sessionId).toMatch(/^[0-9a-f]{64}$/)
    expect(resolved.session.state).toBe('active')
    expect(f.auth.sessionView(resolved).account).toMatchObject({
      username: 'alice',
      role: 'admin',
      lastSignInAt: new Date(f.clock.now()).toISOString(),
    })
  })

  it('S1: accepts the password in another Unicode normal form', async () => {
    await f.accounts.createAccount({ username: 'bob', role: 'user', password: 'ﬁrefly-ocean-lamp' }, actor)
    await expect(f.auth.signIn({ username: 'bob', password: 'firefly-ocean-lamp' }, 'window')).resolves.toBeDefined()
  })

  it('gives the same answer for an unknown user and a wrong password', async () => {
    const unknown = await rejection(f.auth.signIn({ username: 'nobody', password: goodPassword }, 'window'))
    const wrong = await rejection(f.auth.signIn({ username: 'alice', password: 'wrong-password-123' }, 'window'))
    expect(unknown.code).toBe('INVALID_CREDENTIALS')
    expect(wrong.code).toBe('INVALID_CREDENTIALS')
    expect(unknown.message).toBe(wrong.message)
    expect(wrong.extra.attemptsLeft).toBe(9)
  })

  it('S13: locks after 10 consecutive failures, even with the right password, and the lock survives a restart', async () => {
    for (let i = 0; i < 9; i++) await rejection(f.auth.signIn({ username: 'alice', password: `wrong-${i}` }, 'window'))
    const tenth = await rejection(f.auth.signIn({ username: 'alice', password: 'wrong-10' }, 'window'))
    expect(tenth.code).toBe('LOCKED')
    expect(tenth.extra.lockedUntil).toBe(new Date(f.clock.now() + 15 * minute).toISOString())
    expect((await rejection(f.auth.signIn({ username: 'alice', password: goodPassword }, 'window'))).code).toBe(
      'LOCKED',
    )

    f = f.reopen()
    expect((await rejection(f.auth.signIn({ username: 'alice', password: goodPassword }, 'window'))).code).toBe(
      'LOCKED',
    )
    f.clock.advance(15 * minute + 1)
    await expect(f.auth.signIn({ username: 'alice', password: goodPassword }, 'window')).resolves.toBeDefined()
    // A success resets the counter: nine more failures do not lock.
    for (let i = 0; i < 9; i++) await rejection(f.auth.signIn({ username: 'alice', password: `wrong-${i}` }, 'window'))
    await expect(f.auth.signIn({ username: 'alice', password: goodPassword }, 'window')).resolves.toBeDefined()
  })

  it('S13: parallel wrong guesses never pass the threshold', async () => {
    const attempts = Array.from({ length: 25 }, (_, i) =>
      rejection(f.auth.signIn({ username: 'alice', password: `parallel-${i}` }, 'window')),
    )
    const codes = (await Promise.all(attempts)).map((e) => e.code)
    expect(codes.filter((c) => c === 'INVALID_CREDENTIALS')).toHaveLength(9)
    expect(codes.filter((c) => c === 'LOCKED')).toHaveLength(16)
    expect(f.deps.accounts.findByUsername('alice')?.failedAttempts).toBe(10)
  })

  it('S13: the lock doubles and, after 100 failures, only an administrator can unlock', async () => {
    const account = () => f.deps.accounts.findByUsername('alice')!
    for (let round = 0; round < 10; round++) {
      for (let i = 0; i < 10; i++)
        await rejection(f.auth.signIn({ username: 'alice', password: `w-${round}-${i}` }, 'window'))
      if (round === 1) expect(account().lockedUntil! - f.clock.now()).toBe(30 * minute)
      f.clock.advance(25 * 60 * minute)
    }
    expect(account()).toMatchObject({ failedAttempts: 100, adminLocked: true })
    const error = await rejection(f.auth.signIn({ username: 'alice', password: goodPassword }, 'window'))
    expect(error.code).toBe('LOCKED')
    expect(error.extra.lockedUntil).toBeNull()
    f.accounts.unlock('alice', actor)
    await expect(f.auth.signIn({ username: 'alice', password: goodPassword }, 'window')).resolves.toBeDefined()
  })

  it('refuses a disabled account only after the right password', async () => {
    await f.accounts.createAccount({ username: 'bob', role: 'user', password: goodPassword }, actor)
    f.accounts.setDisabled('bob', true, actor)
    expect((await rejection(f.auth.signIn({ username: 'bob', password: 'not-it-at-all-1' }, 'window'))).code).toBe(
      'INVALID_CREDENTIALS',
    )
    expect((await rejection(f.auth.signIn({ username: 'bob', password: goodPassword }, 'window'))).code).toBe(
      'ACCOUNT_DISABLED',
    )
  })

  it('S17: ends a session idle for 30 minutes, and any session after 12 hours', async () => {
    const { sessionId } = await f.auth.signIn({ username: 'alice', password: goodPassword }, 'window')
    f.clock.advance(29 * minute)
    expect(f.auth.resolveSession(sessionId).account.username).toBe('alice')
    f.clock.advance(30 * minute + 1)
    expect((await rejection(() => f.auth.resolveSession(sessionId))).code).toBe('SESSION_EXPIRED')
    // Once ended it stays ended.
    expect((await rejection(() => f.auth.resolveSession(sessionId))).code).toBe('UNAUTHENTICATED')

    const second = await f.auth.signIn({ username: 'alice', password: goodPassword }, 'window')
    // Active every 29 minutes: never idle, but 24 × 29 + 25 minutes is past 12 hours.
    for (let i = 0; i < 24; i++) {
      f.clock.advance(29 * minute)
      f.auth.resolveSession(second.sessionId)
    }
    f.clock.advance(25 * minute)
    expect((await rejection(() => f.auth.resolveSession(second.sessionId))).code).toBe('SESSION_EXPIRED')
  })

  it('S17 with issue 15: reads keep the session alive in memory without a commit; the sweep writes it', async () => {
    const { sessionId } = await f.auth.signIn({ username: 'alice', password: goodPassword }, 'window')
    const signedInAt = f.clock.now()
    const lastSeenOnDisk = () =>
      f.db.prepare<[string], number>('SELECT last_seen_at FROM sessions WHERE id = ?').pluck().get(sessionId)
    const commits = commitCount(f.db)
    // Active every 20 minutes for an hour: alive, though the file still says the sign-in time.
    for (let i = 0; i < 3; i++) {
      f.clock.advance(20 * minute)
      expect(f.auth.resolveSession(sessionId).session.lastSeenAt).toBe(f.clock.now())
    }
    expect(commitCount(f.db)).toBe(commits)
    expect(lastSeenOnDisk()).toBe(signedInAt)
    // The minute sweep writes the activity, in one commit; with nothing new it writes nothing.
    f.auth.flushActivity()
    expect(lastSeenOnDisk()).toBe(f.clock.now())
    expect(commitCount(f.db)).toBe(commits + 1)
    f.auth.flushActivity()
    expect(commitCount(f.db)).toBe(commits + 1)
    // Idle limit from the last activity held in memory, to the millisecond.
    f.clock.advance(10 * minute)
    f.auth.resolveSession(sessionId)
    f.clock.advance(30 * minute)
    expect(f.auth.resolveSession(sessionId).account.username).toBe('alice')
    f.clock.advance(30 * minute + 1)
    expect((await rejection(() => f.auth.resolveSession(sessionId))).code).toBe('SESSION_EXPIRED')
  })

  it('S17 with issue 15: a late write of activity never revives an ended session nor moves it back', async () => {
    const { sessionId } = await f.auth.signIn({ username: 'alice', password: goodPassword }, 'window')
    const signedInAt = f.clock.now()
    f.clock.advance(minute)
    f.auth.resolveSession(sessionId)
    // Another process (the CLI) ends it before the sweep runs.
    f.db.prepare('UPDATE sessions SET ended_at = ? WHERE id = ?').run(f.clock.now(), sessionId)
    const commits = commitCount(f.db)
    f.auth.flushActivity()
    expect(commitCount(f.db)).toBe(commits)
    expect((await rejection(() => f.auth.resolveSession(sessionId))).code).toBe('UNAUTHENTICATED')
    expect(
      f.db.prepare<[string], number>('SELECT last_seen_at FROM sessions WHERE id = ?').pluck().get(sessionId),
    ).toBe(signedInAt)
  })

  it('S15: step-up lasts 5 minutes after the last password check', async () => {
    const { sessionId } = await f.auth.signIn({ username: 'alice', password: goodPassword }, 'window')
    f.auth.requireStepUp(f.auth.resolveSession(sessionId))
    f.clock.advance(5 * minute + 1)
    expect((await rejection(() => f.auth.requireStepUp(f.auth.resolveSession(sessionId)))).code).toBe(
      'STEP_UP_REQUIRED',
    )
    const wrong = await rejection(() =>
      f.auth.confirmPassword(f.auth.resolveSession(sessionId), 'not-my-password-9', actor),
    )
    expect(wrong).toMatchObject({ code: 'INVALID_CREDENTIALS', message: 'Wrong password' })
    const { stepUpUntil } = await f.auth.confirmPassword(f.auth.resolveSession(sessionId), goodPassword, actor)
    expect(stepUpUntil).toBe(new Date(f.clock.now() + 5 * minute).toISOString())
    f.auth.requireStepUp(f.auth.resolveSession(sessionId))
  })

  it('S13: wrong step-up passwords count and a lock ends the session', async () => {
    const { sessionId } = await f.auth.signIn({ username: 'alice', password: goodPassword }, 'window')
    for (let i = 0; i < 9; i++)
      await rejection(() => f.auth.confirmPassword(f.auth.resolveSession(sessionId), `no-${i}`, actor))
    expect((await rejection(() => f.auth.confirmPassword(f.auth.resolveSession(sessionId), 'no-10', actor))).code).toBe(
      'LOCKED',
    )
    expect((await rejection(() => f.auth.resolveSession(sessionId))).code).toBe('UNAUTHENTICATED')
  })

  it('a password change ends the other sessions of the account but keeps the current one', async () => {
    const first = await f.auth.signIn({ username: 'alice', password: goodPassword }, 'window')
    const second = await f.auth.signIn({ username: 'alice', password: goodPassword }, 'preview')
    const resolved = f.auth.resolveSession(second.sessionId)
    await f.accounts.changeOwnPassword(resolved.account, 'a-brand-new-passphrase', actor, second.sessionId)
    expect((await rejection(() => f.auth.resolveSession(first.sessionId))).code).toBe('UNAUTHENTICATED')
    expect(f.auth.resolveSession(second.sessionId).account.username).toBe('alice')
    expect((await rejection(f.auth.signIn({ username: 'alice', password: goodPassword }, 'window'))).code).toBe(
      'INVALID_CREDENTIALS',
    )
    await expect(
      f.auth.signIn({ username: 'alice', password: 'a-brand-new-passphrase' }, 'window'),
    ).resolves.toBeDefined()
  })

  it('S3: upgrades a hash made with older parameters at the next sign-in', async () => {
    const strong = createArgon2PasswordHasher()
    const old = f.deps.accounts.findByUsername('alice')!.passwordHash
    expect(old).toMatch(/^\$argon2id\$v=19\$m=1024,t=1,p=1\$/)
    f.close()
    const upgraded = createCoreFixture({ hasher: strong })
    try {
      await upgraded.accounts.createFirstAdmin({ username: 'carol', password: goodPassword }, actor)
      // Make carol's hash an old-parameter one, as if written by an older Keyhold.
      const weak = createArgon2PasswordHasher({ memoryCost: 4096, timeCost: 1, parallelism: 1 })
      upgraded.deps.accounts.setPassword(1, await weak.hash(goodPassword), upgraded.clock.now())
      await upgraded.auth.signIn({ username: 'carol', password: goodPassword }, 'window')
      const hash = upgraded.deps.accounts.findByUsername('carol')!.passwordHash
      expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/)
      expect(strong.verifySync(hash, goodPassword)).toBe(true)
    } finally {
      upgraded.close()
    }
  })

  it('first-run setup happens once', async () => {
    const error = await rejection(f.accounts.createFirstAdmin({ username: 'mallory', password: goodPassword }, actor))
    expect(error.code).toBe('SETUP_DONE')
    expect(f.deps.accounts.count()).toBe(1)
  })

  it('protects the last enabled administrator', async () => {
    expect((await rejection(() => f.accounts.setDisabled('alice', true, actor))).code).toBe('LAST_ADMIN')
    expect((await rejection(() => f.accounts.deleteAccount('alice', actor))).code).toBe('LAST_ADMIN')
    await f.accounts.createAccount({ username: 'root2', role: 'admin', password: goodPassword }, actor)
    f.accounts.setDisabled('alice', true, actor)
    expect(f.accounts.getAccount('alice').disabled).toBe(true)
  })

  it('refuses a bad phone number with a specific message and stores E.164', async () => {
    const error = await rejection(
      f.accounts.createAccount({ username: 'dave', role: 'user', phone: '12', password: goodPassword }, actor),
    )
    expect(error.code).toBe('VALIDATION')
    expect(error.extra.fields?.[0]?.field).toBe('phone')
    const created = await f.accounts.createAccount(
      { username: 'erin', role: 'user', phone: '+44 20 7946 0958', password: goodPassword },
      actor,
    )
    expect(created.phone).toBe('+442079460958')
    expect(f.deps.accounts.findByUsername('dave')).toBeNull()
  })

  it('S22: every change lands in a verifiable audit chain', async () => {
    await f.auth.signIn({ username: 'alice', password: goodPassword }, 'window')
    await rejection(f.auth.signIn({ username: 'alice', password: 'wrong-password-1' }, 'window'))
    const events = f.db.prepare('SELECT actor, event FROM audit_log ORDER BY id').all()
    expect(events).toEqual([
      { actor, event: 'setup.first-admin' },
      { actor: 'window:alice', event: 'sign-in.succeeded' },
      { actor: 'window:alice', event: 'sign-in.failed' },
    ])
    expect(f.audit.verify()).toEqual({ ok: true, rows: 3, problem: null })
  })
})
