import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createKeytarSecretStore } from '../../../electron/main/adapters/keychain/keytar-secret-store'
import { keychainAccountFor } from '../../../electron/main/adapters/vault/open-vault'
import { openKeyhold, type Keyhold } from '../../../electron/main/composition/open-keyhold'
import { createHandlers } from '../../../electron/main/ipc/handlers'
import { createRouter, type Router } from '../../../electron/main/ipc/router'
import { startKannelPeer, type KannelPeer } from '../../peers/kannel-peer'
import { startSmtpPeer, type SmtpPeer } from '../../peers/smtp-peer'

/**
 * The MFA engine end to end with real peers: a real SQLite file, the real
 * keychain (scripts/with-keyring.sh), a real SMTP server and a real Kannel.
 */
const password = 'violet-harbour-kettle-42'
const store = createKeytarSecretStore()
let dir: string
let keyhold: Keyhold
let router: Router
let smtp: SmtpPeer
let kannel: KannelPeer
const ctx = (n: number) => ({ clientKey: `window:${n}`, transport: 'window' as const })

function codeIn(text: string): string {
  const code = text.match(/\b\d{6}\b/)?.[0]
  if (!code) throw new Error(`no code in: ${text}`)
  return code
}

/** The next email to `to` that carries a code (notifications go to the same address). */
async function nextMailCode(to: string): Promise<string> {
  for (;;) {
    const mail = await smtp.waitForMessage(to)
    if (/\b\d{6}\b/.test(mail.text)) return codeIn(mail.text)
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'keyhold-peers-'))
  ;[smtp, kannel] = await Promise.all([
    startSmtpPeer({ auth: { user: 'keyhold', pass: 'smtp-secret-9' } }),
    startKannelPeer(),
  ])
  keyhold = await openKeyhold({ dataDir: dir, secretStore: store })
  router = createRouter({ handlers: createHandlers(keyhold), sessions: keyhold.auth })
  await keyhold.accounts.createFirstAdmin({ username: 'alice', email: 'alice@example.org', password }, 'cli:test')
  keyhold.services.providers.setEmail(
    {
      host: smtp.host,
      port: smtp.port,
      security: 'none',
      username: 'keyhold',
      password: 'smtp-secret-9',
      // The peer signs in without TLS: chosen knowingly (S34).
      unencryptedSignIn: true,
      from: 'keyhold@example.org',
    },
    'cli:test',
  )
  keyhold.services.providers.setSms(
    { kind: 'kannel', url: kannel.sendsmsUrl, username: kannel.username, password: kannel.password },
    undefined,
    'cli:test',
  )
  keyhold.services.site.setSiteName('Acme Plant', 'cli:test')
})

afterAll(async () => {
  keyhold?.close()
  await Promise.all([smtp?.close(), kannel?.close()])
  await store.delete(keychainAccountFor(dir)).catch(() => false)
  rmSync(dir, { recursive: true, force: true })
})

describe('MFA with a real SMTP server and a real Kannel', () => {
  it('enrolls email and SMS through the router, then signs in with each', async () => {
    expect(await router.dispatch('auth:sign-in', { username: 'alice', password }, ctx(1))).toMatchObject({
      ok: true,
      value: { status: 'signed-in' },
    })

    // Email: "Send Code" → the code arrives at the real SMTP server.
    const email = await router.dispatch(
      'mfa:begin-enrollment',
      { type: 'email', email: 'alice.work@example.org' },
      ctx(1),
    )
    if (!email.ok) throw new Error(email.error.message)
    const mail = await smtp.waitForMessage('alice.work@example.org')
    expect(mail.subject).toBe('Acme Plant security code')
    expect(mail.user).toBe('keyhold')
    const verified = await router.dispatch(
      'mfa:verify-enrollment',
      { enrollmentId: email.value.enrollmentId, code: codeIn(mail.text) },
      ctx(1),
    )
    if (!verified.ok) throw new Error(verified.error.message)
    expect(verified.value.recoveryCodes).toHaveLength(10)
    expect(
      await router.dispatch(
        'mfa:enable-enrollment',
        { enrollmentId: email.value.enrollmentId, recoveryCodesSaved: true },
        ctx(1),
      ),
    ).toMatchObject({
      ok: true,
      value: { type: 'email', preferred: true },
    })

    // SMS: the code arrives at Kannel's fake operator.
    const sms = await router.dispatch('mfa:begin-enrollment', { type: 'sms', phone: '+1 415 555 2671' }, ctx(1))
    if (!sms.ok) throw new Error(sms.error.message)
    const text = await kannel.waitForSms('+14155552671')
    expect(text.text).toMatch(/Acme Plant/)
    expect(
      await router.dispatch(
        'mfa:verify-enrollment',
        { enrollmentId: sms.value.enrollmentId, code: codeIn(text.text) },
        ctx(1),
      ),
    ).toMatchObject({
      ok: true,
      value: { recoveryCodes: null },
    })
    const smsMethod = await router.dispatch(
      'mfa:enable-enrollment',
      { enrollmentId: sms.value.enrollmentId, recoveryCodesSaved: false },
      ctx(1),
    )
    if (!smsMethod.ok) throw new Error(smsMethod.error.message)
    // S16: the owner was told at the account address and the confirmed email method.
    const notice = await smtp.waitForMessage('alice@example.org')
    expect(notice.text).toMatch(/was added/)

    // Sign in with the email code.
    const challenge = await router.dispatch('auth:sign-in', { username: 'alice', password }, ctx(2))
    if (!challenge.ok || challenge.value.status !== 'mfa-required') throw new Error('expected a challenge')
    const emailMethod = challenge.value.challenge.methods[0]!
    expect(emailMethod).toMatchObject({ type: 'email', destination: 'a••••••k@example.org', preferred: true })
    await router.dispatch('auth:send-code', { methodId: emailMethod.id }, ctx(2))
    const signInCode = await nextMailCode('alice.work@example.org')
    expect(
      await router.dispatch('auth:verify-code', { methodId: emailMethod.id, code: signInCode }, ctx(2)),
    ).toMatchObject({
      ok: true,
      value: { status: 'signed-in' },
    })

    // Sign in with the SMS code ("Use another method").
    await router.dispatch('auth:sign-in', { username: 'alice', password }, ctx(3))
    await router.dispatch('auth:send-code', { methodId: smsMethod.value.id }, ctx(3))
    const signInSms = await kannel.waitForSms('+14155552671')
    expect(
      await router.dispatch('auth:verify-code', { methodId: smsMethod.value.id, code: codeIn(signInSms.text) }, ctx(3)),
    ).toMatchObject({
      ok: true,
    })
  })

  it('S9, S20: no code, provider secret or TOTP secret is in the database file in clear', async () => {
    keyhold.db.pragma('wal_checkpoint(TRUNCATE)')
    const bytes = Buffer.concat(readdirSync(dir).map((name) => readFileSync(join(dir, name))))
    const codes = [...smtp.messages.map((m) => m.text), ...kannel.messages.map((m) => m.text)].flatMap(
      (t) => t.match(/\b\d{6}\b/g) ?? [],
    )
    expect(codes.length).toBeGreaterThanOrEqual(3)
    for (const secret of ['smtp-secret-9', kannel.password, ...codes.map((c) => `"${c}"`)]) {
      expect(bytes.includes(Buffer.from(secret))).toBe(false)
    }
  })

  it('a gateway that refuses gives a specific message, no cooldown, and works again when fixed', async () => {
    await router.dispatch('auth:sign-in', { username: 'alice', password }, ctx(4))
    const overview = keyhold.services.methods.overview(keyhold.deps.accounts.findByUsername('alice')!)
    const sms = overview.methods.find((m) => m.type === 'sms')!
    keyhold.services.providers.setSms(
      { kind: 'kannel', url: kannel.sendsmsUrl, username: kannel.username, password: 'wrong' },
      undefined,
      'cli:test',
    )
    const refused = await router.dispatch('auth:send-code', { methodId: sms.id }, ctx(4))
    expect(refused).toMatchObject({
      ok: false,
      error: { code: 'DELIVERY_FAILED', message: expect.stringMatching(/refused.*403/) },
    })
    keyhold.services.providers.setSms(
      { kind: 'kannel', url: kannel.sendsmsUrl, username: kannel.username, password: kannel.password },
      undefined,
      'cli:test',
    )
    expect(await router.dispatch('auth:send-code', { methodId: sms.id }, ctx(4))).toMatchObject({ ok: true })
    const audit = keyhold.services.audit.list({ limit: 50 }).map((e) => e.event)
    expect(audit).toEqual(expect.arrayContaining(['code.send-failed', 'code.sent']))
    expect(keyhold.services.audit.verify()).toMatchObject({ ok: true })
  })
})
