import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AppError } from '../../../electron/main/domain/app-error'
import { createHandlers } from '../../../electron/main/ipc/handlers'
import { createRouter } from '../../../electron/main/ipc/router'
import { actor, createCoreFixture, goodPassword, type CoreFixture } from '../support/core-fixture'
import { refusal } from '../support/mfa-helpers'

/**
 * Found in review: `provider:test` sends a real message to any address (or
 * probes any server) as often as it is called. Each provider takes at most 10
 * test messages in 10 minutes, counted in the database, so the window and
 * every CLI run share the count.
 */
const minute = 60_000

describe('provider test messages', () => {
  let f: CoreFixture
  beforeEach(async () => {
    f = createCoreFixture()
    await f.accounts.createFirstAdmin({ username: 'alice', email: 'alice@example.org', password: goodPassword }, actor)
  })
  afterEach(() => f.close())

  it('are limited per provider: the 11th in 10 minutes is RATE_LIMITED, says when, and sends nothing', async () => {
    for (let i = 0; i < 10; i++) {
      await f.services.providers.test('email', `ops${i}@example.org`, actor)
      f.clock.advance(10_000)
    }
    const start = f.clock.now() - 100_000
    const error = await refusal(f.services.providers.test('email', 'ops@example.org', actor))
    expect(error.code).toBe('RATE_LIMITED')
    expect(error.message).toBe('Too many test messages through this provider: at most 10 in 10 minutes')
    expect(error.extra.retryAt).toBe(new Date(start + 10 * minute).toISOString())
    expect(f.senders.email.sent).toHaveLength(10)
    // The SMS gateway has a count of its own.
    await f.services.providers.test('sms', '+14155552671', actor)
    expect(f.senders.sms.sent).toHaveLength(1)
    // Once the oldest test is 10 minutes old, one more goes.
    f.clock.advance(start + 10 * minute - f.clock.now())
    await f.services.providers.test('email', 'ops@example.org', actor)
    expect(f.senders.email.sent).toHaveLength(11)
  })

  it('failed tests count too (a test can probe a server), and the limit reaches the window as RATE_LIMITED', async () => {
    f.senders.email.failWith = new AppError('DELIVERY_FAILED', 'the SMTP server at 10.0.0.9:25 refused the connection')
    for (let i = 0; i < 10; i++) await refusal(f.services.providers.test('email', 'ops@example.org', actor))
    f.senders.email.failWith = null
    const router = createRouter({ handlers: createHandlers({ services: f.services }), sessions: f.auth })
    const window = { clientKey: 'window:1', transport: 'window' as const }
    await router.dispatch('auth:sign-in', { username: 'alice', password: goodPassword }, window)
    expect(await router.dispatch('provider:test', { kind: 'email', to: 'ops@example.org' }, window)).toMatchObject({
      ok: false,
      error: { code: 'RATE_LIMITED', retryAt: expect.any(String) },
    })
    expect(f.senders.email.sent).toHaveLength(0)
  })
})
