import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { defaultRules } from '../../../electron/main/domain/mfa-policy'
import { createHandlers } from '../../../electron/main/ipc/handlers'
import { createRouter } from '../../../electron/main/ipc/router'
import { channels, channelNames } from '../../../electron/shared/channels'
import { actor, createCoreFixture, goodPassword, type CoreFixture } from '../support/core-fixture'
import { enrollEmail, enrollTotp, refusal } from '../support/mfa-helpers'

const day = 24 * 3_600_000
const win = (n: number) => ({ clientKey: `window:${n}`, transport: 'window' as const })

describe('account administration', () => {
  let f: CoreFixture
  let router: ReturnType<typeof createRouter>
  beforeEach(async () => {
    f = createCoreFixture()
    router = createRouter({ handlers: createHandlers({ services: f.services }), sessions: f.auth })
    await f.accounts.createFirstAdmin({ username: 'alice', email: 'alice@example.org', password: goodPassword }, actor)
    await f.accounts.createAccount(
      { username: 'bob', displayName: 'Bob Builder', role: 'user', password: goodPassword },
      actor,
    )
  })
  afterEach(() => f.close())

  it('a user gets FORBIDDEN on every admin channel, whatever the input', async () => {
    await router.dispatch('auth:sign-in', { username: 'bob', password: goodPassword }, win(1))
    const adminChannels = channelNames.filter((c) => channels[c].access === 'admin')
    expect(adminChannels.length).toBeGreaterThan(15)
    for (const channel of adminChannels) {
      expect(await router.dispatch(channel, { username: 'alice' }, win(1))).toMatchObject({
        ok: false,
        error: { code: 'FORBIDDEN' },
      })
    }
  })

  it('creates the account and its setup code in one transaction: a failure in between leaves no account (S21)', async () => {
    const auditRows = () => f.db.prepare('SELECT count(*) AS n FROM audit_log').get()
    const before = auditRows()
    const store = f.deps.setupCodes
    const put = store.put.bind(store)
    store.put = () => {
      throw new Error('simulated failure while storing the setup code')
    }
    await expect(f.services.admin.create({ username: 'dave', role: 'user' }, actor)).rejects.toThrow(/simulated/)
    store.put = put
    expect(f.accounts.listAccounts({ search: 'dave', limit: 10, offset: 0 }).total).toBe(0)
    expect(auditRows()).toEqual(before)
    // The same request works once the fault is gone.
    const created = await f.services.admin.create({ username: 'dave', role: 'user' }, actor)
    expect(created.account).toMatchObject({ username: 'dave', setupCodePending: true })
  })

  it('creates an account with a one-time setup code; the user sets their own password with it', async () => {
    const created = await f.services.admin.create({ username: 'carol', displayName: 'Carol', role: 'user' }, actor)
    expect(created.account).toMatchObject({ username: 'carol', setupCodePending: true, mfa: { state: 'none' } })
    expect(created.setupCode.setupCode).toMatch(/^[A-Z2-7]{4}(-[A-Z2-7]{4}){5}$/)
    expect(created.setupCode.expiresAt).toBe(new Date(f.clock.now() + 7 * day).toISOString())
    // No password works before the code is redeemed.
    expect(await router.dispatch('auth:sign-in', { username: 'carol', password: goodPassword }, win(1))).toMatchObject({
      ok: false,
    })
    const wrong = await router.dispatch(
      'auth:redeem-setup-code',
      { username: 'carol', setupCode: 'AAAA-AAAA-AAAA-AAAA', newPassword: 'sunlit-meadow-violin-7' },
      win(1),
    )
    expect(wrong).toMatchObject({ ok: false, error: { code: 'INVALID_CODE', attemptsLeft: 8 } })
    const redeemed = await router.dispatch(
      'auth:redeem-setup-code',
      {
        username: 'carol',
        setupCode: created.setupCode.setupCode.toLowerCase(),
        newPassword: 'sunlit-meadow-violin-7',
      },
      win(1),
    )
    expect(redeemed).toMatchObject({ ok: true, value: { status: 'signed-in' } })
    expect(f.services.admin.get('carol').setupCodePending).toBe(false)
    // Single use.
    expect(
      await router.dispatch(
        'auth:redeem-setup-code',
        { username: 'carol', setupCode: created.setupCode.setupCode, newPassword: 'another-passphrase-1' },
        win(2),
      ),
    ).toMatchObject({ ok: false, error: { code: 'INVALID_CODE' } })
  })

  it('a setup code expires after 7 days, and a weak new password is refused without using the code', async () => {
    const { setupCode } = await f.services.admin.resetPassword('bob', actor)
    expect(await router.dispatch('auth:sign-in', { username: 'bob', password: goodPassword }, win(1))).toMatchObject({
      ok: false,
    })
    expect(
      await router.dispatch('auth:redeem-setup-code', { username: 'bob', setupCode, newPassword: 'password' }, win(1)),
    ).toMatchObject({
      ok: false,
      error: { code: 'WEAK_PASSWORD' },
    })
    f.clock.advance(7 * day)
    expect(
      await router.dispatch(
        'auth:redeem-setup-code',
        { username: 'bob', setupCode, newPassword: 'a-fine-long-passphrase' },
        win(1),
      ),
    ).toMatchObject({
      ok: false,
      error: { code: 'INVALID_CODE' },
    })
  })

  it("an admin reset ends the account's sessions; setting a password directly voids the setup code", async () => {
    const { sessionId } = await f.auth.signIn({ username: 'bob', password: goodPassword }, 'window')
    const { setupCode } = await f.services.admin.resetPassword('bob', actor)
    expect(f.deps.sessions.findLive(sessionId)).toBeNull()
    await f.accounts.resetPassword('bob', 'set-by-the-operator-1', 'cli:root')
    expect(
      await router.dispatch(
        'auth:redeem-setup-code',
        { username: 'bob', setupCode, newPassword: 'a-fine-long-passphrase' },
        win(1),
      ),
    ).toMatchObject({
      ok: false,
    })
  })

  it('edits accounts and never demotes the last administrator', async () => {
    const edited = f.services.admin.update(
      'bob',
      { displayName: 'Robert', email: 'rob@example.org', phone: '+44 20 7946 0958', role: 'admin' },
      actor,
    )
    expect(edited).toMatchObject({
      displayName: 'Robert',
      email: 'rob@example.org',
      phone: '+442079460958',
      role: 'admin',
    })
    f.services.admin.update('bob', { role: 'user' }, actor)
    expect((await refusal(() => f.services.admin.update('alice', { role: 'user' }, actor))).code).toBe('LAST_ADMIN')
  })

  it('searches by word prefix across username, display name and email, with paging', async () => {
    for (let i = 0; i < 30; i++) {
      await f.accounts.createAccount(
        {
          username: `user${String(i).padStart(2, '0')}`,
          displayName: `Tester ${i}`,
          email: `t${i}@lab.example`,
          role: 'user',
          password: goodPassword,
        },
        actor,
      )
    }
    expect(f.services.admin.list({ search: 'bui', limit: 10, offset: 0 }).accounts.map((a) => a.username)).toEqual([
      'bob',
    ])
    expect(f.services.admin.list({ search: 'alice@exa', limit: 10, offset: 0 }).total).toBe(1)
    const page = f.services.admin.list({ search: 'tester', limit: 10, offset: 10 })
    expect(page.total).toBe(30)
    expect(page.accounts.map((a) => a.username)).toEqual(Array.from({ length: 10 }, (_, i) => `user${10 + i}`))
    // FTS syntax in the input is only text.
    expect(f.services.admin.list({ search: '" OR * NEAR(', limit: 10, offset: 0 }).total).toBe(0)
    // The index follows edits and deletions.
    f.services.admin.update('bob', { displayName: 'Robert' }, actor)
    expect(f.services.admin.list({ search: 'builder', limit: 10, offset: 0 }).total).toBe(0)
    f.accounts.deleteAccount('user00', actor)
    expect(f.services.admin.list({ search: 'user00', limit: 10, offset: 0 }).total).toBe(0)
  })

  it("a page of the list reads each row's methods, setup code and policy at once, and shows what a single read shows", async () => {
    await enrollTotp(f, 'alice')
    await enrollEmail(f, 'alice', 'alice@example.org')
    await f.services.admin.create({ username: 'carol', role: 'user' }, actor)
    await f.services.admin.create({ username: 'dave', role: 'admin' }, actor)
    f.services.policy.set(
      { site: { ...defaultRules, enforcement: 'required', gracePeriodDays: 2 }, roles: { admin: { ...defaultRules } } },
      actor,
    )
    const page = f.services.admin.list({ limit: 10, offset: 0 })
    expect(page.accounts.map((a) => [a.username, a.mfa.state, a.mfa.methods, a.setupCodePending])).toEqual([
      ['alice', 'enrolled', ['totp', 'email'], false],
      ['bob', 'grace', [], false],
      ['carol', 'grace', [], true],
      ['dave', 'none', [], true],
    ])
    for (const row of page.accounts) expect(row).toEqual(f.services.admin.get(row.username))
  })

  it('coverage counts accounts by MFA state and lists the non-compliant ones', async () => {
    await enrollTotp(f, 'alice')
    await f.accounts.createAccount({ username: 'dave', role: 'user', password: goodPassword }, actor)
    f.services.policy.set({ site: { ...defaultRules, enforcement: 'required', gracePeriodDays: 2 }, roles: {} }, actor)
    f.clock.advance(3 * day)
    await f.accounts.createAccount({ username: 'erin', role: 'user', password: goodPassword }, actor)
    const coverage = f.services.admin.coverage()
    expect(coverage).toMatchObject({
      total: 4,
      byState: { enrolled: 1, overdue: 2, grace: 1, none: 0 },
      byMethod: { totp: 1 },
    })
    expect(coverage.nonCompliant.map((a) => [a.username, a.state])).toEqual([
      ['bob', 'overdue'],
      ['dave', 'overdue'],
      ['erin', 'grace'],
    ])
  })
})
