import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createHandlers } from '../../../electron/main/ipc/handlers'
import { createRouter } from '../../../electron/main/ipc/router'
import { actor, createCoreFixture, goodPassword, type CoreFixture } from '../support/core-fixture'
import { account, enrollEmail, enrollSms, enrollTotp, refusal } from '../support/mfa-helpers'

const minute = 60_000
const win = (n: number) => ({ clientKey: `window:${n}`, transport: 'window' as const })

describe('managing methods', () => {
  let f: CoreFixture
  beforeEach(async () => {
    f = createCoreFixture()
    await f.accounts.createFirstAdmin({ username: 'alice', email: 'alice@example.org', password: goodPassword }, actor)
  })
  afterEach(() => f.close())
  const alice = () => account(f, 'alice')

  it('keeps exactly one preferred method: the first enabled, then the one chosen', async () => {
    const a = await enrollTotp(f, 'alice')
    const b = await enrollEmail(f, 'alice', 'me@example.org')
    const c = await enrollSms(f, 'alice', '+14155552671', '+14155552671')
    const preferred = () =>
      f.services.methods
        .overview(alice())
        .methods.filter((m) => m.preferred)
        .map((m) => m.id)
    expect(preferred()).toEqual([a.method.id])
    await f.services.methods.setPreferred(alice(), c.method.id, actor)
    expect(preferred()).toEqual([c.method.id])
    expect(f.services.methods.overview(alice()).methods.map((m) => m.type)).toEqual(['totp', 'email', 'sms'])
    expect(b.method.weaker).toBe(true)
  })

  it('removing the preferred method promotes the most recently used one', async () => {
    const a = await enrollTotp(f, 'alice')
    const b = await enrollEmail(f, 'alice', 'me@example.org')
    const c = await enrollSms(f, 'alice', '+14155552671', '+14155552671')
    f.deps.methods.recordUse(b.method.id, f.clock.now() - minute, null)
    f.deps.methods.recordUse(c.method.id, f.clock.now() - 2 * minute, null)
    await f.services.methods.remove(alice(), a.method.id, undefined, actor)
    expect(f.services.methods.overview(alice()).methods.find((m) => m.preferred)?.id).toBe(b.method.id)
  })

  it('removing the last method removes the recovery codes and turns MFA off', async () => {
    const a = await enrollTotp(f, 'alice')
    expect(await f.services.methods.remove(alice(), a.method.id, undefined, actor)).toEqual({ mfaEnabled: false })
    expect(f.services.methods.overview(alice())).toEqual({
      methods: [],
      recoveryCodesRemaining: 0,
      recoveryCodesLow: false,
    })
    expect(f.db.prepare('SELECT count(*) AS n FROM recovery_codes').get()).toEqual({ n: 0 })
    const { resolved } = await f.auth.signIn({ username: 'alice', password: goodPassword }, 'window')
    expect(resolved.session.state).toBe('active')
  })

  it('S1: with MFA a password of 8 is enough; removing the last method then asks for a 15-character one in the same step', async () => {
    await enrollTotp(f, 'alice')
    const { sessionId } = await f.auth.signIn({ username: 'alice', password: goodPassword }, 'window')
    const session = f.auth.resolveSession(sessionId)
    await f.accounts.changeOwnPassword(alice(), 'tulip-77x', actor, sessionId)
    expect(alice().passwordShort).toBe(true)
    const method = f.deps.methods.listActive(alice().id)[0]!
    const asked = await refusal(f.services.methods.remove(alice(), method.id, undefined, actor))
    expect(asked).toMatchObject({ code: 'WEAK_PASSWORD', extra: { reason: 'too-short', minLength: 15 } })
    expect(f.deps.methods.countActive(alice().id)).toBe(1)
    expect((await refusal(f.services.methods.remove(alice(), method.id, 'still-short', actor))).code).toBe(
      'WEAK_PASSWORD',
    )
    expect(f.deps.methods.countActive(alice().id)).toBe(1)
    await f.services.methods.remove(alice(), method.id, 'a-much-longer-passphrase', actor, session.session.id)
    expect(alice().passwordShort).toBe(false)
    await expect(
      f.auth.signIn({ username: 'alice', password: 'a-much-longer-passphrase' }, 'window'),
    ).resolves.toBeDefined()
  })

  it('S12: regenerating recovery codes kills the whole old set', async () => {
    const { recoveryCodes } = await enrollTotp(f, 'alice')
    const fresh = await f.services.methods.regenerateRecoveryCodes(alice(), actor)
    expect(fresh).toHaveLength(10)
    expect(fresh.some((c) => recoveryCodes!.includes(c))).toBe(false)
    const { resolved } = await f.auth.signIn({ username: 'alice', password: goodPassword }, 'window')
    expect((await refusal(f.services.challenge.useRecoveryCode(resolved, recoveryCodes![0]!, actor))).code).toBe(
      'INVALID_CODE',
    )
    await f.services.challenge.useRecoveryCode(resolved, fresh[0]!, actor)
  })

  it('S15: adding, removing, changing preferred and regenerating need a recent password check', async () => {
    const { method } = await enrollTotp(f, 'alice')
    await enrollEmail(f, 'alice', 'me@example.org')
    const router = createRouter({ handlers: createHandlers({ services: f.services }), sessions: f.auth })
    // Sign in fully through the challenge with a recovery code.
    const codes = await f.services.methods.regenerateRecoveryCodes(alice(), actor)
    await router.dispatch('auth:sign-in', { username: 'alice', password: goodPassword }, win(1))
    await router.dispatch('auth:use-recovery-code', { code: codes[0]! }, win(1))
    f.clock.advance(5 * minute + 1)
    for (const [channel, input] of [
      ['mfa:begin-enrollment', { type: 'totp' }],
      ['mfa:set-preferred', { methodId: method.id }],
      ['mfa:remove-method', { methodId: method.id }],
      ['mfa:regenerate-recovery-codes', {}],
      ['account:change-password', { newPassword: 'another-long-passphrase' }],
      ['account:begin-contact-change', { email: 'new@example.org' }],
    ] as const) {
      expect(await router.dispatch(channel, input, win(1))).toMatchObject({
        ok: false,
        error: { code: 'STEP_UP_REQUIRED' },
      })
    }
    expect(f.deps.methods.countActive(alice().id)).toBe(2)
    await router.dispatch('auth:confirm-password', { password: goodPassword }, win(1))
    expect(await router.dispatch('mfa:set-preferred', { methodId: method.id }, win(1))).toMatchObject({ ok: true })
    // Renaming is not a factor change: no step-up needed.
    f.clock.advance(5 * minute + 1)
    expect(
      await router.dispatch('mfa:rename-method', { methodId: method.id, label: 'Work phone' }, win(1)),
    ).toMatchObject({
      ok: true,
      value: { label: 'Work phone' },
    })
  })

  it('S16: a factor change is audited, notified by email and ends the other sessions', async () => {
    const { method } = await enrollEmail(f, 'alice', 'me@example.org')
    const other = await f.auth.signIn({ username: 'alice', password: goodPassword }, 'window')
    const mine = await f.auth.signIn({ username: 'alice', password: goodPassword }, 'window')
    f.senders.email.sent.length = 0
    const second = await f.services.enrollment.begin(alice(), { type: 'totp' }, actor)
    expect(second.type).toBe('totp')
    await f.services.methods.remove(alice(), method.id, undefined, actor, mine.sessionId)
    const notices = f.senders.email.sent
      .filter((m) => /removed/.test(m.text))
      .map((m) => m.to)
      .sort()
    expect(notices).toEqual(['alice@example.org', 'me@example.org'])
    expect(f.deps.sessions.findLive(other.sessionId)).toBeNull()
    expect(f.deps.sessions.findLive(mine.sessionId)).not.toBeNull()
    const events = (
      f.db.prepare("SELECT event FROM audit_log WHERE event LIKE 'mfa.%'").all() as { event: string }[]
    ).map((r) => r.event)
    expect(events).toEqual(expect.arrayContaining(['mfa.method-added', 'mfa.method-removed']))
    expect(f.audit.verify().ok).toBe(true)
  })

  it('an admin reset removes every method, enrollment and recovery code', async () => {
    await enrollTotp(f, 'alice')
    await enrollEmail(f, 'alice', 'me@example.org')
    await f.services.enrollment.begin(alice(), { type: 'totp' }, actor)
    expect(await f.services.methods.reset(alice(), 'cli:root')).toEqual({ removed: 2 })
    for (const table of ['mfa_methods', 'mfa_enrollments', 'recovery_codes']) {
      expect(f.db.prepare(`SELECT count(*) AS n FROM ${table}`).get()).toEqual({ n: 0 })
    }
  })

  it('contact change: applied only with the code sent to the new address', async () => {
    const sent = await f.services.contact.begin(alice(), { phone: '+44 20 7946 0958' }, actor)
    expect(sent.sentTo).toBe('+44 •••••••958')
    expect(alice().phone).toBeNull()
    expect((await refusal(f.services.contact.confirm(alice(), '000000', actor))).code).toBe('INVALID_CODE')
    const view = await f.services.contact.confirm(alice(), f.senders.lastCode('+442079460958'), actor)
    expect(view.phone).toBe('+442079460958')
    f.clock.advance(minute)
    await f.services.contact.begin(alice(), { email: 'new@example.org' }, actor)
    await f.services.contact.confirm(alice(), f.senders.lastCode('new@example.org'), actor)
    expect(alice().email).toBe('new@example.org')
    // The old address was told.
    expect(f.senders.email.sent.some((m) => m.to === 'alice@example.org' && /contact details/.test(m.text))).toBe(true)
  })
})
