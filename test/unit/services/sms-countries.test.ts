import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { CallContext, Router } from '../../../electron/main/ipc/router'
import { checkSmsCountries } from '../../../electron/main/services/provider-service'
import { actor, goodPassword, type CoreFixture } from '../support/core-fixture'
import { account, enrollSms, refusal } from '../support/mfa-helpers'
import { createRouterFixture } from '../support/router-fixture'

/**
 * Issue 5, Providers: the SMS country allow-list. An administrator sets it
 * (step-up, audited, every bad code named); the main process then refuses
 * numbers outside it where a number is chosen (SMS setup, contact change) and
 * at every send (sign-in codes, tests), before a code exists or a cooldown starts.
 */
const ukMobile = '+44 7400 123456'
const ukE164 = '+447400123456'
const frMobile = '+33 6 12 34 56 78'
const frE164 = '+33612345678'
const frRefusal = 'This site does not send text messages to FR numbers'

const window1: CallContext = { clientKey: 'window:admin', transport: 'window' }
const window2: CallContext = { clientKey: 'window:bob', transport: 'window' }

let f: CoreFixture
let router: Router

beforeEach(async () => {
  ;({ f, router } = await createRouterFixture())
})
afterEach(() => f.close())

const rows = (sql: string): number => (f.db.prepare(sql).get() as { n: number }).n
const auditEvents = () =>
  (f.db.prepare('SELECT event, detail FROM audit_log ORDER BY id').all() as { event: string; detail: string }[]).map(
    (row) => ({ event: row.event, detail: JSON.parse(row.detail) as Record<string, unknown> }),
  )

async function signIn(username: string, client: CallContext): Promise<void> {
  const result = await router.dispatch('auth:sign-in', { username, password: goodPassword }, client)
  expect(result.ok).toBe(true)
}

describe('checking a country list', () => {
  it('takes two-letter codes in any case and keeps their order', () => {
    expect(checkSmsCountries([' gb', 'De', 'FR '])).toEqual(['GB', 'DE', 'FR'])
    expect(checkSmsCountries(null)).toBeNull()
  })

  it('names every bad or repeated code in its own message, with its place in the list', async () => {
    const error = await refusal(() => checkSmsCountries(['GB', 'G1', 'XX', 'gb', 'Germany']))
    expect(error.code).toBe('VALIDATION')
    expect(error.extra.fields).toEqual([
      { field: 'countries.1', message: '"G1" is not a two-letter country code (e.g. GB)' },
      { field: 'countries.2', message: 'XX is not a country code phone numbers are known for' },
      { field: 'countries.3', message: 'GB is listed twice' },
      { field: 'countries.4', message: '"Germany" is not a two-letter country code (e.g. GB)' },
    ])
  })

  it('refuses an empty list: "any country" is null, not []', async () => {
    const error = await refusal(() => checkSmsCountries([]))
    expect(error.extra.fields).toEqual([
      { field: 'countries', message: 'Add at least one country, or allow text messages to any country' },
    ])
  })
})

describe('provider:set-sms-countries and provider:get', () => {
  it('an administrator sets the list with a fresh password check; it is audited and shown by provider:get', async () => {
    await signIn('alice', window1)
    const before = await router.dispatch('provider:get', {}, window1)
    expect(before).toMatchObject({ ok: true, value: { smsCountries: null, lastSend: { email: null, sms: null } } })

    const set = await router.dispatch('provider:set-sms-countries', { countries: ['gb', 'IE'] }, window1)
    expect(set).toEqual({ ok: true, value: { countries: ['GB', 'IE'] } })
    expect(f.deps.site.smsCountries()).toEqual(['GB', 'IE'])
    expect(await router.dispatch('provider:get', {}, window1)).toMatchObject({
      ok: true,
      value: { smsCountries: ['GB', 'IE'] },
    })
    expect(auditEvents().at(-1)).toEqual({
      event: 'provider.sms-countries-set',
      detail: { countries: 'GB,IE' },
    })

    expect(await router.dispatch('provider:set-sms-countries', { countries: null }, window1)).toEqual({
      ok: true,
      value: { countries: null },
    })
    expect(f.deps.site.smsCountries()).toBeNull()
    expect(auditEvents().at(-1)).toEqual({ event: 'provider.sms-countries-set', detail: { countries: 'any' } })
  })

  it('S15: a stale password check gets STEP_UP_REQUIRED and changes nothing', async () => {
    await signIn('alice', window1)
    f.clock.advance(6 * 60_000)
    const result = await router.dispatch('provider:set-sms-countries', { countries: ['GB'] }, window1)
    expect(result).toMatchObject({ ok: false, error: { code: 'STEP_UP_REQUIRED' } })
    expect(f.deps.site.smsCountries()).toBeNull()
  })

  it('a user gets FORBIDDEN; bad codes get VALIDATION naming each, and the stored list stays', async () => {
    await signIn('bob', window2)
    expect(await router.dispatch('provider:set-sms-countries', { countries: ['GB'] }, window2)).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
    await signIn('alice', window1)
    await router.dispatch('provider:set-sms-countries', { countries: ['GB'] }, window1)
    const bad = await router.dispatch('provider:set-sms-countries', { countries: ['DE', 'ZZ', 'de'] }, window1)
    expect(bad).toMatchObject({
      ok: false,
      error: {
        code: 'VALIDATION',
        fields: [
          { field: 'countries.1', message: 'ZZ is not a country code phone numbers are known for' },
          { field: 'countries.2', message: 'DE is listed twice' },
        ],
      },
    })
    expect(f.deps.site.smsCountries()).toEqual(['GB'])
  })
})

describe('where a number is chosen', () => {
  beforeEach(() => f.deps.site.setSmsCountries(['GB']))

  it('SMS setup: a number from another country is refused beside the phone field; nothing is stored or sent', async () => {
    const error = await refusal(f.services.enrollment.begin(account(f, 'bob'), { type: 'sms', phone: frMobile }, actor))
    expect(error).toEqual({
      code: 'VALIDATION',
      message: frRefusal,
      extra: { fields: [{ field: 'phone', message: frRefusal }] },
    })
    expect(rows('SELECT count(*) AS n FROM mfa_enrollments')).toBe(0)
    // Refused before the setup began, not after a failed send.
    expect(auditEvents().map((e) => e.event)).not.toContain('mfa.enrollment-started')
    expect(rows('SELECT count(*) AS n FROM otp_codes')).toBe(0)
    expect(f.senders.sms.sent).toHaveLength(0)
    // A number from a listed country goes through.
    await f.services.enrollment.begin(account(f, 'bob'), { type: 'sms', phone: ukMobile }, actor)
    expect(f.senders.sms.sent.map((m) => m.to)).toEqual([ukE164])
  })

  it('contact change to a new phone: refused the same way before a code is sent', async () => {
    const error = await refusal(f.services.contact.begin(account(f, 'bob'), { phone: frMobile }, actor))
    expect(error).toMatchObject({ code: 'VALIDATION', message: frRefusal })
    expect(error.extra.fields).toEqual([{ field: 'phone', message: frRefusal }])
    expect(rows('SELECT count(*) AS n FROM otp_codes')).toBe(0)
    expect(rows('SELECT count(*) AS n FROM code_sends')).toBe(0)
    expect(f.senders.sms.sent).toHaveLength(0)
  })

  it('provider test: the test number must be allowed too (field "to")', async () => {
    const error = await refusal(f.services.providers.test('sms', frMobile, actor))
    expect(error).toMatchObject({ code: 'VALIDATION', message: frRefusal })
    expect(error.extra.fields).toEqual([{ field: 'to', message: frRefusal }])
    expect(f.senders.sms.sent).toHaveLength(0)
  })
})

describe('at send time: a stored number outside the list', () => {
  it('gets a clear VALIDATION error; no code is stored, no cooldown starts, nothing reaches the gateway', async () => {
    // Bob set up SMS to a French number while any country was allowed.
    const { method } = await enrollSms(f, 'bob', frMobile, frE164)
    f.senders.sms.sent.length = 0
    f.clock.advance(10 * 60_000)
    f.deps.site.setSmsCountries(['GB', 'DE'])

    await signIn('bob', window2)
    const codesBefore = rows('SELECT count(*) AS n FROM otp_codes')
    const sendsBefore = rows('SELECT count(*) AS n FROM code_sends')
    const refused = await router.dispatch('auth:send-code', { methodId: method.id }, window2)
    expect(refused).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION', message: frRefusal, fields: [{ field: 'phone', message: frRefusal }] },
    })
    expect(rows('SELECT count(*) AS n FROM otp_codes')).toBe(codesBefore)
    expect(rows('SELECT count(*) AS n FROM code_sends')).toBe(sendsBefore)
    expect(f.senders.sms.sent).toHaveLength(0)

    // France allowed again: the code goes at once (no cooldown was started by the refusal).
    f.deps.site.setSmsCountries(['GB', 'DE', 'FR'])
    const sent = await router.dispatch('auth:send-code', { methodId: method.id }, window2)
    expect(sent.ok).toBe(true)
    expect(f.senders.sms.sent.map((m) => m.to)).toEqual([frE164])
  })

  it('a code send says why it goes out (purpose "code"), so the senders can keep the last send', async () => {
    await enrollSms(f, 'bob', ukMobile, ukE164)
    expect(f.senders.sms.sent.at(-1)).toMatchObject({ to: ukE164, purpose: 'code' })
  })
})
