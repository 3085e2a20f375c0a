import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createHandlers } from '../../../electron/main/ipc/handlers'
import { createRouter } from '../../../electron/main/ipc/router'
import { actor, createCoreFixture, goodPassword, type CoreFixture } from '../support/core-fixture'
import { account, enrollEmail, enrollSms, refusal } from '../support/mfa-helpers'

const minute = 60_000
const win = (n: number) => ({ clientKey: `window:${n}`, transport: 'window' as const })

describe('S27: hourly code budgets', () => {
  let f: CoreFixture
  let router: ReturnType<typeof createRouter>
  beforeEach(async () => {
    f = createCoreFixture()
    router = createRouter({ handlers: createHandlers({ services: f.services }), sessions: f.auth })
    await f.accounts.createFirstAdmin({ username: 'alice', email: 'alice@example.org', password: goodPassword }, actor)
    await f.accounts.createAccount({ username: 'bob', role: 'user', password: goodPassword }, actor)
  })
  afterEach(() => f.close())

  const beginEmail = (username: string, email: string) =>
    f.services.enrollment.begin(account(f, username), { type: 'email', email }, actor)
  const sentTo = (address: string) =>
    f.senders.email.sent.filter((m) => m.to.trim().toLowerCase() === address.toLowerCase()).length

  it('S27: letter case and spaces do not make a new destination: 5 sends per address per hour, not 5 per spelling', async () => {
    const spellings = [
      'Victim@Example.org',
      'VICTIM@EXAMPLE.ORG',
      'victim@example.org',
      ' Victim@example.ORG ',
      'vIcTiM@example.org',
    ]
    for (const spelling of spellings) await beginEmail('alice', spelling)
    expect(sentTo('victim@example.org')).toBe(5)
    for (const spelling of ['VICTIM@example.org', 'victim@EXAMPLE.org']) {
      expect((await refusal(beginEmail('alice', spelling))).code).toBe('RATE_LIMITED')
    }
    expect(sentTo('victim@example.org')).toBe(5)
    // Stored by its canonical form, so the count needs no per-spelling lookup.
    const stored = f.db.prepare('SELECT DISTINCT destination FROM code_sends').all()
    expect(stored).toEqual([{ destination: 'victim@example.org' }])
  })

  it('S27: a contact change and a setup to two spellings of one address share the budget', async () => {
    for (let i = 0; i < 4; i++) await beginEmail('alice', i % 2 ? 'Shared@Example.org' : 'shared@example.org')
    await f.services.contact.begin(account(f, 'alice'), { email: 'SHARED@example.org' }, actor)
    expect(
      (await refusal(f.services.contact.begin(account(f, 'alice'), { email: 'shared@EXAMPLE.org' }, actor))).code,
    ).toBe('RATE_LIMITED')
  })

  it('S27: phone numbers count by E.164 whatever their spacing', async () => {
    for (const phone of ['+1 415 555 2671', '+14155552671', '+1 (415) 555-2671', '+1-415-555-2671', '+1 4155552671']) {
      await f.services.enrollment.begin(account(f, 'alice'), { type: 'sms', phone }, actor)
    }
    expect(
      (
        await refusal(
          f.services.enrollment.begin(account(f, 'alice'), { type: 'sms', phone: '+1 415-555-2671' }, actor),
        )
      ).code,
    ).toBe('RATE_LIMITED')
  })

  it("S27: one account's setups aimed at another's address never block that account's sign-in codes", async () => {
    const { method } = await enrollEmail(f, 'bob', 'Bob@Example.org')
    // Alice aims setups at Bob's address, in any spelling, until her own budget for it is spent.
    for (const spelling of [
      'bob@example.org',
      'BOB@example.org',
      'Bob@Example.org',
      'bob@EXAMPLE.org',
      'bOb@example.org',
    ]) {
      await beginEmail('alice', spelling)
    }
    expect((await refusal(beginEmail('alice', 'bob@example.org'))).code).toBe('RATE_LIMITED')
    // …and a contact change of hers to that address uses the same budget of hers.
    expect(
      (await refusal(f.services.contact.begin(account(f, 'alice'), { email: 'bob@example.org' }, actor))).code,
    ).toBe('RATE_LIMITED')
    // Bob still gets his sign-in codes.
    await router.dispatch('auth:sign-in', { username: 'bob', password: goodPassword }, win(2))
    const before = sentTo('bob@example.org')
    expect(await router.dispatch('auth:send-code', { methodId: method.id }, win(2))).toMatchObject({ ok: true })
    expect(sentTo('bob@example.org')).toBe(before + 1)
    // His own sign-in sends still have a cap of their own: 5 an hour (the cooldown apart).
    for (let i = 0; i < 4; i++) {
      f.clock.advance(minute)
      expect(await router.dispatch('auth:send-code', { methodId: method.id }, win(2))).toMatchObject({ ok: true })
    }
    f.clock.advance(minute)
    expect(await router.dispatch('auth:send-code', { methodId: method.id }, win(2))).toMatchObject({
      ok: false,
      error: { code: 'RATE_LIMITED' },
    })
  })

  it("S27: the same holds for text messages: another account's setups leave a phone's sign-in codes alone", async () => {
    const { method } = await enrollSms(f, 'bob', '+1 415 555 2671', '+14155552671')
    for (let i = 0; i < 5; i++) {
      await f.services.enrollment.begin(account(f, 'alice'), { type: 'sms', phone: '+1 (415) 555-2671' }, actor)
    }
    await router.dispatch('auth:sign-in', { username: 'bob', password: goodPassword }, win(2))
    expect(await router.dispatch('auth:send-code', { methodId: method.id }, win(2))).toMatchObject({ ok: true })
  })
})
