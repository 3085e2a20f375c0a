import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Router } from '../../../electron/main/ipc/router'
import { actor, goodPassword, type CoreFixture } from '../support/core-fixture'
import { createRouterFixture, policyDoc, win } from '../support/router-fixture'
import { account, enrollSms, refusal } from '../support/mfa-helpers'

/**
 * Issue 5: the session tells the window what this account may set up — the
 * method types the policy for its role allows, and the SMS country list — by
 * the same rule the engine applies when a method is set up, so the window never
 * offers what the main process would refuse.
 */
const doc = policyDoc

describe('the session view: what this account may set up', () => {
  let f: CoreFixture
  let router: Router
  beforeEach(async () => {
    ;({ f, router } = await createRouterFixture())
  })
  afterEach(() => f.close())

  async function optionsAfterSignIn(username: string, client: number): Promise<unknown> {
    const signedIn = await router.dispatch('auth:sign-in', { username, password: goodPassword }, win(client))
    if (!signedIn.ok || signedIn.value.status !== 'signed-in') throw new Error(`${username} did not sign in`)
    return signedIn.value.session.mfaOptions
  }

  it('offers every type and any country under the default policy', async () => {
    expect(await optionsAfterSignIn('bob', 1)).toEqual({ methods: ['totp', 'email', 'sms'], smsCountries: null })
  })

  it('S8: strong methods only leaves the authenticator app alone, whatever the allowed list says', async () => {
    f.services.policy.set(doc({ strongMethodsOnly: true }), actor)
    expect(await optionsAfterSignIn('bob', 1)).toMatchObject({ methods: ['totp'] })
    // The engine refuses exactly what the view leaves out.
    for (const input of [
      { type: 'email', email: 'bob@example.org' },
      { type: 'sms', phone: '+14155552671' },
    ] as const) {
      expect((await refusal(f.services.enrollment.begin(account(f, 'bob'), input, actor))).code).toBe('FORBIDDEN')
    }
  })

  it("follows the role's override: a narrower list for users, the site's for administrators", async () => {
    f.services.policy.set(doc({}, { user: { allowedMethods: ['totp', 'sms'] } }), actor)
    expect(await optionsAfterSignIn('bob', 1)).toMatchObject({ methods: ['totp', 'sms'] })
    expect(await optionsAfterSignIn('alice', 2)).toMatchObject({ methods: ['totp', 'email', 'sms'] })
  })

  it("carries the site's SMS country list, and reads it again on every view", async () => {
    f.deps.site.setSmsCountries(['GB', 'IE'])
    expect(await optionsAfterSignIn('bob', 1)).toMatchObject({ smsCountries: ['GB', 'IE'] })
    f.deps.site.setSmsCountries(['GB'])
    const state = await router.dispatch('app:get-state', {}, win(1))
    expect(state).toMatchObject({ ok: true, value: { session: { mfaOptions: { smsCountries: ['GB'] } } } })
  })

  it('a policy change shows in the next view of a live session', async () => {
    expect(await optionsAfterSignIn('bob', 1)).toMatchObject({ methods: ['totp', 'email', 'sms'] })
    f.services.policy.set(doc({ allowedMethods: ['totp', 'email'] }), actor)
    const state = await router.dispatch('app:get-state', {}, win(1))
    expect(state).toMatchObject({ ok: true, value: { session: { mfaOptions: { methods: ['totp', 'email'] } } } })
  })

  it('S14: a setup-only session (Required, past the deadline) is told what it may set up too', async () => {
    f.services.policy.set(doc({ enforcement: 'required', gracePeriodDays: 0, strongMethodsOnly: true }), actor)
    const signedIn = await router.dispatch('auth:sign-in', { username: 'bob', password: goodPassword }, win(1))
    expect(signedIn).toMatchObject({
      ok: true,
      value: { session: { mfaSetup: { state: 'required' }, mfaOptions: { methods: ['totp'] } } },
    })
  })

  /** Sign-in with the password and then the SMS code: what the window gets back after the second step. */
  async function signInWithSms(client: number) {
    const signedIn = await router.dispatch('auth:sign-in', { username: 'bob', password: goodPassword }, win(client))
    expect(signedIn).toMatchObject({
      ok: true,
      value: { status: 'mfa-required', challenge: { methods: [{ type: 'sms' }] } },
    })
    if (!signedIn.ok || signedIn.value.status !== 'mfa-required') throw new Error('bob was not challenged')
    const methodId = signedIn.value.challenge.preferredMethodId
    expect(await router.dispatch('auth:send-code', { methodId }, win(client))).toMatchObject({ ok: true })
    const code = f.senders.lastCode('+14155552671')
    return router.dispatch('auth:verify-code', { methodId, code }, win(client))
  }

  it('an account left with only methods the policy no longer allows still proves itself with them, then is invited to set up one (Optional)', async () => {
    await enrollSms(f, 'bob', '+14155552671', '+14155552671')
    f.services.policy.set(doc({ strongMethodsOnly: true }), actor)
    // The password alone never opens an account that has a second factor, even one the policy no longer
    // counts: otherwise whoever knows the password could sign in and set up their own authenticator.
    expect(await signInWithSms(1)).toMatchObject({
      ok: true,
      value: { status: 'signed-in', session: { mfaSetup: { state: 'invited', deadline: null } } },
    })
    // ...while an account that never had a method is left alone, as Optional says.
    await f.accounts.createAccount({ username: 'carol', role: 'user', password: goodPassword }, actor)
    const carol = await router.dispatch('auth:sign-in', { username: 'carol', password: goodPassword }, win(2))
    expect(carol).toMatchObject({ ok: true, value: { status: 'signed-in', session: { mfaSetup: null } } })
  })

  it('under Required, such an account has the grace period of an account without MFA', async () => {
    await enrollSms(f, 'bob', '+14155552671', '+14155552671')
    f.services.policy.set(doc({ strongMethodsOnly: true, enforcement: 'required', gracePeriodDays: 7 }), actor)
    const deadline = new Date(f.clock.now() + 7 * 24 * 3_600_000).toISOString()
    expect(await signInWithSms(1)).toMatchObject({
      ok: true,
      value: { session: { mfaSetup: { state: 'grace', deadline } } },
    })
  })

  it('past the deadline, the session it proves with the old method may only set up an allowed one (S14)', async () => {
    await enrollSms(f, 'bob', '+14155552671', '+14155552671')
    f.services.policy.set(doc({ strongMethodsOnly: true, enforcement: 'required', gracePeriodDays: 7 }), actor)
    f.clock.advance(8 * 24 * 3_600_000)
    expect(await signInWithSms(1)).toMatchObject({
      ok: true,
      value: { status: 'signed-in', session: { mfaSetup: { state: 'required' }, mfaOptions: { methods: ['totp'] } } },
    })
    expect(await router.dispatch('mfa:regenerate-recovery-codes', {}, win(1))).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
    const events = f.services.audit.list({ username: 'bob', limit: 3 }).map((e) => e.event)
    expect(events[0]).toBe('sign-in.enrollment-required')
    expect(events).not.toContain('sign-in.succeeded')
  })
})
