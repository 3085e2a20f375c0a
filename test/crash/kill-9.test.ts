import { randomBytes } from 'node:crypto'
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { totpCodeAt } from '../../electron/main/adapters/otp/totp-engine'
import { isAppError } from '../../electron/main/domain/app-error'
import { totpSecretContext } from '../../electron/main/services/mfa-deps'
import { buildWorker, type BuiltWorker } from './support/build-worker'
import { goMessage, isWorkerMessage, type WorkerMessage } from './support/crash-protocol'
import { checkCrashInvariants } from './support/invariants'
import { keysToHex, manualClock, openHarness, type HarnessKeys } from './support/keyhold-harness'
import { delay, forkWorker, seededIntegers, type WorkerProcess } from './support/worker-process'

/**
 * S21: kill -9 at random moments. A worker process (support/crash-worker.ts)
 * loops through account creation, TOTP and email enrollment, sign-in with TOTP,
 * email and recovery codes, wrong guesses and recovery-code regeneration on a
 * real database file; the test kills it with SIGKILL after a random delay, opens
 * the file again and checks support/invariants.ts, then starts the worker again
 * on the same file, so later kills hit later states.
 *
 * `npm test` kills it 200 times (as issue 7 asks); `npm run test:crash:long` 1,000 times
 * (KEYHOLD_CRASH_KILLS). KEYHOLD_CRASH_SEED repeats a run's sequence of delays
 * (the worker's own choices still vary).
 */
const kills = Number(process.env.KEYHOLD_CRASH_KILLS ?? 200)
const seed = process.env.KEYHOLD_CRASH_SEED ?? randomBytes(8).toString('hex')
/** Up to this long after the worker opened the database: its start-up work and a few dozen operations. */
const maxDelayMs = 450

let built: BuiltWorker
let dir: string
let file: string
let current: WorkerProcess | null = null
let spare: WorkerProcess | null = null
const keys: HarnessKeys = { masterKey: new Uint8Array(randomBytes(32)), auditKey: new Uint8Array(randomBytes(32)) }

const isLoaded = (m: unknown): m is WorkerMessage & { type: 'loaded' } => isWorkerMessage(m) && m.type === 'loaded'
const isReady = (m: unknown): m is WorkerMessage & { type: 'ready' } => isWorkerMessage(m) && m.type === 'ready'
const isPaused = (m: unknown): m is WorkerMessage & { type: 'paused' } => isWorkerMessage(m) && m.type === 'paused'

const startLoop = () => forkWorker(built.file, [file, keysToHex(keys), 'loop'])

function lastPhase(worker: WorkerProcess): string {
  const phases = worker.messages.filter(
    (m): m is WorkerMessage & { type: 'phase' } => isWorkerMessage(m) && m.type === 'phase',
  )
  return phases.at(-1)?.phase ?? 'start-up'
}

/** A data file as a first run leaves it: migrated, with its administrator. */
async function freshFile(name: string): Promise<string> {
  const path = join(dir, name)
  const h = openHarness({ file: path, keys, clock: manualClock(Date.UTC(2026, 10, 28, 9)) })
  await h.services.accounts.createFirstAdmin({ username: 'root', password: 'violet-harbour-kettle-42' }, 'cli:test')
  h.close()
  return path
}

beforeAll(async () => {
  built = await buildWorker(resolve(import.meta.dirname, 'support/crash-worker.ts'))
  dir = mkdtempSync(join(tmpdir(), 'keyhold-crash-'))
  file = await freshFile('keyhold.db')
})

afterAll(async () => {
  await current?.kill()
  await spare?.kill()
  built?.remove()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('S21: kill -9 at any moment', () => {
  it(
    `keeps the file intact and every operation all-or-nothing over ${kills} kills (seed ${seed})`,
    async () => {
      const next = seededIntegers(seed)
      const killedIn = new Map<string, number>()
      let check = checkCrashInvariants(file, keys)
      let loaded = startLoop()
      for (let kill = 1; kill <= kills; kill += 1) {
        const worker = loaded
        current = worker
        await worker.waitFor(isLoaded)
        worker.send(goMessage)
        await worker.waitFor(isReady)
        // The next worker loads its code (no database yet) while this one works: a kill costs no start-up time.
        if (kill < kills) spare = loaded = startLoop()
        await delay(next(maxDelayMs + 1))
        // A worker that stopped on its own met a refusal it should not have (its stderr says which).
        expect(worker.isRunning(), `worker stopped before kill ${kill}: ${worker.stderr()}`).toBe(true)
        const status = await worker.kill()
        expect(status.signal).toBe('SIGKILL')
        const phase = lastPhase(worker)
        killedIn.set(phase, (killedIn.get(phase) ?? 0) + 1)
        check = checkCrashInvariants(file, keys)
        expect(check.problems, `after kill ${kill} (during ${phase}), seed ${seed}`).toEqual([])
      }
      // The kills hit a database that kept growing: work was done between them.
      expect(check.counts.methods).toBeGreaterThan(0)
      expect(check.counts.signIns).toBeGreaterThan(0)
      const phases = [...killedIn].sort((a, b) => b[1] - a[1]).map(([p, n]) => `${p} ${n}`)
      console.log(
        `crash: ${kills} kills, seed ${seed}; killed during: ${phases.join(', ')}; ${JSON.stringify(check.counts)}`,
      )
    },
    // About half a second per kill on two idle cores; room for a loaded machine.
    30_000 + kills * 3000,
  )
})

describe('S21: a kill between the two halves of an enrollment check', () => {
  it('leaves a setup the user can finish with recovery codes', async () => {
    // The worker enrolls an authenticator app and is killed while the verification hashes the
    // recovery codes it is about to show: the code was checked, the codes were not stored yet.
    const pausedFile = await freshFile('paused.db')
    const worker = forkWorker(built.file, [pausedFile, keysToHex(keys), 'pause-in-verify'])
    current = worker
    await worker.waitFor(isLoaded)
    worker.send(goMessage)
    await worker.waitFor(isPaused)
    await worker.kill()
    expect(checkCrashInvariants(pausedFile, keys).problems).toEqual([])

    // The user (or operator: `keyhold mfa enroll verify` then `enable`) comes back a minute later.
    const probe = openHarness({ file: pausedFile, keys, clock: manualClock(0) })
    const enrollment = probe.db
      .prepare<[], { id: string; account_id: number; created_at: number }>(
        'SELECT id, account_id, created_at FROM mfa_enrollments',
      )
      .get()!
    probe.close()
    const clock = manualClock(enrollment.created_at + 60_000)
    const h = openHarness({ file: pausedFile, keys, clock })
    try {
      const record = h.deps.enrollments.find(enrollment.account_id, enrollment.id)!
      const secret = Buffer.from(
        h.deps.secrets.decrypt(record.secretEnc!, totpSecretContext(record.accountId)),
        'base64',
      )
      const account = h.deps.accounts.findById(enrollment.account_id)!
      let shown: readonly string[] | null = null
      try {
        shown = (
          await h.services.enrollment.verify(
            account,
            enrollment.id,
            totpCodeAt(secret, record.totp!, clock.now()),
            'cli:test',
          )
        ).recoveryCodes
      } catch (error) {
        // "This code was already confirmed; enable the method": the user does what it says.
        if (!isAppError(error) || error.code !== 'CONFLICT') throw error
      }
      await h.services.enrollment.enable(account, enrollment.id, true, 'cli:test')
      // S11: the first method comes with ten recovery codes that the user was shown.
      expect(
        { shown: shown?.length ?? 0, usable: h.deps.recoveryCodes.countUnusedActive(account.id) },
        'the method was enabled without recovery codes (see the report: verify is two transactions)',
      ).toEqual({ shown: 10, usable: 10 })
    } finally {
      h.close()
    }
  })
})

describe('the crash invariants', () => {
  /** Each rule must catch the damage it is about, or the kill test proves nothing. */
  it('name every kind of damage a torn operation could leave', async () => {
    const source = await freshFile('teeth.db')
    // A little of everything: a worker run on the file, stopped by SIGKILL.
    const worker = forkWorker(built.file, [source, keysToHex(keys), 'loop'])
    current = worker
    await worker.waitFor(isLoaded)
    worker.send(goMessage)
    await worker.waitFor(isReady)
    await delay(1500)
    await worker.kill()
    expect(checkCrashInvariants(source, keys).problems).toEqual([])

    const damages: Record<string, string> = {
      'an account with methods has not exactly one preferred': 'UPDATE mfa_methods SET preferred = 0',
      'a method without exactly one mfa.method-added audit row': `INSERT INTO mfa_methods (account_id, type, label, destination, preferred, created_at)
         SELECT id, 'sms', 'x', '+15550000000', 0, 0 FROM accounts WHERE role = 'admin'`,
      'an enrollment still exists beside the method it became': `INSERT INTO mfa_enrollments (id, account_id, type, label, destination, created_at, expires_at)
         SELECT 'e1', account_id, type, label, destination, 0, 1 FROM mfa_methods WHERE type = 'email' LIMIT 1`,
      'a used recovery code without its sign-in.succeeded audit row':
        'UPDATE recovery_codes SET used_at = 1 WHERE id = (SELECT min(id) FROM recovery_codes WHERE used_at IS NULL AND active = 1)',
      'a recovery batch that is not 10 codes':
        'DELETE FROM recovery_codes WHERE id = (SELECT max(id) FROM recovery_codes)',
      'active recovery codes on an account without methods': `WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE v < 10)
         INSERT INTO recovery_codes (account_id, batch, code_hash, active, created_at)
         SELECT id, 'forged', 'h' || v, 1, 0 FROM accounts, n WHERE role = 'admin'`,
      'pending recovery codes without the enrollment that issued them': `WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE v < 10)
         INSERT INTO recovery_codes (account_id, batch, code_hash, active, created_at)
         SELECT id, 'orphan', 'h' || v, 0, 0 FROM accounts, n WHERE role = 'admin'`,
      'an mfa.method-added audit row without its method':
        'DELETE FROM mfa_methods WHERE id = (SELECT max(id) FROM mfa_methods)',
      'an administrator lock before 100 failures': "UPDATE accounts SET admin_locked = 1 WHERE role = 'admin'",
      'an enrollment code without its enrollment': `INSERT INTO otp_codes (account_id, purpose, subject, destination, code_hash, created_at, expires_at)
         SELECT id, 'enroll', 'gone', 'd', 'h', 0, 60000 FROM accounts WHERE role = 'admin'`,
      'a failure counter above the failures audited since the last success':
        "UPDATE accounts SET failed_attempts = 7 WHERE role = 'admin'",
      'a time lock before the threshold':
        "UPDATE accounts SET failed_attempts = 3, locked_until = 1 WHERE role = 'admin'",
      'an email/SMS code valid longer than its lifetime': `INSERT INTO otp_codes (account_id, purpose, subject, destination, code_hash, created_at, expires_at)
         SELECT id, 'sign-in', 's', 'd', 'h', 0, 3600000 FROM accounts WHERE role = 'admin'`,
      'audit chain': "UPDATE settings SET value = '1' WHERE key = 'audit.count'",
    }
    for (const [rule, sql] of Object.entries(damages)) {
      const copy = join(dir, 'damaged.db')
      rmSync(copy, { force: true })
      // The kill left a WAL: fold it in first, so the copy is the whole database.
      const fold = openHarness({ file: source, keys, clock: manualClock(0) })
      fold.db.pragma('wal_checkpoint(TRUNCATE)')
      fold.close()
      copyFileSync(source, copy)
      const h = openHarness({ file: copy, keys, clock: manualClock(0) })
      h.db.exec(sql)
      h.close()
      const problems = checkCrashInvariants(copy, keys).problems
      expect(
        problems.some((p) => p.startsWith(rule)),
        `${rule} not detected; found ${JSON.stringify(problems)}`,
      ).toBe(true)
    }
  })
})
