import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHandlers } from '../../electron/main/ipc/handlers'
import { createRouter, type CallContext, type Router } from '../../electron/main/ipc/router'
import { channelNames } from '../../electron/shared/channels'
import { errorCodes } from '../../electron/shared/errors'
import { actor, createCoreFixture, goodPassword, type CoreFixture } from '../unit/support/core-fixture'
import { enrollTotp } from '../unit/support/mfa-helpers'

/**
 * S25: random and malformed payloads on every channel, from callers in every
 * state (none, waiting for a second factor, user, admin with a fresh password
 * check). The router must answer every one with a Result, never INTERNAL, and
 * a refused input must change nothing but audit rows, failure counters and
 * session activity.
 *
 * `npm test` runs a short pass; `npm run fuzz` sets KEYHOLD_FUZZ_RUNS=10000.
 */
const runs = Number(process.env.KEYHOLD_FUZZ_RUNS ?? 25)

let f: CoreFixture
let router: Router
const callers: Record<string, CallContext> = {
  anonymous: { clientKey: 'fuzz:anonymous', transport: 'window' },
  pending: { clientKey: 'fuzz:pending', transport: 'window' },
  user: { clientKey: 'fuzz:user', transport: 'window' },
  admin: { clientKey: 'fuzz:admin', transport: 'preview' },
}

/** Everything but what a refused call may touch. */
function snapshot(): string {
  const tables = (
    f.db
      .prepare(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'accounts_fts%'",
      )
      .all() as { name: string }[]
  )
    .map((t) => t.name)
    .filter((name) => name !== 'audit_log')
    .sort()
  const rows: Record<string, unknown[]> = {}
  for (const table of tables) {
    rows[table] = f.db
      .prepare(`SELECT * FROM ${table} ORDER BY rowid`)
      .all()
      .map((row) => {
        const copy = { ...(row as Record<string, unknown>) }
        if (table === 'accounts')
          for (const k of ['failed_attempts', 'locked_until', 'admin_locked', 'updated_at']) delete copy[k]
        if (table === 'sessions') for (const k of ['last_seen_at', 'ended_at', 'factor_failures']) delete copy[k]
        if (table === 'settings' && String(copy.key).startsWith('audit.')) return null
        return copy
      })
  }
  return JSON.stringify(rows)
}

/** Plausible-looking but wrong payloads: right keys with wrong types, extra keys, huge strings. */
const nasty = fc.oneof(
  fc.anything(),
  fc.dictionary(
    fc.constantFrom(
      'username',
      'password',
      'code',
      'methodId',
      'enrollmentId',
      'type',
      'email',
      'phone',
      'policy',
      'provider',
      'kind',
      'to',
      '__proto__',
      'constructor',
    ),
    fc.anything(),
  ),
  fc.record({ methodId: fc.oneof(fc.integer(), fc.double(), fc.string()), code: fc.oneof(fc.string(), fc.integer()) }),
  fc.record({
    type: fc.constantFrom('totp', 'email', 'sms', 'x'),
    email: fc.string(),
    phone: fc.string(),
    extra: fc.anything(),
  }),
  fc.string({ minLength: 5000, maxLength: 20000 }).map((s) => ({ username: s, password: s })),
)

beforeAll(async () => {
  f = createCoreFixture()
  router = createRouter({ handlers: createHandlers({ services: f.services }), sessions: f.auth })
  await f.accounts.createFirstAdmin({ username: 'root', email: 'root@example.org', password: goodPassword }, actor)
  await f.accounts.createAccount({ username: 'mallory', role: 'user', password: goodPassword }, actor)
  await f.accounts.createAccount({ username: 'pat', role: 'user', password: goodPassword }, actor)
  await enrollTotp(f, 'pat')
  await router.dispatch('auth:sign-in', { username: 'pat', password: goodPassword }, callers.pending!)
  await router.dispatch('auth:sign-in', { username: 'mallory', password: goodPassword }, callers.user!)
  await router.dispatch('auth:sign-in', { username: 'root', password: goodPassword }, callers.admin!)
})
afterAll(() => f.close())

describe('fuzzing every IPC channel (S25)', () => {
  it('covers every channel of the contract', () => {
    expect(channelNames.length).toBeGreaterThan(40)
  })

  for (const channel of channelNames) {
    it(`${channel}: no crash, no INTERNAL, and a refused input changes nothing`, async () => {
      await fc.assert(
        fc.asyncProperty(nasty, fc.constantFrom(...Object.keys(callers)), async (payload, who) => {
          // The clock stands still: sessions stay alive and the password check fresh, so every
          // handler is reachable, as it would be for a busy attacker with a session.
          const before = snapshot()
          const result = await router.dispatch(channel, payload, callers[who]!)
          expect(typeof result.ok).toBe('boolean')
          if (result.ok) return
          expect(errorCodes).toContain(result.error.code)
          expect(result.error.code).not.toBe('INTERNAL')
          expect(JSON.stringify(result)).not.toMatch(/\bat .*\.(ts|js):\d+/)
          if (['VALIDATION', 'FORBIDDEN', 'UNAUTHENTICATED', 'NOT_FOUND'].includes(result.error.code)) {
            expect(snapshot()).toBe(before)
          }
        }),
        { numRuns: runs },
      )
    })
  }

  it('unknown and hostile channel names are refused', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty')),
        fc.anything(),
        async (name, payload) => {
          const result = await router.dispatch(name, payload, callers.admin!)
          if (!channelNames.includes(name as never))
            expect(result).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } })
        },
      ),
      { numRuns: runs * 4 },
    )
  })
})
