import { providerOf, unhandledType, type DeliveredMethodType } from '../../shared/method-types'
import type { BeginEnrollmentInput, EnrollmentView, MethodView, SentCode } from '../../shared/mfa-schemas'
import { serverMethodTraits } from '../domain/method-traits'
import { AppError } from '../domain/app-error'
import { normalizeDigits } from '../domain/one-time-codes'
import { toE164 } from '../domain/phone'
import { requireSmsCountryAllowed } from '../domain/sms-countries'
import { iso } from './account-view'
import type { CodeDeliveryService } from './code-delivery-service'
import { currentLock, registerFailure } from './failure-counter'
import { totpSecretContext, type MfaDeps } from './mfa-deps'
import type { DeliveredFields, EnrollmentRecord, MethodRecord, TotpParams } from './mfa-ports'
import { requireAllowed } from './method-policy'
import { maskedFor, toMethodView } from './method-view'
import type { NotificationService } from './notification-service'
import type { AccountRecord } from './ports'
import type { RecoveryCodeService } from './recovery-code-service'

/**
 * Enrollment exactly as the manual describes: begin (QR or "Send Code") →
 * "Enter your code" → "Next Step" verifies → recovery codes shown once (if the
 * account has none) → "Enable". A pending enrollment is never a method (S18):
 * it lives in its own table until enabled and is deleted when it expires.
 */
const secretBytes: Record<TotpParams['algorithm'], number> = { sha1: 20, sha256: 32, sha512: 64 }
/** Wrong codes that end one enrollment (like a sign-in challenge). */
const enrollmentFailureLimit = 5

export interface EnrollmentServices {
  readonly codes: CodeDeliveryService
  readonly recovery: RecoveryCodeService
  readonly notifications: NotificationService
}

export function createEnrollmentService(deps: MfaDeps, services: EnrollmentServices) {
  const { clock, uow, enrollments, methods, audit, recoveryCodes } = deps

  function newId(): string {
    return Buffer.from(deps.random.bytes(16)).toString('hex')
  }

  function discard(enrollment: EnrollmentRecord): void {
    enrollments.delete(enrollment.id)
    if (enrollment.recoveryBatch) recoveryCodes.deleteBatch(enrollment.recoveryBatch)
    services.codes.discard('enroll', enrollment.id)
  }

  /** S18: expired enrollments go, with their codes and any recovery batch they issued. */
  function purgeExpired(): number {
    return uow.tx(() => {
      const now = clock.now()
      const expired = enrollments.deleteExpired(now)
      for (const enrollment of expired) {
        discard(enrollment)
        audit.append(
          {
            actor: 'system',
            event: 'mfa.enrollment-expired',
            accountId: enrollment.accountId,
            detail: { type: enrollment.type },
          },
          now,
        )
      }
      return expired.length
    })
  }

  const notFound = () => new AppError('NOT_FOUND', 'This setup was not found; it may have expired. Start again.')
  const expired = () => new AppError('EXPIRED', 'This setup took longer than 10 minutes and has expired. Start again.')

  function requireLive(account: AccountRecord, enrollmentId: string): EnrollmentRecord {
    const enrollment = enrollments.find(account.id, enrollmentId)
    if (!enrollment) throw notFound()
    if (enrollment.expiresAt <= clock.now()) {
      uow.tx(() => discard(enrollment))
      throw expired()
    }
    return enrollment
  }

  function requireTotpParamsAllowed(account: AccountRecord, params: TotpParams): void {
    const { totpAlgorithms, totpDigits } = deps.policy(account.role).mfa
    if (!totpAlgorithms.includes(params.algorithm) || !totpDigits.includes(params.digits)) {
      throw new AppError(
        'FORBIDDEN',
        `The site policy does not allow ${params.algorithm.toUpperCase()} codes of ${params.digits} digits`,
      )
    }
  }

  function destinationConflict(type: DeliveredMethodType): AppError {
    return new AppError(
      'CONFLICT',
      type === 'email'
        ? 'This email address is already one of your methods'
        : 'This phone number is already one of your methods',
    )
  }

  function destinationTaken(accountId: number, type: DeliveredMethodType, destination: string): boolean {
    return methods
      .listActive(accountId)
      .some((m) => m.type === type && m.destination?.toLowerCase() === destination.toLowerCase())
  }

  async function sendEnrollmentCode(
    account: AccountRecord,
    enrollment: EnrollmentRecord & DeliveredFields,
    actor: string,
  ): Promise<SentCode> {
    const channel = providerOf(enrollment.type)
    const sent = await services.codes.send({
      accountId: account.id,
      accountName: account.username,
      purpose: 'enroll',
      subject: enrollment.id,
      channel,
      destination: enrollment.destination,
      actor,
    })
    return { sentTo: maskedFor(channel, enrollment.destination), ...sent }
  }

  async function begin(account: AccountRecord, input: BeginEnrollmentInput, actor: string): Promise<EnrollmentView> {
    purgeExpired()
    requireAllowed(deps, account, input.type)
    const now = clock.now()
    const policy = deps.policy(account.role)
    const id = newId()
    const label = input.label ?? serverMethodTraits[input.type].defaultLabel
    const base = {
      id,
      accountId: account.id,
      label,
      verifiedAt: null,
      recoveryBatch: null,
      createdAt: now,
      expiresAt: now + policy.enrollmentTtlMs,
    }

    if (input.type === 'totp') {
      const { totpAlgorithms, totpDigits } = policy.mfa
      const algorithm = input.algorithm ?? (totpAlgorithms.includes('sha1') ? 'sha1' : totpAlgorithms[0]!)
      const digits = input.digits ?? (totpDigits.includes(6) ? 6 : totpDigits[0]!)
      const params: TotpParams = { algorithm, digits, period: 30 }
      requireTotpParamsAllowed(account, params)
      // S5: 20/32/64 random bytes for SHA1/SHA256/SHA512, from the CSPRNG.
      const secret = deps.random.bytes(secretBytes[params.algorithm])
      const site = deps.site.siteName()
      // otplib writes the label as Issuer:username, as authenticator apps expect.
      const otpauthUri = deps.totp.uri({ issuer: site, label: account.username, secret, params })
      const qrDataUrl = await deps.qr.dataUrl(otpauthUri)
      uow.tx(() => {
        enrollments.insert({
          ...base,
          type: input.type,
          lastUsedStep: null,
          destination: null,
          secretEnc: deps.secrets.encrypt(Buffer.from(secret).toString('base64'), totpSecretContext(account.id)),
          totp: params,
        })
        audit.append(
          { actor, event: 'mfa.enrollment-started', accountId: account.id, detail: { type: 'totp' } },
          clock.now(),
        )
      })
      return {
        enrollmentId: id,
        type: 'totp',
        label,
        expiresAt: iso(base.expiresAt),
        totp: { otpauthUri, secret: deps.totp.base32(secret), qrDataUrl, ...params },
        code: null,
      }
    }

    const destination = input.type === 'email' ? input.email.trim() : toE164(input.phone)
    // Before anything is stored: a number the site does not text can never be confirmed.
    if (input.type === 'sms') requireSmsCountryAllowed(destination, deps.site.smsCountries(), 'phone')
    if (destinationTaken(account.id, input.type, destination)) throw destinationConflict(input.type)
    const enrollment = { ...base, type: input.type, lastUsedStep: null, destination, secretEnc: null, totp: null }
    uow.tx(() => {
      enrollments.insert(enrollment)
      audit.append(
        { actor, event: 'mfa.enrollment-started', accountId: account.id, detail: { type: input.type } },
        clock.now(),
      )
    })
    try {
      const code = await sendEnrollmentCode(account, enrollment, actor)
      return { enrollmentId: id, type: input.type, label, expiresAt: iso(base.expiresAt), totp: null, code }
    } catch (error) {
      // Nothing was sent: the setup leaves nothing but its audit entries.
      uow.tx(() => discard(enrollment))
      throw error
    }
  }

  async function resend(account: AccountRecord, enrollmentId: string, actor: string): Promise<SentCode> {
    const enrollment = requireLive(account, enrollmentId)
    if (enrollment.destination === null) {
      throw new AppError(
        'VALIDATION',
        `${serverMethodTraits[enrollment.type].codeShownBy ?? 'This method'} needs no code to be sent`,
      )
    }
    if (enrollment.verifiedAt !== null) throw new AppError('CONFLICT', 'This code was already confirmed')
    return sendEnrollmentCode(account, enrollment, actor)
  }

  type VerifyOutcome = { ok: true; needsRecoveryCodes: boolean } | { ok: false; error: AppError }

  async function verify(account: AccountRecord, enrollmentId: string, code: string, actor: string) {
    const enrollment = requireLive(account, enrollmentId)
    if (enrollment.verifiedAt !== null)
      throw new AppError('CONFLICT', 'This code was already confirmed; enable the method')
    // S11, S21: the recovery codes are hashed first (slow, async) and stored in the same
    // transaction that marks the setup verified, so a crash leaves it either unverified or
    // verified with its codes. Hashed only when the account will need them.
    const batch = recoveryCodes.countUnusedActive(account.id) === 0 ? await services.recovery.makeBatch() : null
    const outcome = uow.tx((): VerifyOutcome => {
      const now = clock.now()
      // Read again inside the transaction: another process may have verified it meanwhile (S7).
      const current = enrollments.find(account.id, enrollmentId)
      if (!current)
        return {
          ok: false,
          error: new AppError('NOT_FOUND', 'This setup was not found; it may have expired. Start again.'),
        }
      if (current.verifiedAt !== null)
        return { ok: false, error: new AppError('CONFLICT', 'This code was already confirmed; enable the method') }
      const fresh = deps.accounts.findById(account.id)!
      const lock = currentLock(fresh, now)
      if (lock) return { ok: false, error: lock }
      let step: number | null = null
      let right: boolean
      // Each type's check; exhaustive, so a new type fails typecheck until it has one.
      switch (current.type) {
        case 'totp': {
          const secret = Buffer.from(deps.secrets.decrypt(current.secretEnc, totpSecretContext(account.id)), 'base64')
          step = deps.totp.verify({
            secret,
            code: normalizeDigits(code),
            params: current.totp,
            nowMs: now,
            afterStep: current.lastUsedStep,
          })
          right = step !== null
          break
        }
        case 'email':
        case 'sms': {
          const check = services.codes.check('enroll', current.id, code, account.id)
          if (check.result === 'expired' || check.result === 'missing') {
            return { ok: false, error: new AppError('EXPIRED', 'This code has expired; send a new one') }
          }
          right = check.result === 'ok'
          break
        }
        default:
          return unhandledType(current)
      }
      if (!right) {
        // S13: the account's one failure counter counts these too.
        const failure = registerFailure(deps, fresh, now, actor, 'mfa.enrollment-code-failed', current.type)
        const count = enrollments.addFailure(current.id)
        if (failure.locked) return { ok: false, error: failure.locked }
        if (count >= enrollmentFailureLimit) {
          discard(current)
          return {
            ok: false,
            error: new AppError('INVALID_CODE', 'Too many wrong codes; this setup has ended. Start again.', {
              attemptsLeft: 0,
            }),
          }
        }
        return {
          ok: false,
          error: new AppError('INVALID_CODE', 'That code is not right', {
            attemptsLeft: Math.min(enrollmentFailureLimit - count, failure.attemptsLeft),
          }),
        }
      }
      const issue = batch !== null && recoveryCodes.countUnusedActive(account.id) === 0
      if (issue) recoveryCodes.insertBatch(account.id, batch.batch, batch.hashes, false, now)
      enrollments.markVerified(current.id, now, step, issue ? batch.batch : null)
      audit.append(
        { actor, event: 'mfa.enrollment-verified', accountId: account.id, detail: { type: current.type } },
        now,
      )
      return { ok: true, needsRecoveryCodes: issue }
    })
    if (!outcome.ok) throw outcome.error
    if (!outcome.needsRecoveryCodes) return { enrollmentId, recoveryCodes: null }
    return { enrollmentId, recoveryCodes: [...batch!.codes] }
  }

  type EnableOutcome = { ok: true; method: MethodRecord } | { ok: false; error: AppError }

  /**
   * Everything is decided inside the one transaction, on the enrollment and the
   * policy as they are then: another window or the CLI may have enabled,
   * cancelled or replaced something since this request was sent, and an
   * administrator may have changed the policy since the setup began.
   */
  async function enable(
    account: AccountRecord,
    enrollmentId: string,
    recoveryCodesSaved: boolean,
    actor: string,
    keepSessionId?: string,
  ): Promise<MethodView> {
    const outcome = uow.tx((): EnableOutcome => {
      const now = clock.now()
      const current = enrollments.find(account.id, enrollmentId)
      if (!current) return { ok: false, error: notFound() }
      if (current.expiresAt <= now) {
        discard(current)
        return { ok: false, error: expired() }
      }
      if (current.verifiedAt === null)
        return { ok: false, error: new AppError('VALIDATION', 'Enter the code first, then enable the method') }
      if (current.recoveryBatch !== null && !recoveryCodesSaved) {
        return {
          ok: false,
          error: new AppError('VALIDATION', 'Confirm that you have saved your recovery codes', {
            fields: [{ field: 'recoveryCodesSaved', message: 'Confirm that you have saved your recovery codes' }],
          }),
        }
      }
      const fresh = deps.accounts.findById(account.id)
      if (!fresh) return { ok: false, error: notFound() }
      // The policy now, for the account's role now: a type or TOTP form it no longer allows is refused.
      requireAllowed(deps, fresh, current.type)
      if (current.totp) requireTotpParamsAllowed(fresh, current.totp)
      if (current.type === 'sms') requireSmsCountryAllowed(current.destination!, deps.site.smsCountries(), 'phone')
      if (current.destination !== null && destinationTaken(account.id, current.type, current.destination)) {
        return { ok: false, error: destinationConflict(current.type) }
      }
      // S36: the set this setup showed becomes the one valid set. If that set is gone (the last method
      // was removed meanwhile, taking every code with it), the user would leave believing codes valid
      // that are not; and a setup that showed none relies on the valid set, which may be gone the same
      // way, leaving MFA without recovery codes. Either way this setup ends and a new one issues a set.
      const showed = current.recoveryBatch !== null
      const batchLive = showed && recoveryCodes.hasBatch(account.id, current.recoveryBatch!)
      if (showed ? !batchLive : !recoveryCodes.hasActiveSet(account.id)) {
        discard(current)
        return {
          ok: false,
          error: new AppError(
            'RECOVERY_CODES_CHANGED',
            'Your recovery codes changed while this was being set up; start again to get a new set',
          ),
        }
      }
      const first = methods.countActive(account.id) === 0
      // The type's own fields move as they are; S7: lastUsedStep among them, so the code
      // used to enroll cannot be replayed at sign-in.
      const {
        id: _id,
        accountId: _accountId,
        verifiedAt: _verifiedAt,
        recoveryBatch: _recoveryBatch,
        createdAt: _createdAt,
        expiresAt: _expiresAt,
        ...fields
      } = current
      const created = methods.insert({ ...fields, accountId: account.id, preferred: first, createdAt: now })
      if (batchLive) recoveryCodes.activateBatch(account.id, current.recoveryBatch!)
      enrollments.delete(current.id)
      // S16: a factor change ends the account's other sessions.
      deps.sessions.endAllForAccount(account.id, now, keepSessionId)
      audit.append(
        {
          actor,
          event: 'mfa.method-added',
          accountId: account.id,
          detail: { type: created.type, methodId: created.id, preferred: first },
        },
        now,
      )
      return { ok: true, method: created }
    })
    if (!outcome.ok) throw outcome.error
    await services.notifications.notify(account.id, 'method-added', outcome.method.label)
    return toMethodView(outcome.method)
  }

  function cancel(account: AccountRecord, enrollmentId: string, actor: string): void {
    uow.tx(() => {
      const enrollment = enrollments.find(account.id, enrollmentId)
      if (!enrollment) return
      discard(enrollment)
      audit.append(
        { actor, event: 'mfa.enrollment-cancelled', accountId: account.id, detail: { type: enrollment.type } },
        clock.now(),
      )
    })
  }

  return { begin, resend, verify, enable, cancel, purgeExpired }
}

export type EnrollmentService = ReturnType<typeof createEnrollmentService>
