import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createHandlers } from '../../../electron/main/ipc/handlers'
import { createRouter } from '../../../electron/main/ipc/router'
import { actor, createCoreFixture, goodPassword, type CoreFixture } from '../support/core-fixture'
import { account, codeFor, enrollEmail, enrollSms, enrollTotp, refusal } from '../support/mfa-helpers'

const minute = 60_000
const win = (n: number) => ({ clientKey: `window:${n}`, transport: 'window' as const })

describe('the sign-in challenge', () => {
  let f: CoreFixture
  let router: ReturnType<typeof createRouter>
  beforeEach(async () => {
    f = createCoreFixture()
    router = createRouter({ handlers: createHandlers({ services: f.services }), sessions: f.auth })
    await f.accounts.createFirstAdmin({ username: 'alice', email: 'alice@example.org', password: goodPassword }, actor)
    await f.accounts.createAccount({ username: 'bob', role: 'user', password: goodPassword }, actor)
  })
  afterEach(() => f.close())

  const signIn = (n = 1, username = 'alice') =>
    router.dispatch('auth:sign-in', { username, password: goodPassword }, win(n))

  it('S14: with a method, the password only opens a challenge, and every other channel is FORBIDDEN', async () => {
    const { method } = await enrollTotp(f, 'alice')
    const result = await signIn()
    expect(result).toMatchObject({
      ok: true,
      value: {
        status: 'mfa-required',
        challenge: { preferredMethodId: method.id, recoveryCodesAvailable: true, attemptsLeft: 5 },
      },
    })
    for (const [channel, input] of [
      ['account:get-me', {}],
      ['mfa:list', {}],
      ['account:change-password', { newPassword: 'x'.repeat(20) }],
      ['auth:confirm-password', { password: goodPassword }],
      ['mfa:begin-enrollment', { type: 'totp' }],
      ['settings:get', {}],
    ] as const) {
      expect(await router.dispatch(channel, input, win(1))).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
    }
    // App state does not report a half-signed-in session as signed in.
    expect(await router.dispatch('app:get-state', {}, win(1))).toMatchObject({ ok: true, value: { session: null } })
    // Cancel ends it.
    expect(await router.dispatch('auth:sign-out', {}, win(1))).toEqual({ ok: true, value: {} })
    expect(await router.dispatch('auth:get-challenge', {}, win(1))).toMatchObject({
      ok: false,
      error: { code: 'UNAUTHENTICATED' },
    })
  })

  it('S7: a TOTP code signs in once; the same code, or with spaces, is refused after', async () => {
    const { method, view } = await enrollTotp(f, 'alice')
    await signIn(1)
    const code = codeFor(view, f.clock.now())
    expect(await router.dispatch('auth:verify-code', { methodId: method.id, code }, win(1))).toMatchObject({
      ok: true,
      value: { status: 'signed-in' },
    })
    expect(await router.dispatch('account:get-me', {}, win(1))).toMatchObject({ ok: true })
    await signIn(2)
    const spaced = `${code.slice(0, 3)} ${code.slice(3)}`
    expect(await router.dispatch('auth:verify-code', { methodId: method.id, code: spaced }, win(2))).toMatchObject({
      ok: false,
      error: { code: 'CODE_REUSED' },
    })
    const dashed = `${code.slice(0, 3)}-${code.slice(3)}`
    expect(await router.dispatch('auth:verify-code', { methodId: method.id, code: dashed }, win(2))).toMatchObject({
      ok: false,
    })
    // The next step's code works, typed with a space.
    f.clock.advance(30_000)
    const next = codeFor(view, f.clock.now())
    expect(
      await router.dispatch(
        'auth:verify-code',
        { methodId: method.id, code: `${next.slice(0, 3)} ${next.slice(3)}` },
        win(2),
      ),
    ).toMatchObject({
      ok: true,
    })
  })

  it('S7, S13: a replayed TOTP code is named CODE_REUSED, not wrong, and still counts as a failure', async () => {
    const { method, view } = await enrollTotp(f, 'alice')
    await signIn(1)
    const code = codeFor(view, f.clock.now())
    expect(await router.dispatch('auth:verify-code', { methodId: method.id, code }, win(1))).toMatchObject({ ok: true })
    await signIn(2)
    const failuresBefore = account(f, 'alice').failedAttempts
    const replay = await router.dispatch('auth:verify-code', { methodId: method.id, code }, win(2))
    expect(replay).toMatchObject({
      ok: false,
      error: { code: 'CODE_REUSED', message: 'This code was just used. Wait for the next one.', attemptsLeft: 4 },
    })
    expect(account(f, 'alice').failedAttempts).toBe(failuresBefore + 1)
    // An earlier step (the one before the accepted one, still inside the drift window) is a replay too.
    const earlier = codeFor(view, f.clock.now() - 30_000)
    expect(await router.dispatch('auth:verify-code', { methodId: method.id, code: earlier }, win(2))).toMatchObject({
      ok: false,
      error: { code: 'CODE_REUSED', attemptsLeft: 3 },
    })
    // A code that is simply wrong is still called wrong.
    const wrong = code === '000000' ? '111111' : '000000'
    expect(await router.dispatch('auth:verify-code', { methodId: method.id, code: wrong }, win(2))).toMatchObject({
      ok: false,
      error: { code: 'INVALID_CODE', attemptsLeft: 2 },
    })
    const events = f.db
      .prepare("SELECT json_extract(detail, '$.factor') AS factor FROM audit_log WHERE event = 'sign-in.factor-failed'")
      .all()
    expect(events).toHaveLength(3)
  })

  it('S7: parallel submissions of one code: exactly one passes', async () => {
    const { method, view } = await enrollTotp(f, 'alice')
    for (let n = 1; n <= 8; n++) await signIn(n)
    const code = codeFor(view, f.clock.now())
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        router.dispatch('auth:verify-code', { methodId: method.id, code }, win(i + 1)),
      ),
    )
    expect(results.filter((r) => r.ok)).toHaveLength(1)
  })

  it('S8: email sign-in codes are bound to the challenge and the method, replaced on resend, and expire', async () => {
    const { method } = await enrollEmail(f, 'alice', 'me@example.org')
    await signIn(1)
    await signIn(2)
    expect(await router.dispatch('auth:send-code', { methodId: method.id }, win(1))).toMatchObject({
      ok: true,
      value: { sentTo: 'm•@example.org' },
    })
    const code1 = f.senders.lastCode('me@example.org')
    // Another challenge of the same account cannot use it.
    await router.dispatch('auth:send-code', { methodId: method.id }, win(2))
    const code2 = f.senders.lastCode('me@example.org')
    if (code1 !== code2) {
      expect(await router.dispatch('auth:verify-code', { methodId: method.id, code: code1 }, win(2))).toMatchObject({
        ok: false,
        error: { code: 'INVALID_CODE' },
      })
    }
    // A resend (after the cooldown) kills the old code.
    f.clock.advance(minute)
    await router.dispatch('auth:send-code', { methodId: method.id }, win(1))
    const code3 = f.senders.lastCode('me@example.org')
    if (code3 !== code1) {
      expect(await router.dispatch('auth:verify-code', { methodId: method.id, code: code1 }, win(1))).toMatchObject({
        ok: false,
        error: { code: 'INVALID_CODE' },
      })
    }
    // Older than its lifetime: refused.
    f.clock.advance(5 * minute)
    expect(await router.dispatch('auth:verify-code', { methodId: method.id, code: code3 }, win(1))).toMatchObject({
      ok: false,
      error: { code: 'EXPIRED' },
    })
  })

  it('signs in with an SMS code sent on request', async () => {
    const { method } = await enrollSms(f, 'alice', '+44 20 7946 0958', '+442079460958')
    await signIn()
    await router.dispatch('auth:send-code', { methodId: method.id }, win(1))
    const code = f.senders.lastCode('+442079460958')
    expect(await router.dispatch('auth:verify-code', { methodId: method.id, code }, win(1))).toMatchObject({ ok: true })
  })

  it('S11, S12: a recovery code works once, in any case and grouping, and the owner is told', async () => {
    const { recoveryCodes } = await enrollEmail(f, 'alice', 'me@example.org')
    const code = recoveryCodes![0]!
    await signIn(1)
    const sloppy = code.toLowerCase().replace(/-/g, ' ')
    const first = await router.dispatch('auth:use-recovery-code', { code: sloppy }, win(1))
    expect(first).toMatchObject({
      ok: true,
      value: { status: 'signed-in', recoveryCodesRemaining: 9, recoveryCodesLow: false },
    })
    const notices = f.senders.email.sent.filter((m) => /recovery code was used/.test(m.text))
    expect(notices.map((m) => m.to).sort()).toEqual(['alice@example.org', 'me@example.org'])
    await signIn(2)
    expect(await router.dispatch('auth:use-recovery-code', { code }, win(2))).toMatchObject({
      ok: false,
      error: { code: 'INVALID_CODE' },
    })
  })

  it("S12: another account's recovery code is refused", async () => {
    const alices = await enrollTotp(f, 'alice')
    await enrollTotp(f, 'bob')
    await signIn(1, 'bob')
    expect(await router.dispatch('auth:use-recovery-code', { code: alices.recoveryCodes![0]! }, win(1))).toMatchObject({
      ok: false,
      error: { code: 'INVALID_CODE' },
    })
  })

  it('S12: warns when 3 or fewer recovery codes remain', async () => {
    const { recoveryCodes } = await enrollTotp(f, 'alice')
    let last
    for (let i = 0; i < 7; i++) {
      await signIn(i + 1)
      last = await router.dispatch('auth:use-recovery-code', { code: recoveryCodes![i]! }, win(i + 1))
    }
    expect(last).toMatchObject({ ok: true, value: { recoveryCodesRemaining: 3, recoveryCodesLow: true } })
    expect(await router.dispatch('mfa:list', {}, win(7))).toMatchObject({
      ok: true,
      value: { recoveryCodesRemaining: 3, recoveryCodesLow: true },
    })
  })

  it('S13: five wrong entries end the challenge; the account counter is shared with the password', async () => {
    const { method, view } = await enrollTotp(f, 'alice')
    await router.dispatch('auth:sign-in', { username: 'alice', password: 'wrong-password-1' }, win(1))
    await signIn(1)
    // With MFA a right password does not reset the counter: codes add to the one wrong password.
    const lefts: unknown[] = []
    for (let i = 0; i < 4; i++) {
      const r = await router.dispatch('auth:verify-code', { methodId: method.id, code: '000000' }, win(1))
      lefts.push(r.ok ? null : r.error.attemptsLeft)
    }
    expect(lefts).toEqual([4, 3, 2, 1])
    expect(await router.dispatch('auth:use-recovery-code', { code: 'AAAA-AAAA-AAAA-AAAA' }, win(1))).toMatchObject({
      ok: false,
      error: { code: 'SESSION_EXPIRED' },
    })
    // Even the right code is too late for this challenge.
    expect(
      await router.dispatch('auth:verify-code', { methodId: method.id, code: codeFor(view, f.clock.now()) }, win(1)),
    ).toMatchObject({
      ok: false,
      error: { code: 'UNAUTHENTICATED' },
    })
    expect(account(f, 'alice').failedAttempts).toBe(6)
  })

  it('S13: a new code does not reset the counter; ten failures across factors lock the account', async () => {
    const { method } = await enrollEmail(f, 'alice', 'me@example.org')
    for (let round = 0; round < 2; round++) {
      await signIn(round + 1)
      await router.dispatch('auth:send-code', { methodId: method.id }, win(round + 1))
      for (let i = 0; i < 4; i++)
        await router.dispatch('auth:verify-code', { methodId: method.id, code: '999999' }, win(round + 1))
      f.clock.advance(minute)
    }
    await router.dispatch('auth:sign-in', { username: 'alice', password: 'wrong-once-more' }, win(9))
    expect(account(f, 'alice').failedAttempts).toBe(9)
    const last = await router.dispatch('auth:sign-in', { username: 'alice', password: 'wrong-twice-more' }, win(9))
    expect(last).toMatchObject({ ok: false, error: { code: 'LOCKED' } })
    expect(await signIn(10)).toMatchObject({ ok: false, error: { code: 'LOCKED' } })
  })

  it('S13: parallel wrong codes never pass the lock threshold', async () => {
    const { method } = await enrollTotp(f, 'alice')
    for (let n = 1; n <= 4; n++) await signIn(n)
    const guesses = Array.from({ length: 20 }, (_, i) =>
      router.dispatch('auth:verify-code', { methodId: method.id, code: String(100000 + i) }, win((i % 4) + 1)),
    )
    await Promise.all(guesses)
    expect(account(f, 'alice').failedAttempts).toBeLessThanOrEqual(10)
    expect(account(f, 'alice').failedAttempts).toBeGreaterThanOrEqual(10)
  })

  it('the challenge lists the preferred method first, masked, and other methods after', async () => {
    await enrollEmail(f, 'alice', 'someone@example.org')
    const { method: totp } = await enrollTotp(f, 'alice')
    await router.dispatch('auth:sign-in', { username: 'alice', password: goodPassword }, win(1))
    // Preferred is the first one enabled (email); make the authenticator preferred in a full session.
    const r = await signIn(1)
    if (!r.ok || r.value.status !== 'mfa-required') throw new Error('expected a challenge')
    expect(r.value.challenge.methods.map((m) => m.type)).toEqual(['email', 'totp'])
    expect(r.value.challenge.methods[0]!.destination).toBe('s•••••e@example.org')
    await f.services.methods.setPreferred(account(f, 'alice'), totp.id, actor)
    const again = await signIn(2)
    if (!again.ok || again.value.status !== 'mfa-required') throw new Error('expected a challenge')
    expect(again.value.challenge.methods.map((m) => m.type)).toEqual(['totp', 'email'])
  })

  it('a pending challenge expires after 10 minutes', async () => {
    await enrollTotp(f, 'alice')
    await signIn(1)
    f.clock.advance(10 * minute + 1)
    expect(await router.dispatch('auth:get-challenge', {}, win(1))).toMatchObject({
      ok: false,
      error: { code: 'SESSION_EXPIRED' },
    })
  })

  it('refuses a method of another account', async () => {
    await enrollTotp(f, 'alice')
    const { method: bobs } = await enrollTotp(f, 'bob')
    await signIn(1)
    expect(
      (
        await refusal(async () => {
          const r = await router.dispatch('auth:verify-code', { methodId: bobs.id, code: '123456' }, win(1))
          if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code })
        })
      ).code,
    ).toBe('NOT_FOUND')
  })
})
