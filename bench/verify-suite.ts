import { hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2'
import { randomBytes, randomInt } from 'node:crypto'
import { ScureBase32Plugin } from 'otplib'
import { argon2Params } from '../electron/main/adapters/crypto/argon2-password-hasher'
import { totpCodeAt } from '../electron/main/adapters/otp/totp-engine'
import type { ResolvedSession } from '../electron/main/services/auth-service'
import type { TotpParams } from '../electron/main/services/mfa-ports'
import type { AccountRecord } from '../electron/main/services/ports'
import type { BenchKeyhold, ManualClock } from './bench-keyhold'
import { figure, targets, type Figure, type Target } from './figure-report'
import type { FloorDb } from './floor-db'
import { measure, measureTogether } from './measure-task'
import type { SignInFloor } from './sign-in-floor'

/**
 * The sign-in checks through the real services, each next to its floor:
 * - TOTP: challenge.verifyCode, the call behind `auth:verify-code` (session and
 *   lock read, method re-read, AES-GCM decrypt of the secret, otplib verify
 *   with one step of drift, the step recorded against replay, the session
 *   activated, the audit row), in one IMMEDIATE transaction;
 * - email and SMS codes: the same call for a code sent by challenge.sendCode;
 * - the password: Argon2id through the service's hasher, and a whole
 *   password sign-in through the auth service.
 * Preparing each call (a new pending session, the clock moved on, a code sent)
 * is untimed: the session row is the one auth.signIn writes, inserted
 * directly so that no Argon2id runs between two timed checks.
 */
const password = 'violet-harbour-kettle-42'
const actor = 'window:bench.signin'
const base32 = new ScureBase32Plugin()

export interface SignInFixture {
  readonly account: AccountRecord
  readonly totp: { readonly methodId: number; readonly secret: Uint8Array; readonly params: TotpParams }
  readonly email: { readonly methodId: number; readonly to: string }
  readonly sms: { readonly methodId: number; readonly to: string }
}

/** One account with all three methods, enrolled the way a user does it (begin, code, enable). */
export async function enrollSignInAccount(bench: BenchKeyhold, clock: ManualClock): Promise<SignInFixture> {
  const { services, senders, deps } = bench
  await services.accounts.createAccount(
    {
      username: 'bench.signin',
      displayName: 'Bench Sign-in',
      email: 'bench.signin@site.example',
      password,
      role: 'user',
    },
    'cli:bench',
  )
  const current = () => deps.accounts.findByUsername('bench.signin')!

  const totpView = await services.enrollment.begin(current(), { type: 'totp' }, actor)
  const totp = totpView.totp!
  const params: TotpParams = { algorithm: totp.algorithm, digits: totp.digits === 8 ? 8 : 6, period: 30 }
  const secret = base32.decode(totp.secret)
  await services.enrollment.verify(current(), totpView.enrollmentId, totpCodeAt(secret, params, clock.now()), actor)
  const totpMethod = await services.enrollment.enable(current(), totpView.enrollmentId, true, actor)
  clock.advance(30_000)

  const to = 'bench.signin@site.example'
  const emailView = await services.enrollment.begin(current(), { type: 'email', email: to }, actor)
  await services.enrollment.verify(current(), emailView.enrollmentId, senders.lastCode(to), actor)
  const emailMethod = await services.enrollment.enable(current(), emailView.enrollmentId, true, actor)

  const phone = '+44 7400 123456'
  const smsView = await services.enrollment.begin(current(), { type: 'sms', phone }, actor)
  const e164 = '+447400123456'
  await services.enrollment.verify(current(), smsView.enrollmentId, senders.lastCode(e164), actor)
  const smsMethod = await services.enrollment.enable(current(), smsView.enrollmentId, true, actor)

  return {
    account: current(),
    totp: { methodId: totpMethod.id, secret, params },
    email: { methodId: emailMethod.id, to },
    sms: { methodId: smsMethod.id, to: e164 },
  }
}

/** A sign-in that passed the password and waits for its second factor (the row auth.signIn inserts). */
function pendingSession(bench: BenchKeyhold, account: AccountRecord): ResolvedSession {
  const now = bench.deps.clock.now()
  const id = randomBytes(32).toString('hex')
  bench.deps.sessions.insert({
    id,
    accountId: account.id,
    state: 'pending_mfa',
    createdAt: now,
    lastSeenAt: now,
    stepUpAt: now,
    factorFailures: 0,
  })
  return bench.services.auth.resolveSession(id)
}

const within = (name: string, size: number) => `${name} @ ${size.toLocaleString('en-US')}`
const totpFloorNote =
  'TOTP floor: raw RFC 6238 HMAC-SHA1 (node:crypto, one step) + one read by primary key + one UPDATE, in one IMMEDIATE transaction on a SQLite file opened like the product (WAL, synchronous=FULL).'
const codeFloorNote =
  'Code floor: HMAC-SHA256 of the code + one read by unique key + one DELETE, in one IMMEDIATE transaction on the same kind of file.'

const signInFloorNote =
  "Sign-in floor: what the requirements make every check do, done with prepared statements and nothing else, in one IMMEDIATE transaction — session and lock read (S13, S14), method read and AES-256-GCM decrypt (S20), the step or code consumed (S7, S8), the session made active, the last sign-in, an audit row chained by HMAC-SHA256 with its index entry and the chain head (S22). Keyhold's own target: what the service adds on top of the work it cannot skip."

/** Mean (≤ 2× floor) and p99 (< 2 ms) of one check against its floor, and the mean against the sign-in floor. */
function checkFigures(
  label: string,
  size: number,
  value: { mean: number; p99: number },
  floor: { mean: number; p99: number },
  signInFloor: { mean: number },
  note: string,
) {
  return [
    figure({
      name: within(`${label}, mean`, size),
      value: value.mean,
      unit: 'ms',
      target: targets.ratioAtMost(2),
      floor: floor.mean,
      note,
    }),
    figure({
      name: within(`${label}, mean vs the sign-in floor (required work)`, size),
      value: value.mean,
      unit: 'ms',
      target: targets.ratioAtMost(2),
      floor: signInFloor.mean,
      note: signInFloorNote,
    }),
    figure({
      name: within(`${label}, p99`, size),
      value: value.p99,
      unit: 'ms',
      target: targets.below(2, 'ms'),
      floor: floor.p99,
      note,
    }),
  ]
}

/** TOTP, email and SMS checks at the current account count. */
export async function measureSignInChecks(
  bench: BenchKeyhold,
  fixture: SignInFixture,
  clock: ManualClock,
  floor: FloorDb,
  signInFloor: SignInFloor,
  size: number,
): Promise<Figure[]> {
  const { challenge } = bench.services
  // Prepared inputs: tinybench runs a task's beforeEach right before each of that task's calls, so tasks
  // measured in turns can share one object; the floors keep theirs apart anyway.
  const service = { resolved: null as ResolvedSession | null, code: '' }
  const raw = { now: 0, code: '', subject: '', sequence: 0, session: '', ok: true }
  const nextCode = () => {
    raw.sequence += 1
    raw.now = floor.nextStep()
    raw.subject = `floor-${size}-${raw.sequence}`
    raw.code = String(randomInt(1_000_000)).padStart(6, '0')
    floor.putCode(raw.subject, raw.code, raw.now + 300_000)
  }

  const [totp, totpFloor, totpSignInFloor] = await measureTogether([
    {
      name: within('TOTP check (service)', size),
      fn: () => challenge.verifyCode(service.resolved!, fixture.totp.methodId, service.code, actor),
      options: {
        beforeEach: () => {
          // A new time step for every check: the step just used is refused (S7).
          clock.advance(30_000)
          service.resolved = pendingSession(bench, fixture.account)
          service.code = totpCodeAt(fixture.totp.secret, fixture.totp.params, clock.now())
        },
      },
    },
    {
      name: within('TOTP check (floor)', size),
      fn: () => {
        raw.ok = floor.verifyTotp(1, raw.code, raw.now) && raw.ok
      },
      options: {
        beforeEach: () => {
          raw.now = floor.nextStep()
          raw.code = floor.totpCode(1, raw.now)
        },
      },
    },
    {
      name: within('TOTP check (sign-in floor)', size),
      fn: () => {
        raw.ok = signInFloor.verifyTotp(raw.session, raw.code, raw.now) && raw.ok
      },
      options: {
        beforeEach: () => {
          raw.now = floor.nextStep()
          raw.code = floor.totpCode(1, raw.now)
          raw.session = signInFloor.pendingSession(raw.now)
        },
      },
    },
  ])

  // Codes: sending is untimed; the cooldown (1 min) and the hourly cap per address (5) are passed by
  // moving the clock an hour on before each send.
  const sendThen = (methodId: number, to: string) => async () => {
    clock.advance(61 * 60_000)
    service.resolved = pendingSession(bench, fixture.account)
    await challenge.sendCode(service.resolved, methodId, actor)
    service.code = bench.senders.lastCode(to)
  }
  const [email, sms, codeFloor, codeSignInFloor] = await measureTogether([
    {
      name: within('email code check (service)', size),
      fn: () => challenge.verifyCode(service.resolved!, fixture.email.methodId, service.code, actor),
      options: { beforeEach: sendThen(fixture.email.methodId, fixture.email.to) },
    },
    {
      name: within('SMS code check (service)', size),
      fn: () => challenge.verifyCode(service.resolved!, fixture.sms.methodId, service.code, actor),
      options: { beforeEach: sendThen(fixture.sms.methodId, fixture.sms.to) },
    },
    {
      name: within('code check (floor)', size),
      fn: () => {
        raw.ok = floor.verifyCode(raw.subject, raw.code, raw.now) && raw.ok
      },
      options: { beforeEach: nextCode },
    },
    {
      name: within('code check (sign-in floor)', size),
      fn: () => {
        raw.ok = signInFloor.verifyCode(raw.session, raw.subject, raw.code, raw.now) && raw.ok
      },
      options: {
        beforeEach: () => {
          nextCode()
          raw.session = signInFloor.pendingSession(raw.now)
        },
      },
    },
  ])
  if (!raw.ok) throw new Error('a floor refused a right code')

  return [
    figure({
      name: within('sign-in floor (required work, TOTP) against the one-row floor', size),
      value: totpSignInFloor.mean,
      unit: 'ms',
      target: null,
      floor: totpFloor.mean,
      note: 'How much of the 2× budget the required reads and writes use before any service code runs.',
    }),
    ...checkFigures('TOTP sign-in check', size, totp, totpFloor, totpSignInFloor, totpFloorNote),
    ...checkFigures('email code sign-in check', size, email, codeFloor, codeSignInFloor, codeFloorNote),
    ...checkFigures('SMS code sign-in check', size, sms, codeFloor, codeSignInFloor, codeFloorNote),
  ]
}

const phcPattern = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/

/** S3: the stored hash is Argon2id with at least m=19456 KiB, t=2, p=1. */
function meetsS3(stored: string): boolean {
  const match = phcPattern.exec(stored)
  if (!match) return false
  const [, m, t, p] = match.map(Number)
  return m! >= argon2Params.memoryCost && t! >= argon2Params.timeCost && p! >= argon2Params.parallelism
}

/** Argon2id through the service's hasher; a password sign-in through the auth service. */
export async function measurePasswordChecks(bench: BenchKeyhold): Promise<Figure[]> {
  const { services, deps } = bench
  await services.accounts.createAccount(
    { username: 'bench.password', displayName: 'Bench Password', email: null, password, role: 'user' },
    'cli:bench',
  )
  const stored = deps.accounts.findByUsername('bench.password')!.passwordHash
  let right = true
  const [verify, rawVerify] = await measureTogether([
    {
      name: 'Argon2id verify (service hasher)',
      // S33: the service checks off the event loop; timed as the services call it.
      fn: async () => {
        right = (await deps.hasher.verify(stored, password)) && right
      },
      options: { async: true },
    },
    {
      name: 'Argon2id verify (raw)',
      fn: async () => {
        right = (await argon2Verify(stored, password)) && right
      },
      options: { async: true },
    },
  ])
  if (!right) throw new Error('the password did not verify')
  const [hashCost, rawHash] = await measureTogether([
    { name: 'Argon2id hash (service hasher)', fn: () => deps.hasher.hash(password), options: { async: true } },
    {
      name: 'Argon2id hash (raw)',
      fn: () => argon2Hash(password, { algorithm: 2, ...argon2Params }),
      options: { async: true },
    },
  ])
  const signIn = await measure(
    'password sign-in (auth service)',
    () => services.auth.signIn({ username: 'bench.password', password }, 'window'),
    { async: true },
  )
  const params = `Argon2id m=${argon2Params.memoryCost} KiB, t=${argon2Params.timeCost}, p=${argon2Params.parallelism}`
  const s3: Target = { text: `${params} (S3); slow by design`, met: () => meetsS3(stored) }
  return [
    figure({
      name: 'password check: Argon2id verify (service hasher), mean',
      value: verify.mean,
      unit: 'ms',
      target: s3,
      floor: rawVerify.mean,
      note: 'Argon2id floor: @node-rs/argon2 verify / hash called directly, same hash and parameters.',
    }),
    figure({
      name: 'Argon2id hash (new password, each setup code), mean',
      value: hashCost.mean,
      unit: 'ms',
      target: s3,
      floor: rawHash.mean,
      note: 'Argon2id floor: @node-rs/argon2 verify / hash called directly, same hash and parameters.',
    }),
    figure({
      name: 'password sign-in through the auth service (no MFA), mean',
      value: signIn.mean,
      unit: 'ms',
      target: null,
      floor: verify.mean,
      note: 'Sign-in floor: the Argon2id verify alone (the service adds the lock check, the session and the audit row).',
    }),
  ]
}
