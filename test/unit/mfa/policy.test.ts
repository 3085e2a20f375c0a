import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { defaultRules } from '../../../electron/main/domain/mfa-policy'
import type { Router } from '../../../electron/main/ipc/router'
import { policyDocumentSchema } from '../../../electron/shared/policy-schemas'
import { actor, goodPassword, type CoreFixture } from '../support/core-fixture'
import { createRouterFixture, policyDoc, win } from '../support/router-fixture'
import { account, enrollSms, enrollTotp, refusal } from '../support/mfa-helpers'

const day = 24 * 3_600_000
const doc = policyDoc

describe('MFA policy', () => {
  let f: CoreFixture
  let router: Router
  beforeEach(async () => {
    ;({ f, router } = await createRouterFixture())
  })
  afterEach(() => f.close())

  it('is versioned and audited, and starts from the SECURITY.md defaults', () => {
    expect(f.services.policy.view()).toMatchObject({ version: 0, site: defaultRules, updatedBy: null })
    const view = f.services.policy.set(doc({ enforcement: 'prompt' }), actor)
    expect(view).toMatchObject({ version: 1, updatedBy: actor, site: { enforcement: 'prompt' } })
    expect(f.services.policy.set(doc({ enforcement: 'optional' }), actor).version).toBe(2)
    const events = f.services.audit.list({ limit: 10 }).filter((e) => e.event === 'policy.changed')
    expect(events).toHaveLength(2)
  })

  it('refuses values outside the SECURITY.md ranges, with a message per field', () => {
    const bad = policyDocumentSchema.safeParse({
      site: {
        ...defaultRules,
        codeLifetimeMinutes: 11,
        resendCooldownSeconds: 10,
        lockoutThreshold: 2,
        sessionIdleMinutes: 31,
        recoveryCodeWarning: 6,
        lockoutMinutes: 1441,
      },
    })
    expect(bad.success).toBe(false)
    const fields = bad.error!.issues.map((i) => i.path.join('.'))
    expect(fields.sort()).toEqual(
      [
        'site.codeLifetimeMinutes',
        'site.lockoutMinutes',
        'site.lockoutThreshold',
        'site.recoveryCodeWarning',
        'site.resendCooldownSeconds',
        'site.sessionIdleMinutes',
      ].sort(),
    )
  })

  it('never leaves anyone, the last admin first, without a way to set up a method', async () => {
    f.senders.email.configured = false
    f.senders.sms.configured = false
    const noTotp = await refusal(() =>
      f.services.policy.set(doc({ enforcement: 'required', allowedMethods: ['email'] }), actor),
    )
    expect(noTotp).toMatchObject({ code: 'VALIDATION', extra: { fields: [{ field: 'site.enforcement' }] } })
    const strongNoTotp = await refusal(() =>
      f.services.policy.set(doc({ strongMethodsOnly: true, allowedMethods: ['sms'] }), actor),
    )
    expect(strongNoTotp.extra).toMatchObject({ fields: [expect.objectContaining({ field: 'site.allowedMethods' })] })
    expect(f.services.policy.view().version).toBe(0)
    // With the provider set up it is fine.
    f.senders.email.configured = true
    f.services.policy.set(doc({ enforcement: 'required', allowedMethods: ['email'] }), actor)
  })

  it('limits apply per role: a lower lockout threshold for administrators', async () => {
    f.services.policy.set(doc({}, { admin: { lockoutThreshold: 3 } }), actor)
    for (let i = 0; i < 3; i++)
      await router.dispatch('auth:sign-in', { username: 'alice', password: `nope-${i}` }, win(1))
    expect(await router.dispatch('auth:sign-in', { username: 'alice', password: goodPassword }, win(1))).toMatchObject({
      ok: false,
      error: { code: 'LOCKED' },
    })
    for (let i = 0; i < 3; i++)
      await router.dispatch('auth:sign-in', { username: 'bob', password: `nope-${i}` }, win(2))
    expect(await router.dispatch('auth:sign-in', { username: 'bob', password: goodPassword }, win(2))).toMatchObject({
      ok: true,
    })
  })

  it('Prompt invites, Required shows the deadline during the grace period', async () => {
    f.services.policy.set(doc({ enforcement: 'prompt' }), actor)
    expect(await router.dispatch('auth:sign-in', { username: 'bob', password: goodPassword }, win(1))).toMatchObject({
      ok: true,
      value: { status: 'signed-in', session: { mfaSetup: { state: 'invited', deadline: null } } },
    })
    f.services.policy.set(doc({ enforcement: 'required', gracePeriodDays: 7 }), actor)
    const deadline = new Date(f.clock.now() + 7 * day).toISOString()
    const signedIn = await router.dispatch('auth:sign-in', { username: 'bob', password: goodPassword }, win(2))
    expect(signedIn).toMatchObject({ ok: true, value: { session: { mfaSetup: { state: 'grace', deadline } } } })
    // Within the grace period everything works.
    expect(await router.dispatch('account:get-me', {}, win(2))).toMatchObject({ ok: true })
  })

  it('S14: past the deadline the session can only set up a method, and setting one up completes the sign-in', async () => {
    f.services.policy.set(doc({ enforcement: 'required', gracePeriodDays: 1 }), actor)
    f.clock.advance(day + 1)
    const signedIn = await router.dispatch('auth:sign-in', { username: 'bob', password: goodPassword }, win(1))
    expect(signedIn).toMatchObject({ ok: true, value: { session: { mfaSetup: { state: 'required' } } } })
    for (const [channel, input] of [
      ['account:change-password', { newPassword: 'another-long-passphrase' }],
      ['mfa:regenerate-recovery-codes', {}],
      ['audit:list', {}],
    ] as const) {
      expect(await router.dispatch(channel, input, win(1))).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
    }
    expect(await router.dispatch('app:get-state', {}, win(1))).toMatchObject({
      ok: true,
      value: { session: { mfaSetup: { state: 'required' } } },
    })
    const begun = await router.dispatch('mfa:begin-enrollment', { type: 'totp' }, win(1))
    if (!begun.ok) throw new Error(begun.error.message)
    const { codeFor } = await import('../support/mfa-helpers')
    await router.dispatch(
      'mfa:verify-enrollment',
      { enrollmentId: begun.value.enrollmentId, code: codeFor(begun.value, f.clock.now()) },
      win(1),
    )
    expect(
      await router.dispatch(
        'mfa:enable-enrollment',
        { enrollmentId: begun.value.enrollmentId, recoveryCodesSaved: true },
        win(1),
      ),
    ).toMatchObject({ ok: true })
    expect(await router.dispatch('account:get-me', {}, win(1))).toMatchObject({ ok: true, value: { username: 'bob' } })
  })

  it("the grace period counts from the account's creation when it is newer than the policy", async () => {
    f.services.policy.set(doc({ enforcement: 'required', gracePeriodDays: 3 }), actor)
    f.clock.advance(10 * day)
    await f.accounts.createAccount({ username: 'carol', role: 'user', password: goodPassword }, actor)
    const r = await router.dispatch('auth:sign-in', { username: 'carol', password: goodPassword }, win(1))
    expect(r).toMatchObject({
      ok: true,
      value: { session: { mfaSetup: { state: 'grace', deadline: new Date(f.clock.now() + 3 * day).toISOString() } } },
    })
  })

  it('strong methods only: SMS can no longer be set up; an account with only SMS still proves itself with it', async () => {
    await enrollSms(f, 'bob', '+14155552671', '+14155552671')
    f.services.policy.set(doc({ strongMethodsOnly: true }), actor)
    expect(
      (await refusal(f.services.enrollment.begin(account(f, 'bob'), { type: 'sms', phone: '+14155552672' }, actor)))
        .code,
    ).toBe('FORBIDDEN')
    expect(
      (await refusal(f.services.enrollment.begin(account(f, 'bob'), { type: 'email', email: 'b@example.org' }, actor)))
        .code,
    ).toBe('FORBIDDEN')
    // No usable method, yet the password alone is not enough: the SMS method still proves it is bob
    // (or whoever knows the password could set up their own authenticator); then he is invited to set one up.
    expect(await router.dispatch('auth:sign-in', { username: 'bob', password: goodPassword }, win(1))).toMatchObject({
      ok: true,
      value: { status: 'mfa-required', challenge: { methods: [{ type: 'sms' }] } },
    })
  })

  it('allowed TOTP algorithms and digits apply to new enrollments', async () => {
    f.services.policy.set(doc({ totpAlgorithms: ['sha256'], totpDigits: [8] }), actor)
    const view = await f.services.enrollment.begin(account(f, 'bob'), { type: 'totp' }, actor)
    expect(view.totp).toMatchObject({ algorithm: 'sha256', digits: 8 })
    expect(
      (await refusal(f.services.enrollment.begin(account(f, 'bob'), { type: 'totp', algorithm: 'sha1' }, actor))).code,
    ).toBe('FORBIDDEN')
  })

  it('the last method may not be removed when the policy says so', async () => {
    const { method } = await enrollTotp(f, 'bob')
    f.services.policy.set(doc({ allowRemovingLastMethod: false }), actor)
    expect((await refusal(f.services.methods.remove(account(f, 'bob'), method.id, undefined, actor))).code).toBe(
      'FORBIDDEN',
    )
  })

  it('code lifetime and cooldown come from the policy', async () => {
    f.services.policy.set(doc({ codeLifetimeMinutes: 2, resendCooldownSeconds: 30 }), actor)
    const view = await f.services.enrollment.begin(account(f, 'bob'), { type: 'email', email: 'b@example.org' }, actor)
    expect(view.code).toMatchObject({
      expiresAt: new Date(f.clock.now() + 2 * 60_000).toISOString(),
      resendAvailableAt: new Date(f.clock.now() + 30_000).toISOString(),
    })
  })
})
