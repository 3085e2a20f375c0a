import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createHandlers } from '../../../electron/main/ipc/handlers'
import { createRouter, type Handlers, type Router } from '../../../electron/main/ipc/router'
import { channelNames, channels, type Channel } from '../../../electron/shared/channels'
import type { RequestOf } from '../../../electron/shared/schemas'
import { actor, createCoreFixture, goodPassword, type CoreFixture } from '../support/core-fixture'
import { policyDoc } from '../support/router-fixture'

/**
 * S32: which channels need a recent password (S15's step-up) is declared with
 * each channel in the contract and enforced by the router, never by a handler.
 */
type StepUpChannel = { [C in Channel]: (typeof channels)[C]['stepUp'] extends true ? C : never }[Channel]

/**
 * Both lists are written out by hand: adding a channel, or flipping one, fails
 * here until someone decides on purpose whether it needs a recent password.
 */
const expectedStepUp: readonly StepUpChannel[] = [
  'account:change-password',
  'account:begin-contact-change',
  'mfa:begin-enrollment',
  'mfa:enable-enrollment',
  'mfa:set-preferred',
  'mfa:remove-method',
  'mfa:regenerate-recovery-codes',
  'settings:set-site-name',
  'provider:set-email',
  'provider:set-sms',
  'provider:clear',
  'provider:set-sms-countries',
  // Issue 13: it sends a real message from the site's own mail server or gateway.
  'provider:test',
  'admin:create-account',
  'admin:update-account',
  'admin:set-disabled',
  'admin:delete-account',
  'admin:reset-password',
  'admin:reset-mfa',
  'admin:unlock',
  'policy:set',
]

const expectedWithoutStepUp: readonly Channel[] = [
  'app:get-state',
  'setup:create-admin',
  'auth:sign-in',
  'auth:redeem-setup-code',
  'auth:sign-out',
  'auth:get-challenge',
  'auth:send-code',
  'auth:verify-code',
  'auth:use-recovery-code',
  // The step-up itself.
  'auth:confirm-password',
  'account:get-me',
  // The code sent to the new address proves it; the change was begun under step-up.
  'account:confirm-contact-change',
  'mfa:list',
  // Resend, verify and cancel act on an enrollment begun under step-up; enabling it needs one again.
  'mfa:resend-enrollment-code',
  'mfa:verify-enrollment',
  'mfa:cancel-enrollment',
  // A label is not a factor change.
  'mfa:rename-method',
  'settings:get',
  'provider:get',
  'audit:list',
  'audit:verify',
  'admin:list-accounts',
  'admin:get-account',
  'admin:coverage',
  'policy:get',
]

/** A request that passes the contract's validation for each marked channel, so only step-up can refuse it. */
const validInput: { readonly [C in StepUpChannel]: RequestOf<C> } = {
  'account:change-password': { newPassword: 'another-long-passphrase' },
  'account:begin-contact-change': { email: 'alice.new@example.org' },
  'mfa:begin-enrollment': { type: 'totp' },
  'mfa:enable-enrollment': { enrollmentId: 'no-such-enrollment', recoveryCodesSaved: true },
  'mfa:set-preferred': { methodId: 1 },
  'mfa:remove-method': { methodId: 1 },
  'mfa:regenerate-recovery-codes': {},
  'settings:set-site-name': { siteName: 'Plant 7' },
  'provider:set-email': { host: 'mail.example.org', port: 465, security: 'tls', from: 'keyhold@example.org' },
  'provider:set-sms': {
    provider: { kind: 'kannel', url: 'http://127.0.0.1:13013/cgi-bin/sendsms', username: 'keyhold' },
  },
  'provider:clear': { kind: 'sms' },
  'provider:set-sms-countries': { countries: ['DE'] },
  'provider:test': { kind: 'email', to: 'operator@example.org' },
  'admin:create-account': { username: 'carol', role: 'user' },
  'admin:update-account': { username: 'bob', displayName: 'Bob B.' },
  'admin:set-disabled': { username: 'bob', disabled: true },
  'admin:delete-account': { username: 'bob' },
  'admin:reset-password': { username: 'bob' },
  'admin:reset-mfa': { username: 'bob' },
  'admin:unlock': { username: 'bob' },
  'policy:set': { policy: policyDoc({}) },
}

const admin = { clientKey: 'window:admin', transport: 'window' as const }

describe('S32: step-up declared in the contract', () => {
  it('marks exactly the expected channels, and leaves exactly the expected ones unmarked', () => {
    const marked = channelNames.filter((c) => channels[c].stepUp)
    const unmarked = channelNames.filter((c) => !channels[c].stepUp)
    expect([...marked].sort()).toEqual([...expectedStepUp].sort())
    expect([...unmarked].sort()).toEqual([...expectedWithoutStepUp].sort())
  })

  it('marks no channel that a caller without a full session can reach', () => {
    for (const c of expectedStepUp) expect(['session', 'admin'], c).toContain(channels[c].access)
  })
})

describe('S32, S15: the router refuses every marked channel without a recent password', () => {
  let f: CoreFixture
  let router: Router
  let called: Channel[]
  beforeEach(async () => {
    f = createCoreFixture()
    called = []
    // The real handlers, recording which ones the router let through.
    const real = createHandlers({ services: f.services })
    const recording = Object.fromEntries(
      channelNames.map((c) => {
        const handler = real[c] as (input: unknown, ctx: unknown) => unknown
        return [
          c,
          (input: unknown, ctx: unknown) => {
            called.push(c)
            return handler(input, ctx)
          },
        ]
      }),
    ) as unknown as Handlers
    router = createRouter({ handlers: recording, sessions: f.auth })
    await f.accounts.createFirstAdmin({ username: 'alice', email: 'alice@example.org', password: goodPassword }, actor)
    await f.accounts.createAccount({ username: 'bob', role: 'user', password: goodPassword }, actor)
    expect(await router.dispatch('auth:sign-in', { username: 'alice', password: goodPassword }, admin)).toMatchObject({
      ok: true,
      value: { status: 'signed-in' },
    })
    called = []
  })
  afterEach(() => f.close())

  it('answers STEP_UP_REQUIRED before any handler runs once the password check is older than the window', async () => {
    f.clock.advance(5 * 60_000 + 1)
    for (const c of expectedStepUp) {
      const result = await router.dispatch(c, validInput[c], admin)
      expect(result, c).toMatchObject({ ok: false, error: { code: 'STEP_UP_REQUIRED' } })
    }
    expect(called).toEqual([])
  })

  it('lets each marked channel through to its handler after a fresh password check', async () => {
    f.clock.advance(5 * 60_000 + 1)
    let password = goodPassword
    for (const c of expectedStepUp) {
      expect(await router.dispatch('auth:confirm-password', { password }, admin), c).toMatchObject({
        ok: true,
      })
      called = []
      const result = await router.dispatch(c, validInput[c], admin)
      // The handler may still refuse (no such enrollment, no provider): only step-up is under test.
      if (!result.ok) expect(result.error.code, c).not.toBe('STEP_UP_REQUIRED')
      expect(called, c).toEqual([c])
      if (c === 'account:change-password' && result.ok) password = validInput[c].newPassword
    }
  })

  it('still names malformed input as such, without asking for a password first', async () => {
    f.clock.advance(5 * 60_000 + 1)
    expect(await router.dispatch('provider:test', { kind: 'fax', to: 'x' }, admin)).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION' },
    })
    expect(called).toEqual([])
  })
})
