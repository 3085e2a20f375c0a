import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createKeytarSecretStore } from '../../../electron/main/adapters/keychain/keytar-secret-store'
import { keychainAccountFor } from '../../../electron/main/adapters/vault/open-vault'
import { openKeyhold, type Keyhold } from '../../../electron/main/composition/open-keyhold'
import { createHandlers } from '../../../electron/main/ipc/handlers'
import { createRouter, type Router } from '../../../electron/main/ipc/router'
import type { ProvidersView } from '../../../electron/shared/provider-schemas'
import { closedPort } from '../../peers/free-port'
import { startKannelPeer, type KannelPeer } from '../../peers/kannel-peer'
import { startSmtpPeer, type SmtpPeer } from '../../peers/smtp-peer'
import { fakeClock, type FakeClock } from '../../unit/support/core-fixture'

/**
 * Issue 5: "the result of the last send", per provider, after every test
 * message and every real code delivery — on the whole stack: a real SQLite
 * file, the real keychain (scripts/with-keyring.sh), a real SMTP server and a
 * real Kannel, through the IPC router as the window calls it. Also the SMS
 * country list at send time on the same stack.
 */
const password = 'violet-harbour-kettle-42'
const store = createKeytarSecretStore()
const bobPhone = '+44 7400 123456'
const bobE164 = '+447400123456'
const admin = { clientKey: 'window:alice', transport: 'window' as const }
const user = { clientKey: 'window:bob', transport: 'window' as const }

let dir: string
let keyhold: Keyhold
let router: Router
let smtp: SmtpPeer
let kannel: KannelPeer
let clock: FakeClock

function useKannel(secret: string): void {
  keyhold.services.providers.setSms(
    { kind: 'kannel', url: kannel.sendsmsUrl, username: kannel.username, password: secret },
    undefined,
    'cli:test',
  )
}

async function providers(): Promise<ProvidersView> {
  const result = await router.dispatch('provider:get', {}, admin)
  if (!result.ok) throw new Error(result.error.message)
  return result.value
}

function auditEvents(): string[] {
  return (keyhold.db.prepare('SELECT event FROM audit_log ORDER BY id').all() as { event: string }[]).map(
    (r) => r.event,
  )
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'keyhold-last-send-'))
  clock = fakeClock(Date.parse('2026-11-28T09:00:00.000Z'))
  ;[smtp, kannel] = await Promise.all([startSmtpPeer(), startKannelPeer()])
  keyhold = await openKeyhold({ dataDir: dir, secretStore: store, clock })
  router = createRouter({ handlers: createHandlers(keyhold), sessions: keyhold.auth })
  await keyhold.accounts.createFirstAdmin({ username: 'alice', email: 'alice@example.org', password }, 'cli:test')
  await keyhold.accounts.createAccount({ username: 'bob', role: 'user', password }, 'cli:test')
  keyhold.services.providers.setEmail(
    { host: smtp.host, port: smtp.port, security: 'none', username: null, from: 'keyhold@example.org' },
    'cli:test',
  )
  useKannel(kannel.password)
  expect(await router.dispatch('auth:sign-in', { username: 'alice', password }, admin)).toMatchObject({ ok: true })
  expect(await router.dispatch('auth:sign-in', { username: 'bob', password }, user)).toMatchObject({ ok: true })
})

afterAll(async () => {
  keyhold?.close()
  await Promise.all([smtp?.close(), kannel?.close()])
  await store.delete(keychainAccountFor(dir)).catch(() => false)
  rmSync(dir, { recursive: true, force: true })
})

describe('the last send per provider', () => {
  let enrollmentId: string

  it('is null for both providers before anything was sent', async () => {
    expect((await providers()).lastSend).toEqual({ email: null, sms: null })
  })

  it('a test email: sent, purpose "test", the address masked; the audit row is still written', async () => {
    expect(await router.dispatch('provider:test', { kind: 'email', to: 'operator@example.org' }, admin)).toEqual({
      ok: true,
      value: { sent: true },
    })
    await smtp.waitForMessage('operator@example.org')
    expect((await providers()).lastSend).toEqual({
      email: { at: '2026-11-28T09:00:00.000Z', ok: true, purpose: 'test', to: 'o••••••r@example.org', detail: null },
      sms: null,
    })
    expect(auditEvents()).toContain('provider.test-sent')
  })

  it('a real code delivery (SMS setup) through Kannel: sent, purpose "code"; never the code or the number', async () => {
    clock.advance(60_000)
    const begun = await router.dispatch('mfa:begin-enrollment', { type: 'sms', phone: bobPhone }, user)
    if (!begun.ok) throw new Error(begun.error.message)
    enrollmentId = begun.value.enrollmentId
    const code = (await kannel.waitForSms(bobE164)).text.match(/\b\d{6}\b/)![0]
    const view = await providers()
    expect(view.lastSend.sms).toEqual({
      at: '2026-11-28T09:01:00.000Z',
      ok: true,
      purpose: 'code',
      to: '+44 •••••••456',
      detail: null,
    })
    const json = JSON.stringify(view)
    expect(json).not.toContain(code)
    expect(json).not.toContain(bobE164.slice(1))
  })

  it('a code Kannel refuses (wrong password): failed, with the reason; the code.send-failed audit row stays', async () => {
    useKannel('not-the-password')
    clock.advance(61_000)
    const refused = await router.dispatch('mfa:resend-enrollment-code', { enrollmentId }, user)
    const reason =
      'the SMS gateway refused the username or password (403); check the credentials in the SMS provider settings'
    expect(refused).toMatchObject({ ok: false, error: { code: 'DELIVERY_FAILED', message: reason } })
    expect((await providers()).lastSend.sms).toEqual({
      at: '2026-11-28T09:02:01.000Z',
      ok: false,
      purpose: 'code',
      to: '+44 •••••••456',
      detail: reason,
    })
    expect(auditEvents().at(-1)).toBe('code.send-failed')
    useKannel(kannel.password)
  })

  it('a number outside the SMS country list is refused before any send: the last send stays as it was', async () => {
    const before = (await providers()).lastSend.sms
    const messages = kannel.messages.length
    expect(await router.dispatch('provider:set-sms-countries', { countries: ['DE', 'AT', 'CH'] }, admin)).toEqual({
      ok: true,
      value: { countries: ['DE', 'AT', 'CH'] },
    })
    clock.advance(61_000)
    const refused = await router.dispatch('provider:test', { kind: 'sms', to: bobPhone }, admin)
    expect(refused).toMatchObject({
      ok: false,
      error: {
        code: 'VALIDATION',
        message: 'This site does not send text messages to GB numbers',
        fields: [{ field: 'to', message: 'This site does not send text messages to GB numbers' }],
      },
    })
    expect(kannel.messages).toHaveLength(messages)
    expect((await providers()).lastSend.sms).toEqual(before)
    await router.dispatch('provider:set-sms-countries', { countries: null }, admin)
  })

  it('an SMTP server that is down: the test email failed, with the reason', async () => {
    const port = await closedPort()
    keyhold.services.providers.setEmail(
      { host: '127.0.0.1', port, security: 'none', username: null, from: 'keyhold@example.org' },
      'cli:test',
    )
    const refused = await router.dispatch('provider:test', { kind: 'email', to: 'operator@example.org' }, admin)
    expect(refused).toMatchObject({ ok: false, error: { code: 'DELIVERY_FAILED' } })
    const last = (await providers()).lastSend.email
    expect(last).toMatchObject({ ok: false, purpose: 'test', to: 'o••••••r@example.org' })
    expect(last?.detail).toBe(`the SMTP server at 127.0.0.1:${port} refused the connection`)
  })

  it('clearing a provider forgets its last send', async () => {
    expect(await router.dispatch('provider:clear', { kind: 'sms' }, admin)).toEqual({ ok: true, value: {} })
    const view = await providers()
    expect(view.lastSend.sms).toBeNull()
    expect(view.lastSend.email).not.toBeNull()
  })
})
