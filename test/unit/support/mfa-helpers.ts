import { ScureBase32Plugin } from 'otplib'
import { totpCodeAt } from '../../../electron/main/adapters/otp/totp-engine'
import type { EnrollmentView } from '../../../electron/shared/mfa-schemas'
import type { TotpParams } from '../../../electron/main/services/mfa-ports'
import type { AccountRecord } from '../../../electron/main/services/ports'
import { actor, type CoreFixture } from './core-fixture'

const base32 = new ScureBase32Plugin()

export function secretBytes(view: EnrollmentView): Uint8Array {
  return base32.decode(view.totp!.secret)
}

export function codeFor(view: EnrollmentView, nowMs: number): string {
  const totp = view.totp!
  const params: TotpParams = { algorithm: totp.algorithm, digits: totp.digits === 8 ? 8 : 6, period: 30 }
  return totpCodeAt(secretBytes(view), params, nowMs)
}

export function account(f: CoreFixture, username: string): AccountRecord {
  const found = f.deps.accounts.findByUsername(username)
  if (!found) throw new Error(`no account ${username}`)
  return found
}

/** Enrolls an authenticator app end to end and returns what a user would have kept. */
export async function enrollTotp(f: CoreFixture, username: string) {
  const view = await f.services.enrollment.begin(account(f, username), { type: 'totp' }, actor)
  const verified = await f.services.enrollment.verify(
    account(f, username),
    view.enrollmentId,
    codeFor(view, f.clock.now()),
    actor,
  )
  const method = await f.services.enrollment.enable(account(f, username), view.enrollmentId, true, actor)
  // Move past the step used to enroll, which is consumed (S7).
  f.clock.advance(30_000)
  return { view, method, recoveryCodes: verified.recoveryCodes }
}

export async function enrollEmail(f: CoreFixture, username: string, email: string) {
  const view = await f.services.enrollment.begin(account(f, username), { type: 'email', email }, actor)
  const verified = await f.services.enrollment.verify(
    account(f, username),
    view.enrollmentId,
    f.senders.lastCode(email),
    actor,
  )
  const method = await f.services.enrollment.enable(account(f, username), view.enrollmentId, true, actor)
  return { view, method, recoveryCodes: verified.recoveryCodes }
}

export async function enrollSms(f: CoreFixture, username: string, phone: string, e164: string) {
  const view = await f.services.enrollment.begin(account(f, username), { type: 'sms', phone }, actor)
  const verified = await f.services.enrollment.verify(
    account(f, username),
    view.enrollmentId,
    f.senders.lastCode(e164),
    actor,
  )
  const method = await f.services.enrollment.enable(account(f, username), view.enrollmentId, true, actor)
  return { view, method, recoveryCodes: verified.recoveryCodes }
}

export async function refusal(
  action: Promise<unknown> | (() => unknown),
): Promise<{ code: string; message: string; extra: Record<string, unknown> }> {
  try {
    await (typeof action === 'function' ? action() : action)
  } catch (error) {
    if (error && typeof error === 'object' && 'code' in error) {
      const e = error as { code: string; message: string; extra?: Record<string, unknown> }
      return { code: e.code, message: e.message, extra: e.extra ?? {} }
    }
    throw error
  }
  throw new Error('expected a refusal')
}
