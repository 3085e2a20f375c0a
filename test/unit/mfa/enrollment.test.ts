import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AppError } from '../../../electron/main/domain/app-error'
import { actor, createCoreFixture, goodPassword, type CoreFixture } from '../support/core-fixture'
import { account, codeFor, enrollTotp, refusal, secretBytes } from '../support/mfa-helpers'

const minute = 60_000

describe('enrollment', () => {
  let f: CoreFixture
  beforeEach(async () => {
    f = createCoreFixture()
    await f.accounts.createFirstAdmin({ username: 'alice', email: 'alice@example.org', password: goodPassword }, actor)
  })
  afterEach(() => f.close())
  const alice = () => account(f, 'alice')
  const methodCount = () => f.deps.methods.countActive(alice().id)

  it('S5: an authenticator secret has 20/32/64 random bytes for SHA1/SHA256/SHA512, and the URI names the site', async () => {
    f.services.site.setSiteName('Acme Plant', actor)
    for (const [algorithm, length] of [
      ['sha1', 20],
      ['sha256', 32],
      ['sha512', 64],
    ] as const) {
      const view = await f.services.enrollment.begin(alice(), { type: 'totp', algorithm }, actor)
      expect(secretBytes(view)).toHaveLength(length)
      expect(view.totp!.otpauthUri).toMatch(/^otpauth:\/\/totp\/Acme%20Plant:alice\?/)
      expect(view.totp!.qrDataUrl).toMatch(/^data:image\/png;base64,/)
    }
  })

  it('S11, S18: TOTP setup: verify returns ten recovery codes once; nothing is usable before Enable', async () => {
    const view = await f.services.enrollment.begin(alice(), { type: 'totp', label: 'Phone' }, actor)
    expect(methodCount()).toBe(0)
    const verified = await f.services.enrollment.verify(alice(), view.enrollmentId, codeFor(view, f.clock.now()), actor)
    expect(verified.recoveryCodes).toHaveLength(10)
    for (const code of verified.recoveryCodes!) expect(code).toMatch(/^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$/)
    expect(new Set(verified.recoveryCodes).size).toBe(10)
    // S18: verified but not enabled: no method, no valid recovery code, MFA still off.
    expect(methodCount()).toBe(0)
    expect(f.services.recovery.remaining(alice().id).remaining).toBe(0)
    expect(f.deps.mfa.hasActiveMethod(alice().id)).toBe(false)
    // S11: stored only as Argon2id hashes.
    const stored = f.db.prepare('SELECT code_hash FROM recovery_codes').all() as { code_hash: string }[]
    expect(stored).toHaveLength(10)
    for (const row of stored) expect(row.code_hash).toMatch(/^\$argon2id\$/)
    const dump = JSON.stringify(f.db.prepare('SELECT * FROM recovery_codes').all())
    for (const code of verified.recoveryCodes!) expect(dump).not.toContain(code.replace(/-/g, ''))

    expect((await refusal(f.services.enrollment.enable(alice(), view.enrollmentId, false, actor))).code).toBe(
      'VALIDATION',
    )
    const method = await f.services.enrollment.enable(alice(), view.enrollmentId, true, actor)
    expect(method).toMatchObject({ type: 'totp', label: 'Phone', preferred: true, destination: null, weaker: false })
    expect(f.services.recovery.remaining(alice().id).remaining).toBe(10)
    // A second method gets no new codes.
    const second = await f.services.enrollment.begin(alice(), { type: 'totp' }, actor)
    f.clock.advance(30_000)
    expect(
      (await f.services.enrollment.verify(alice(), second.enrollmentId, codeFor(second, f.clock.now()), actor))
        .recoveryCodes,
    ).toBeNull()
  })

  it('S20: the TOTP secret is stored encrypted', async () => {
    const { view } = await enrollTotp(f, 'alice')
    const row = f.db.prepare('SELECT secret_enc FROM mfa_methods').get() as { secret_enc: string }
    expect(row.secret_enc).toMatch(/^v1\./)
    const bytes = Buffer.from(JSON.stringify(f.db.prepare('SELECT * FROM mfa_methods').all()))
    expect(bytes.includes(Buffer.from(view.totp!.secret))).toBe(false)
    expect(bytes.includes(Buffer.from(Buffer.from(secretBytes(view)).toString('base64')))).toBe(false)
  })

  it('S18: an abandoned enrollment expires after 10 minutes and leaves nothing but audit rows', async () => {
    const view = await f.services.enrollment.begin(alice(), { type: 'email', email: 'me@example.org' }, actor)
    const code = f.senders.lastCode('me@example.org')
    const tables = ['mfa_enrollments', 'otp_codes', 'recovery_codes', 'mfa_methods']
    f.clock.advance(10 * minute)
    expect(f.services.enrollment.purgeExpired()).toBe(1)
    for (const table of tables) expect(f.db.prepare(`SELECT count(*) AS n FROM ${table}`).get()).toEqual({ n: 0 })
    expect((await refusal(f.services.enrollment.verify(alice(), view.enrollmentId, code, actor))).code).toBe(
      'NOT_FOUND',
    )
    const events = (f.db.prepare('SELECT event FROM audit_log').all() as { event: string }[]).map((r) => r.event)
    expect(events).toEqual(expect.arrayContaining(['mfa.enrollment-started', 'code.sent', 'mfa.enrollment-expired']))
  })

  it('S18: a verified but not enabled enrollment expires with its recovery codes', async () => {
    const view = await f.services.enrollment.begin(alice(), { type: 'totp' }, actor)
    await f.services.enrollment.verify(alice(), view.enrollmentId, codeFor(view, f.clock.now()), actor)
    f.clock.advance(11 * minute)
    expect((await refusal(f.services.enrollment.enable(alice(), view.enrollmentId, true, actor))).code).toBe('EXPIRED')
    expect(f.db.prepare('SELECT count(*) AS n FROM recovery_codes').get()).toEqual({ n: 0 })
    expect(methodCount()).toBe(0)
  })

  it('S8: email code: six digits, single use, bound to this enrollment, dead after 5 minutes', async () => {
    const first = await f.services.enrollment.begin(alice(), { type: 'email', email: 'me@example.org' }, actor)
    expect(first.code).toMatchObject({ sentTo: 'm•@example.org' })
    const code = f.senders.lastCode('me@example.org')
    expect(code).toMatch(/^\d{6}$/)
    const other = await f.services.enrollment.begin(alice(), { type: 'email', email: 'other@example.org' }, actor)
    // The code of one enrollment does not open another.
    expect((await refusal(f.services.enrollment.verify(alice(), other.enrollmentId, code, actor))).code).toBe(
      'INVALID_CODE',
    )
    f.clock.advance(5 * minute)
    expect((await refusal(f.services.enrollment.verify(alice(), first.enrollmentId, code, actor))).code).toBe('EXPIRED')
  })

  it('S8: a resend kills the old code; S10: cooldown of 60 seconds', async () => {
    const view = await f.services.enrollment.begin(alice(), { type: 'sms', phone: '+1 415 555 2671' }, actor)
    expect(view.code?.sentTo).toBe('+1 •••••••671')
    const old = f.senders.lastCode('+14155552671')
    const early = await refusal(f.services.enrollment.resend(alice(), view.enrollmentId, actor))
    expect(early.code).toBe('RATE_LIMITED')
    expect(early.extra.retryAt).toBe(new Date(f.clock.now() + minute).toISOString())
    f.clock.advance(minute)
    await f.services.enrollment.resend(alice(), view.enrollmentId, actor)
    const fresh = f.senders.lastCode('+14155552671')
    if (fresh !== old) {
      expect((await refusal(f.services.enrollment.verify(alice(), view.enrollmentId, old, actor))).code).toBe(
        'INVALID_CODE',
      )
    }
    const verified = await f.services.enrollment.verify(
      alice(),
      view.enrollmentId,
      ` ${fresh.slice(0, 3)} ${fresh.slice(3)} `,
      actor,
    )
    expect(verified.recoveryCodes).toHaveLength(10)
  })

  it('S10: at most 5 codes per destination per hour', async () => {
    for (let i = 0; i < 5; i++) {
      const view = await f.services.enrollment.begin(alice(), { type: 'email', email: 'busy@example.org' }, actor)
      f.services.enrollment.cancel(alice(), view.enrollmentId, actor)
      f.clock.advance(minute)
    }
    const sixth = await refusal(
      f.services.enrollment.begin(alice(), { type: 'email', email: 'busy@example.org' }, actor),
    )
    expect(sixth.code).toBe('RATE_LIMITED')
    // A failed setup leaves no enrollment behind.
    expect(f.db.prepare('SELECT count(*) AS n FROM mfa_enrollments').get()).toEqual({ n: 0 })
    f.clock.advance(60 * minute)
    await f.services.enrollment.begin(alice(), { type: 'email', email: 'busy@example.org' }, actor)
  })

  it('a provider failure: specific message, no code, no cooldown, no enrollment left', async () => {
    f.senders.sms.failWith = new AppError('DELIVERY_FAILED', 'the SMS gateway refused the message (403)')
    const error = await refusal(f.services.enrollment.begin(alice(), { type: 'sms', phone: '+14155552671' }, actor))
    expect(error).toMatchObject({ code: 'DELIVERY_FAILED', message: 'the SMS gateway refused the message (403)' })
    expect(f.db.prepare('SELECT count(*) AS n FROM otp_codes').get()).toEqual({ n: 0 })
    expect(f.db.prepare('SELECT count(*) AS n FROM code_sends').get()).toEqual({ n: 0 })
    expect(f.db.prepare('SELECT count(*) AS n FROM mfa_enrollments').get()).toEqual({ n: 0 })
    f.senders.sms.failWith = null
    // No cooldown started: an immediate retry goes out.
    await f.services.enrollment.begin(alice(), { type: 'sms', phone: '+14155552671' }, actor)
    expect(f.senders.sms.sent).toHaveLength(1)
  })

  it('refuses an invalid phone number before anything is sent', async () => {
    const error = await refusal(f.services.enrollment.begin(alice(), { type: 'sms', phone: '+1 555' }, actor))
    expect(error.code).toBe('VALIDATION')
    expect(error.message).toMatch(/short|not valid|digits/)
    expect(f.senders.sms.sent).toHaveLength(0)
  })

  it('refuses a missing provider with NOT_CONFIGURED', async () => {
    f.senders.email.configured = false
    expect(
      (await refusal(f.services.enrollment.begin(alice(), { type: 'email', email: 'me@example.org' }, actor))).code,
    ).toBe('NOT_CONFIGURED')
  })

  it('S13: five wrong codes end the setup, and they count toward the account lock', async () => {
    const view = await f.services.enrollment.begin(alice(), { type: 'totp' }, actor)
    for (let i = 0; i < 4; i++) {
      expect(
        (await refusal(f.services.enrollment.verify(alice(), view.enrollmentId, '000000', actor))).extra.attemptsLeft,
      ).toBe(4 - i)
    }
    expect(
      (await refusal(f.services.enrollment.verify(alice(), view.enrollmentId, '000000', actor))).extra.attemptsLeft,
    ).toBe(0)
    expect(
      (await refusal(f.services.enrollment.verify(alice(), view.enrollmentId, codeFor(view, f.clock.now()), actor)))
        .code,
    ).toBe('NOT_FOUND')
    expect(alice().failedAttempts).toBe(5)
  })

  it('S7: the code used to enroll cannot be used again to sign in', async () => {
    const view = await f.services.enrollment.begin(alice(), { type: 'totp' }, actor)
    const code = codeFor(view, f.clock.now())
    await f.services.enrollment.verify(alice(), view.enrollmentId, code, actor)
    await f.services.enrollment.enable(alice(), view.enrollmentId, true, actor)
    const { resolved } = await f.auth.signIn({ username: 'alice', password: goodPassword }, 'window')
    const method = f.deps.methods.listActive(alice().id)[0]!
    expect((await refusal(() => f.services.challenge.verifyCode(resolved, method.id, code, actor))).code).toBe(
      'CODE_REUSED',
    )
  })
})
