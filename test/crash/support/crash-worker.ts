import { ScureBase32Plugin } from 'otplib'
import { totpCodeAt } from '../../../electron/main/adapters/otp/totp-engine'
import { isAppError } from '../../../electron/main/domain/app-error'
import { lockStatus } from '../../../electron/main/domain/lockout'
import { nodeRandom } from '../../../electron/main/adapters/system/node-random'
import { totpSecretContext } from '../../../electron/main/services/mfa-deps'
import type { MethodRecord, TotpParams } from '../../../electron/main/services/mfa-ports'
import type { AccountRecord, PasswordHasher } from '../../../electron/main/services/ports'
import { fastHasher, keysFromHex, manualClock, openHarness } from './keyhold-harness'
import { crashPassword, goMessage, type WorkerMessage } from './crash-protocol'

/**
 * S21: the process the crash test kills. Run as `node crash-worker.mjs FILE KEYS MODE`
 * (built by build-worker.ts); it talks to the test over the fork IPC channel.
 *
 * - `loop`: forever, on the real database file: create accounts; enroll an
 *   authenticator app and an email method (begin → verify → enable); sign in with
 *   TOTP codes, email codes, recovery codes, sometimes after a wrong password or
 *   code; regenerate recovery codes; unlock what got locked. Any refusal it did
 *   not provoke, and any error that is not a service refusal, ends the process
 *   with status 3 and the reason on stderr: the test then fails with it.
 * - `pause-in-verify`: enrolls an authenticator app and stops for good while the
 *   verification hashes its recovery codes, so the test can kill it exactly there.
 *
 * Time is virtual: it starts past every timestamp in the file (so a restarted
 * worker never goes back in time) and jumps forward between steps, so TOTP steps,
 * cooldowns and lockouts pass without waiting.
 */
const [file, keysHex, mode] = process.argv.slice(2)
if (!file || !keysHex || (mode !== 'loop' && mode !== 'pause-in-verify')) {
  process.stderr.write('usage: crash-worker.mjs FILE KEYS loop|pause-in-verify\n')
  process.exit(2)
}

const base32 = new ScureBase32Plugin()
const minute = 60_000
const actor = 'crash:worker'

function send(message: WorkerMessage): void {
  process.send?.(message)
}

function fatal(reason: string): never {
  process.stderr.write(`crash worker: ${reason}\n`)
  process.exit(3)
}

/** A uniform integer in [0, n), from the CSPRNG adapter. */
function pick(n: number): number {
  return Buffer.from(nodeRandom.bytes(4)).readUInt32BE(0) % n
}

/** In pause-in-verify mode the first hash after `armed` is set never finishes. */
let armed = false
const hasher: PasswordHasher = {
  hash: async (password) => {
    if (armed) {
      send({ type: 'paused' })
      await new Promise<never>(() => undefined)
    }
    return fastHasher.hash(password)
  },
  verify: (hash, password) => fastHasher.verify(hash, password),
  verifyDecoy: (password) => fastHasher.verifyDecoy(password),
  needsRehash: (hash) => fastHasher.needsRehash(hash),
}

send({ type: 'loaded' })
await new Promise<void>((resolve) =>
  process.on('message', (message: unknown) => {
    if (typeof message === 'object' && message !== null && (message as { type?: unknown }).type === goMessage.type)
      resolve()
  }),
)

const clock = manualClock(0)
// A QR code is 20–150 ms of pure computation that touches no file: a stand-in keeps the kills on real work.
const qr = { dataUrl: async () => 'data:image/png;base64,' }
const h = openHarness({ file, keys: keysFromHex(keysHex), clock, hasher, qr })
const { deps, services } = h
// From here on a kill can hit the start-up work too (the WAL recovery is done: the file is open).
send({ type: 'ready' })

/** Virtual time starts 11 minutes after the newest timestamp in the file: every old enrollment has expired. */
const newest = h.db
  .prepare<[], { at: number | null }>(
    `SELECT max(at) AS at FROM (
       SELECT max(at) AS at FROM audit_log UNION ALL SELECT max(sent_at) FROM code_sends
       UNION ALL SELECT max(created_at) FROM otp_codes UNION ALL SELECT max(last_seen_at) FROM sessions
       UNION ALL SELECT max(updated_at) FROM accounts UNION ALL SELECT max(created_at) FROM mfa_enrollments
       UNION ALL SELECT max(last_used_at) FROM mfa_methods)`,
  )
  .get()?.at
clock.advance((newest ?? Date.UTC(2026, 10, 28)) + 11 * minute)
// As openKeyhold does at start (S18).
services.enrollment.purgeExpired()

/** Recovery codes this run has seen (shown once: a restarted worker regenerates them). */
const knownCodes = new Map<number, string[]>()

function phase(name: string): void {
  send({ type: 'phase', phase: name })
}

function totpSecret(method: MethodRecord): Uint8Array {
  const text = deps.secrets.decrypt(method.secretEnc!, totpSecretContext(method.accountId))
  return new Uint8Array(Buffer.from(text, 'base64'))
}

function totpNow(secret: Uint8Array, params: TotpParams): string {
  return totpCodeAt(secret, params, clock.now())
}

/** A code that is right for none of the steps the verifier accepts now. */
function wrongTotp(secret: Uint8Array, params: TotpParams): string {
  const accepted = new Set([-30_000, 0, 30_000].map((d) => totpCodeAt(secret, params, clock.now() + d)))
  for (;;) {
    const guess = String(pick(10 ** params.digits)).padStart(params.digits, '0')
    if (!accepted.has(guess)) return guess
  }
}

/** Runs a call that is meant to be refused and returns the refusal's code; any other outcome ends the worker. */
async function expectRefusal(what: string, call: () => unknown, codes: readonly string[]): Promise<string> {
  try {
    await call()
  } catch (error) {
    if (isAppError(error) && codes.includes(error.code)) return error.code
    throw error
  }
  fatal(`${what} was accepted`)
}

function current(account: AccountRecord): AccountRecord {
  return deps.accounts.findById(account.id)!
}

async function createAccount(): Promise<void> {
  const username = `u${Buffer.from(nodeRandom.bytes(5)).toString('hex')}`
  phase('create-account')
  await services.accounts.createAccount(
    { username, role: 'user', email: `${username}.contact@example.test`, password: crashPassword },
    actor,
  )
}

async function enrollTotp(account: AccountRecord): Promise<void> {
  phase('enroll-totp-begin')
  const view = await services.enrollment.begin(account, { type: 'totp' }, actor)
  const totp = view.totp!
  const params: TotpParams = { algorithm: totp.algorithm, digits: totp.digits === 8 ? 8 : 6, period: 30 }
  const code = totpNow(base32.decode(totp.secret), params)
  if (mode === 'pause-in-verify') armed = true
  phase('enroll-totp-verify')
  const verified = await services.enrollment.verify(current(account), view.enrollmentId, code, actor)
  phase('enroll-totp-enable')
  await services.enrollment.enable(current(account), view.enrollmentId, true, actor)
  if (verified.recoveryCodes) knownCodes.set(account.id, [...verified.recoveryCodes])
}

async function enrollEmail(account: AccountRecord): Promise<void> {
  const email = `${account.username}@example.test`
  phase('enroll-email-begin')
  const view = await services.enrollment.begin(account, { type: 'email', email }, actor)
  phase('enroll-email-verify')
  const verified = await services.enrollment.verify(
    current(account),
    view.enrollmentId,
    h.senders.lastCode(email),
    actor,
  )
  phase('enroll-email-enable')
  await services.enrollment.enable(current(account), view.enrollmentId, true, actor)
  if (verified.recoveryCodes) knownCodes.set(account.id, [...verified.recoveryCodes])
}

async function signInPending(account: AccountRecord) {
  phase('sign-in-password')
  const { resolved } = await services.auth.signIn({ username: account.username, password: crashPassword }, 'crash')
  if (resolved.session.state !== 'pending_mfa') fatal(`${account.username} has methods but was not asked for one`)
  return resolved
}

async function signInWithTotp(account: AccountRecord, method: MethodRecord, wrongFirst: boolean): Promise<void> {
  // S7: a new time step for every sign-in.
  clock.advance(31_000)
  const resolved = await signInPending(account)
  const secret = totpSecret(method)
  if (wrongFirst) {
    phase('sign-in-totp-wrong')
    const refusal = await expectRefusal(
      'a wrong TOTP code',
      () => services.challenge.verifyCode(resolved, method.id, wrongTotp(secret, method.totp!), actor),
      ['INVALID_CODE', 'LOCKED'],
    )
    // S13: that failure locked the account, which ended this sign-in.
    if (refusal === 'LOCKED') return
  }
  phase('sign-in-totp')
  services.challenge.verifyCode(
    services.auth.resolveSession(resolved.session.id),
    method.id,
    totpNow(secret, method.totp!),
    actor,
  )
}

async function signInWithEmail(account: AccountRecord, method: MethodRecord): Promise<void> {
  const resolved = await signInPending(account)
  phase('sign-in-email-send')
  await services.challenge.sendCode(resolved, method.id, actor)
  phase('sign-in-email-verify')
  services.challenge.verifyCode(resolved, method.id, h.senders.lastCode(method.destination!), actor)
}

async function regenerate(account: AccountRecord): Promise<string[]> {
  phase('recovery-regenerate')
  const codes = await services.methods.regenerateRecoveryCodes(account, actor)
  knownCodes.set(account.id, codes)
  return codes
}

async function signInWithRecoveryCode(account: AccountRecord): Promise<void> {
  const codes = knownCodes.get(account.id)?.length ? knownCodes.get(account.id)! : await regenerate(account)
  const code = codes.shift()!
  const resolved = await signInPending(current(account))
  phase('sign-in-recovery-code')
  await services.challenge.useRecoveryCode(resolved, code, actor)
}

async function wrongPassword(account: AccountRecord): Promise<void> {
  phase('sign-in-wrong-password')
  await expectRefusal(
    'a wrong password',
    () => services.auth.signIn({ username: account.username, password: `${crashPassword}-not` }, 'crash'),
    ['INVALID_CREDENTIALS', 'LOCKED'],
  )
}

async function step(): Promise<void> {
  clock.advance(2 * minute)
  const users = h.db.prepare<[], { id: number }>("SELECT id FROM accounts WHERE role = 'user' ORDER BY id").all()
  // Accounts with fewer than two methods get them; new accounts keep coming, so enrollments happen all along.
  const unfinished = h.db
    .prepare<[], { id: number }>(
      `SELECT a.id FROM accounts a WHERE a.role = 'user'
         AND (SELECT count(*) FROM mfa_methods m WHERE m.account_id = a.id) < 2 ORDER BY a.id`,
    )
    .all()
  if (users.length < 6 || pick(10) === 0) return createAccount()
  const pool = unfinished.length > 0 && pick(5) < 2 ? unfinished : users
  const account = deps.accounts.findById(pool[pick(pool.length)]!.id)!
  const lock = lockStatus(account, clock.now())
  if (lock.locked) {
    if (lock.until === null) {
      phase('unlock')
      services.accounts.unlock(account.username, actor)
    } else clock.advance(lock.until - clock.now() + 1)
    return
  }
  const methods = deps.methods.listActive(account.id)
  const totp = methods.find((m) => m.type === 'totp')
  const email = methods.find((m) => m.type === 'email')
  if (!totp) return enrollTotp(account)
  if (!email) return enrollEmail(account)
  const roll = pick(100)
  if (roll < 30) return signInWithTotp(account, totp, false)
  if (roll < 42) return signInWithTotp(account, totp, true)
  if (roll < 62) return signInWithEmail(account, email)
  if (roll < 82) return signInWithRecoveryCode(account)
  if (roll < 90) return void (await regenerate(account))
  return wrongPassword(account)
}

/** Refusals the worker did not provoke but that the state may explain: a lock, a rate limit. */
const tolerated = new Set(['LOCKED', 'RATE_LIMITED'])

async function main(): Promise<void> {
  if (mode === 'pause-in-verify') {
    await createAccount()
    const username = h.db.prepare<[], { username: string }>('SELECT username FROM accounts ORDER BY id DESC').get()!
    await enrollTotp(deps.accounts.findByUsername(username.username)!)
    fatal('the verification finished although its hashing was paused')
  }
  for (;;) {
    try {
      await step()
    } catch (error) {
      if (isAppError(error) && tolerated.has(error.code)) continue
      const text = isAppError(error) ? `${error.code}: ${error.message}` : error instanceof Error ? error.stack : error
      fatal(`unexpected failure: ${String(text)}`)
    }
  }
}

void main()
