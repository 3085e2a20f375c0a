import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EmailProviderInput, SmsProviderInput } from '../../electron/shared/provider-schemas'
import { closedPort } from '../peers/free-port'
import { startKannelPeer, type KannelPeer } from '../peers/kannel-peer'
import { startSilentPeer, type SilentPeer } from '../peers/silent-peer'
import { startSmtpPeer, type SmtpPeer } from '../peers/smtp-peer'
import { actor, openFaultKeyhold, password, type FaultKeyhold } from './support/fault-keyhold'

/**
 * Faults of the code providers, with real peers: an SMTP server that is down,
 * silent or refuses the sign-in; a Kannel that is down, refuses the password
 * (403) or queues ("3: Queued for later delivery"). For each: the user gets a
 * DELIVERY_FAILED that says what is wrong, nothing is lost (the sign-in still
 * waits, no code or cooldown is left behind, no failure is counted), and the
 * same sign-in finishes once the fault is gone.
 */
const timeoutMs = 1500
const workEmail = 'amy.work@example.test'
const phone = '+14155552671'

let f: FaultKeyhold
let smtp: SmtpPeer
let smtpWithAuth: SmtpPeer
let silent: SilentPeer
let kannel: KannelPeer
let queuing: KannelPeer
let emailMethodId: number
let smsMethodId: number

const goodSmtp = (): EmailProviderInput => ({
  host: smtp.host,
  port: smtp.port,
  security: 'none',
  from: 'keyhold@example.test',
})
const goodKannel = (): Extract<SmsProviderInput, { kind: 'kannel' }> => ({
  kind: 'kannel',
  url: kannel.sendsmsUrl,
  username: kannel.username,
  password: kannel.password,
})

function codeIn(text: string): string {
  const code = /\b\d{6}\b/.exec(text)?.[0]
  if (!code) throw new Error(`no code in: ${text}`)
  return code
}

/** The next email to `to` that carries a code (notifications go to the same addresses). */
async function nextMailCode(peer: SmtpPeer, to: string): Promise<string> {
  for (;;) {
    const mail = await peer.waitForMessage(to)
    if (/\b\d{6}\b/.test(mail.text)) return codeIn(mail.text)
  }
}

beforeAll(async () => {
  ;[smtp, smtpWithAuth, silent, kannel, queuing] = await Promise.all([
    startSmtpPeer(),
    startSmtpPeer({ auth: { user: 'keyhold', pass: 'smtp-right-9' } }),
    startSilentPeer(),
    startKannelPeer(),
    startKannelPeer({ smsc: false }),
  ])
  f = await openFaultKeyhold({ delivery: { timeoutMs } })
  const { services } = f.keyhold
  await services.accounts.createFirstAdmin({ username: 'root', password }, actor)
  await services.accounts.createAccount({ username: 'amy', role: 'user', email: 'amy@example.test', password }, actor)
  services.providers.setEmail(goodSmtp(), actor)
  services.providers.setSms(goodKannel(), undefined, actor)
  const amy = () => f.keyhold.deps.accounts.findByUsername('amy')!

  const email = await services.enrollment.begin(amy(), { type: 'email', email: workEmail }, actor)
  await services.enrollment.verify(amy(), email.enrollmentId, await nextMailCode(smtp, workEmail), actor)
  emailMethodId = (await services.enrollment.enable(amy(), email.enrollmentId, true, actor)).id
  const sms = await services.enrollment.begin(amy(), { type: 'sms', phone }, actor)
  await services.enrollment.verify(amy(), sms.enrollmentId, codeIn((await kannel.waitForSms(phone)).text), actor)
  smsMethodId = (await services.enrollment.enable(amy(), sms.enrollmentId, true, actor)).id
})

afterAll(async () => {
  f?.close()
  await Promise.all([smtp?.close(), smtpWithAuth?.close(), silent?.close(), kannel?.close(), queuing?.close()])
})

/** What a failed send may not change: the failure counter, the codes and cooldowns, the waiting sign-ins. */
function state() {
  const db = f.keyhold.db
  return {
    account: db.prepare("SELECT failed_attempts, locked_until FROM accounts WHERE username = 'amy'").get(),
    codes: db.prepare('SELECT purpose, subject FROM otp_codes ORDER BY id').all(),
    sends: db.prepare('SELECT subject FROM code_sends ORDER BY id').all(),
    waiting: db
      .prepare("SELECT id, factor_failures FROM sessions WHERE state = 'pending_mfa' AND ended_at IS NULL")
      .all(),
  }
}

function lastAudit(event: string) {
  return f.keyhold.db
    .prepare<[string], { detail: string }>('SELECT detail FROM audit_log WHERE event = ? ORDER BY id DESC LIMIT 1')
    .get(event)
}

/**
 * A sign-in that asks for a code while the provider is broken, then again once it is fixed.
 * An hour passes first, so the per-destination hourly limit (S10) never comes into it.
 */
async function throughFault(options: {
  readonly methodId: number
  readonly message: RegExp
  readonly fix: () => void
  readonly receive: () => Promise<string>
}) {
  f.clock.advance(61 * 60_000)
  const window = f.client()
  const signIn = await f.ok('auth:sign-in', { username: 'amy', password }, window)
  expect(signIn.status).toBe('mfa-required')
  const before = state()

  const refusal = await f.refused('auth:send-code', { methodId: options.methodId }, window)
  expect(refusal).toMatchObject({ code: 'DELIVERY_FAILED', message: expect.stringMatching(options.message) })
  // Nothing lost: the same sign-in still waits with all its attempts, and nothing was reserved or counted.
  expect(state()).toEqual(before)
  expect(await f.ok('auth:get-challenge', {}, window)).toMatchObject({ attemptsLeft: 5 })
  expect(JSON.parse(lastAudit('code.send-failed')!.detail)).toMatchObject({
    reason: expect.stringMatching(options.message),
  })

  // The fault is gone: the same sign-in sends at once (no cooldown was started) and finishes.
  options.fix()
  await f.ok('auth:send-code', { methodId: options.methodId }, window)
  const code = await options.receive()
  expect(await f.ok('auth:verify-code', { methodId: options.methodId, code }, window)).toMatchObject({
    status: 'signed-in',
  })
  return window
}

describe('SMTP faults', () => {
  it('SMTP down: says the server refused the connection; works once it is back', async () => {
    const port = await closedPort()
    f.keyhold.services.providers.setEmail({ ...goodSmtp(), port }, actor)
    const window = await throughFault({
      methodId: emailMethodId,
      message: new RegExp(`the SMTP server at 127\\.0\\.0\\.1:${port} refused the connection`),
      fix: () => f.keyhold.services.providers.setEmail(goodSmtp(), actor),
      receive: () => nextMailCode(smtp, workEmail),
    })

    // An email enrollment begun while the server is down leaves no pending setup behind (S18).
    f.keyhold.services.providers.setEmail({ ...goodSmtp(), port }, actor)
    const enrollment = await f.refused(
      'mfa:begin-enrollment',
      { type: 'email', email: 'amy.home@example.test' },
      window,
    )
    expect(enrollment).toMatchObject({ code: 'DELIVERY_FAILED' })
    expect(f.keyhold.db.prepare('SELECT count(*) AS n FROM mfa_enrollments').get()).toEqual({ n: 0 })
    f.keyhold.services.providers.setEmail(goodSmtp(), actor)
    const begun = await f.ok('mfa:begin-enrollment', { type: 'email', email: 'amy.home@example.test' }, window)
    expect(begun.code).toMatchObject({ sentTo: expect.any(String) })
    expect(await nextMailCode(smtp, 'amy.home@example.test')).toMatch(/^\d{6}$/)
    await f.ok('mfa:cancel-enrollment', { enrollmentId: begun.enrollmentId }, window)
  })

  it(`SMTP slow: gives up after ${timeoutMs} ms and says so; works once it answers`, async () => {
    const before = silent.connections()
    f.keyhold.services.providers.setEmail({ ...goodSmtp(), port: silent.port }, actor)
    await throughFault({
      methodId: emailMethodId,
      message: /did not answer within 1\.5 seconds/,
      fix: () => f.keyhold.services.providers.setEmail(goodSmtp(), actor),
      receive: () => nextMailCode(smtp, workEmail),
    })
    // It really was the silent server that was tried.
    expect(silent.connections()).toBeGreaterThan(before)
  })

  it('SMTP refusing the sign-in (535): says the username or password was refused; works with the right one', async () => {
    // The test server has no TLS: signing in over it needs the knowing opt-in (S34).
    const withAuth = { ...goodSmtp(), port: smtpWithAuth.port, username: 'keyhold', unencryptedSignIn: true }
    f.keyhold.services.providers.setEmail({ ...withAuth, password: 'smtp-wrong-1' }, actor)
    await throughFault({
      methodId: emailMethodId,
      message: /refused the username or password \(535\)/,
      fix: () => f.keyhold.services.providers.setEmail({ ...withAuth, password: 'smtp-right-9' }, actor),
      receive: () => nextMailCode(smtpWithAuth, workEmail),
    })
    expect(smtpWithAuth.messages.at(-1)?.user).toBe('keyhold')
  })
})

describe('Kannel faults', () => {
  const nextSmsCode = async () => codeIn((await kannel.waitForSms(phone)).text)

  it('Kannel down: says the gateway is not reachable; works once it is back', async () => {
    const port = await closedPort()
    f.keyhold.services.providers.setSms(
      { ...goodKannel(), url: `http://127.0.0.1:${port}/cgi-bin/sendsms` },
      undefined,
      actor,
    )
    await throughFault({
      methodId: smsMethodId,
      message: new RegExp(`the SMS gateway at 127\\.0\\.0\\.1:${port} is not reachable`),
      fix: () => f.keyhold.services.providers.setSms(goodKannel(), undefined, actor),
      receive: nextSmsCode,
    })
  })

  it('Kannel refusing the password (403): says the gateway refused it; works with the right one', async () => {
    f.keyhold.services.providers.setSms({ ...goodKannel(), password: 'kannel-wrong-1' }, undefined, actor)
    await throughFault({
      methodId: smsMethodId,
      message: /the SMS gateway refused the username or password \(403\)/,
      fix: () => f.keyhold.services.providers.setSms(goodKannel(), undefined, actor),
      receive: nextSmsCode,
    })
  })

  it('Kannel queuing ("3: Queued for later delivery"): counts as sent; a resend after the cooldown arrives', async () => {
    f.clock.advance(61 * 60_000)
    f.keyhold.services.providers.setSms(
      { kind: 'kannel', url: queuing.sendsmsUrl, username: queuing.username, password: queuing.password },
      undefined,
      actor,
    )
    const window = f.client()
    await f.ok('auth:sign-in', { username: 'amy', password }, window)
    const sent = await f.ok('auth:send-code', { methodId: smsMethodId }, window)
    expect(sent).toMatchObject({ sentTo: expect.any(String), resendAvailableAt: expect.any(String) })
    expect(JSON.parse(lastAudit('code.sent')!.detail)).toEqual({ channel: 'sms', purpose: 'sign-in' })
    expect(f.keyhold.db.prepare("SELECT count(*) AS n FROM otp_codes WHERE purpose = 'sign-in'").get()).toEqual({
      n: 1,
    })
    // Sent means sent (S10): a resend waits for the cooldown like any other.
    expect(await f.refused('auth:send-code', { methodId: smsMethodId }, window)).toMatchObject({ code: 'RATE_LIMITED' })

    // The operator link never came back here; the user asks again through a working gateway.
    f.keyhold.services.providers.setSms(goodKannel(), undefined, actor)
    f.clock.advance(61_000)
    await f.ok('auth:send-code', { methodId: smsMethodId }, window)
    expect(await f.ok('auth:verify-code', { methodId: smsMethodId, code: await nextSmsCode() }, window)).toMatchObject({
      status: 'signed-in',
    })
  })
})
