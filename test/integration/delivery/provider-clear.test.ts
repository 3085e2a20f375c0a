import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createKeytarSecretStore } from '../../../electron/main/adapters/keychain/keytar-secret-store'
import { keychainAccountFor } from '../../../electron/main/adapters/vault/open-vault'
import { openKeyhold, type Keyhold } from '../../../electron/main/composition/open-keyhold'
import { createHandlers } from '../../../electron/main/ipc/handlers'
import { createRouter, type Router } from '../../../electron/main/ipc/router'
import { defaultRules } from '../../../electron/main/domain/mfa-policy'
import type { PolicyRules } from '../../../electron/shared/policy-schemas'
import { startKannelPeer, type KannelPeer } from '../../peers/kannel-peer'
import { startSmtpPeer, type SmtpPeer } from '../../peers/smtp-peer'
import { fakeClock, type FakeClock } from '../../unit/support/core-fixture'
import { codeFor } from '../../unit/support/mfa-helpers'

/**
 * S35 on the whole stack (real SQLite, keychain, SMTP server, Kannel), through
 * the router as the window calls it: clearing a provider is refused, with the
 * number of accounts, when it would strand anyone.
 */
const password = 'violet-harbour-kettle-42'
const store = createKeytarSecretStore()
const admin = { clientKey: 'window:alice', transport: 'window' as const }
const actor = 'cli:test'

let dir: string
let keyhold: Keyhold
let router: Router
let smtp: SmtpPeer
let kannel: KannelPeer
let clock: FakeClock

const setPolicy = (rules: Partial<PolicyRules>) =>
  keyhold.services.policy.set({ site: { ...defaultRules, ...rules }, roles: {} }, actor)
const account = (username: string) => keyhold.deps.accounts.findByUsername(username)!
const providersNow = async () => {
  const result = await router.dispatch('provider:get', {}, admin)
  if (!result.ok) throw new Error(result.error.message)
  return result.value
}
const cleared = () =>
  (keyhold.db.prepare("SELECT event FROM audit_log WHERE event LIKE 'provider.%-cleared'").all() as unknown[]).length

async function enrollSms(username: string, phone: string, e164: string): Promise<void> {
  const view = await keyhold.services.enrollment.begin(account(username), { type: 'sms', phone }, actor)
  const code = (await kannel.waitForSms(e164)).text.match(/\b\d{6}\b/)![0]
  await keyhold.services.enrollment.verify(account(username), view.enrollmentId, code, actor)
  await keyhold.services.enrollment.enable(account(username), view.enrollmentId, true, actor)
}

async function enrollTotp(username: string): Promise<void> {
  const view = await keyhold.services.enrollment.begin(account(username), { type: 'totp' }, actor)
  await keyhold.services.enrollment.verify(account(username), view.enrollmentId, codeFor(view, clock.now()), actor)
  await keyhold.services.enrollment.enable(account(username), view.enrollmentId, true, actor)
  clock.advance(30_000)
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'keyhold-provider-clear-'))
  clock = fakeClock(Date.parse('2026-12-04T09:00:00.000Z'))
  ;[smtp, kannel] = await Promise.all([startSmtpPeer(), startKannelPeer()])
  keyhold = await openKeyhold({ dataDir: dir, secretStore: store, clock })
  router = createRouter({ handlers: createHandlers(keyhold), sessions: keyhold.auth })
  await keyhold.accounts.createFirstAdmin({ username: 'alice', email: 'alice@example.org', password }, actor)
  await keyhold.accounts.createAccount({ username: 'bob', role: 'user', password }, actor)
  await keyhold.accounts.createAccount({ username: 'carol', role: 'user', password }, actor)
  keyhold.services.providers.setEmail(
    { host: smtp.host, port: smtp.port, security: 'none', username: null, from: 'keyhold@example.org' },
    actor,
  )
  keyhold.services.providers.setSms(
    { kind: 'kannel', url: kannel.sendsmsUrl, username: kannel.username, password: kannel.password },
    undefined,
    actor,
  )
  expect(await router.dispatch('auth:sign-in', { username: 'alice', password }, admin)).toMatchObject({ ok: true })
})

afterAll(async () => {
  keyhold?.close()
  await Promise.all([smtp?.close(), kannel?.close()])
  await store.delete(keychainAccountFor(dir)).catch(() => false)
  rmSync(dir, { recursive: true, force: true })
})

describe('S35: clearing a provider', () => {
  it('S35: Required with email only, then clearing email: refused, naming the 3 accounts that could not set up a method', async () => {
    setPolicy({ enforcement: 'required', allowedMethods: ['email'] })
    const refused = await router.dispatch('provider:clear', { kind: 'email' }, admin)
    expect(refused).toMatchObject({ ok: false, error: { code: 'CONFLICT', affectedAccounts: 3 } })
    expect(refused.ok ? '' : refused.error.message).toMatch(/3 accounts could not set up a method/)
    expect((await providersNow()).email).not.toBeNull()
    expect(cleared()).toBe(0)
    // The SMS gateway is not needed by that policy: it can go (and come back).
    expect(await router.dispatch('provider:clear', { kind: 'sms' }, admin)).toEqual({ ok: true, value: {} })
    keyhold.services.providers.setSms(
      { kind: 'kannel', url: kannel.sendsmsUrl, username: kannel.username, password: kannel.password },
      undefined,
      actor,
    )
  })

  it('S35: under any policy, clearing the provider that sends the only codes an account has is refused with its count', async () => {
    setPolicy({ enforcement: 'optional' })
    await enrollSms('bob', '+44 7400 123456', '+447400123456')
    clock.advance(60_000)
    // Carol has an authenticator app as well: she could still sign in, so she is not counted.
    await enrollSms('carol', '+44 7400 654321', '+447400654321')
    await enrollTotp('carol')
    const refused = await router.dispatch('provider:clear', { kind: 'sms' }, admin)
    expect(refused).toMatchObject({ ok: false, error: { code: 'CONFLICT', affectedAccounts: 1 } })
    expect(refused.ok ? '' : refused.error.message).toMatch(/1 account could not sign in at all/)
    expect((await providersNow()).sms).not.toBeNull()
    // Once Bob has another way in, the gateway can go.
    await enrollTotp('bob')
    expect(await router.dispatch('provider:clear', { kind: 'sms' }, admin)).toEqual({ ok: true, value: {} })
    expect((await providersNow()).sms).toBeNull()
    expect(cleared()).toBe(2)
  })

  it('S35: policy:set counts with the same function: narrowing to a method nobody can set up names the accounts', async () => {
    // SMS is gone now: Required with SMS only would strand every user account (2) — and the rule holds per role.
    const refused = await router.dispatch(
      'policy:set',
      { policy: { site: { ...defaultRules }, roles: { user: { enforcement: 'required', allowedMethods: ['sms'] } } } },
      admin,
    )
    expect(refused).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION', affectedAccounts: 2, fields: [{ field: 'roles.user.enforcement' }] },
    })
    expect(refused.ok ? '' : refused.error.message).toMatch(/2 accounts have this role/)
  })
})
