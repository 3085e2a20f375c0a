import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { ScureBase32Plugin } from 'otplib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { totpCodeAt } from '../../electron/main/adapters/otp/totp-engine'
import { systemClock } from '../../electron/main/adapters/system/system-clock'
import { defaultPolicy } from '../../electron/main/domain/policy'
import type { TotpParams } from '../../electron/main/services/mfa-ports'
import { buildWorker, type BuiltWorker } from '../crash/support/build-worker'
import { keysToHex, manualClock, openHarness, type HarnessKeys } from '../crash/support/keyhold-harness'
import { forkWorker, type WorkerProcess } from '../crash/support/worker-process'
import { isFromWorker, type RaceResult, type RaceTask } from './support/race-protocol'

/**
 * S7 and S13 across processes: several worker processes (support/race-worker.ts),
 * each with its own connection to the same database file, send their attempts
 * at the same moment. SQLite serialises the writers; the services must make the
 * check and the consume (or the count) one BEGIN IMMEDIATE transaction (S21),
 * or two processes could both read "unused" / "9 failures" before either writes.
 */
const base32 = new ScureBase32Plugin()
const start = Date.UTC(2026, 10, 28, 9, 0, 0)
const password = 'violet-harbour-kettle-42'
const processes = 5

let built: BuiltWorker
let dir: string
const workers: WorkerProcess[] = []
const keys: HarnessKeys = { masterKey: new Uint8Array(randomBytes(32)), auditKey: new Uint8Array(randomBytes(32)) }

beforeAll(async () => {
  built = await buildWorker(resolve(import.meta.dirname, 'support/race-worker.ts'))
  dir = mkdtempSync(join(tmpdir(), 'keyhold-race-'))
})

afterAll(async () => {
  await Promise.all(workers.map((w) => w.kill()))
  built?.remove()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

/** A file with `username` enrolled in an authenticator app at `start`, and `sessions` sign-ins waiting for a code at `now`. */
async function prepare(name: string, username: string, sessions: number) {
  const file = join(dir, `${name}.db`)
  const clock = manualClock(start)
  const h = openHarness({ file, keys, clock })
  try {
    await h.services.accounts.createFirstAdmin({ username: 'root', password }, 'cli:test')
    await h.services.accounts.createAccount({ username, role: 'user', password }, 'cli:test')
    const account = () => h.deps.accounts.findByUsername(username)!
    const view = await h.services.enrollment.begin(account(), { type: 'totp' }, 'cli:test')
    const secret = base32.decode(view.totp!.secret)
    const params: TotpParams = { algorithm: view.totp!.algorithm, digits: 6, period: 30 }
    await h.services.enrollment.verify(
      account(),
      view.enrollmentId,
      totpCodeAt(secret, params, clock.now()),
      'cli:test',
    )
    const method = await h.services.enrollment.enable(account(), view.enrollmentId, true, 'cli:test')
    // Two steps later: the enrollment's step is spent, this one is fresh.
    clock.advance(60_000)
    const sessionIds: string[] = []
    for (let i = 0; i < sessions; i += 1) {
      const { sessionId, resolved } = await h.services.auth.signIn({ username, password }, 'window')
      expect(resolved.session.state).toBe('pending_mfa')
      sessionIds.push(sessionId)
    }
    const now = clock.now()
    const accepted = new Set([-30_000, 0, 30_000].map((d) => totpCodeAt(secret, params, now + d)))
    const wrongCodes = Array.from({ length: 1000 }, (_, i) => String(100_000 + i * 877)).filter((c) => !accepted.has(c))
    return { file, now, methodId: method.id, sessionIds, code: totpCodeAt(secret, params, now), wrongCodes }
  } finally {
    h.close()
  }
}

/** Forks one worker per task list, lets them all go at once, and returns each one's results. */
async function race(file: string, now: number, taskLists: readonly (readonly RaceTask[])[]): Promise<RaceResult[]> {
  const started = taskLists.map((_, i) => forkWorker(built.file, [file, keysToHex(keys), String(now), `p${i}`]))
  workers.push(...started)
  await Promise.all(started.map((w) => w.waitFor(isFromWorker('loaded'))))
  started.forEach((w, i) => w.send({ type: 'tasks', tasks: taskLists[i] }))
  await Promise.all(started.map((w) => w.waitFor(isFromWorker('ready'))))
  const at = systemClock.now() + 250
  for (const w of started) w.send({ type: 'go', at })
  const answers = await Promise.all(started.map((w) => w.waitFor(isFromWorker('results'), 60_000)))
  const statuses = await Promise.all(started.map((w) => w.exited))
  expect(statuses.map((s) => s.code)).toEqual(started.map(() => 0))
  // Evidence, not an assertion (scheduling decides it): the order in which the processes' failures landed.
  const order = rowOf<{ order: string | null }>(
    file,
    "SELECT group_concat(substr(actor, 9), ' ') AS \"order\" FROM (SELECT actor FROM audit_log WHERE event = 'sign-in.factor-failed' ORDER BY id)",
  )
  console.log(`race on ${file.split('/').at(-1)}: second-factor failures by process, in commit order: ${order.order}`)
  return answers.flatMap((a) => [...a.results])
}

function tally(results: readonly RaceResult[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const r of results) {
    const key = r.ok ? 'ok' : r.code
    counts[key] = (counts[key] ?? 0) + 1
  }
  return counts
}

/** Every result is one of these; an INTERNAL one (e.g. "database is locked") is shown with its message. */
function expectOnly(results: readonly RaceResult[], allowed: readonly string[]): void {
  const others = results.filter((r) => !allowed.includes(r.ok ? 'ok' : r.code))
  expect(others).toEqual([])
}

function rowOf<T>(file: string, sql: string, ...params: unknown[]): T {
  const h = openHarness({ file, keys, clock: manualClock(start) })
  try {
    return h.db.prepare(sql).get(...params) as T
  } finally {
    h.close()
  }
}

describe('S7: one TOTP code, 50 pending sign-ins, 5 processes', () => {
  it('lets exactly one verification through', async () => {
    const s = await prepare('replay', 'amy', 50)
    const tasks: RaceTask[] = s.sessionIds.map((sessionId) => ({
      kind: 'verify-code',
      sessionId,
      methodId: s.methodId,
      code: s.code,
    }))
    const lists = Array.from({ length: processes }, (_, p) => tasks.filter((_, i) => i % processes === p))
    const results = await race(s.file, s.now, lists)
    const counts = tally(results)

    expect(results).toHaveLength(50)
    expect(counts.ok, JSON.stringify(counts)).toBe(1)
    // The others are replays: named CODE_REUSED (S13 still counts them, so the account locks at the threshold),
    // then refusals of a locked account or of sign-ins the lock ended. Never a database error, and never
    // "wrong": the code was right, only too late.
    expectOnly(results, ['ok', 'CODE_REUSED', 'LOCKED', 'SESSION_EXPIRED', 'UNAUTHENTICATED'])
    expect(counts.CODE_REUSED, JSON.stringify(counts)).toBe(defaultPolicy.lockoutThreshold - 1)
    // The first check consumed the step; every later one was a replay, i.e. a failure: 10 lock the account.
    expect(rowOf(s.file, "SELECT failed_attempts, locked_until FROM accounts WHERE username = 'amy'")).toEqual({
      failed_attempts: defaultPolicy.lockoutThreshold,
      locked_until: s.now + defaultPolicy.lockoutBaseMs,
    })

    const audit = rowOf<{ n: number }>(
      s.file,
      `SELECT count(*) AS n FROM audit_log WHERE event = 'sign-in.succeeded' AND json_extract(detail, '$.factor') = 'totp'`,
    )
    expect(audit.n).toBe(1)
    const method = rowOf<{ last_used_step: number }>(
      s.file,
      'SELECT last_used_step FROM mfa_methods WHERE id = ?',
      s.methodId,
    )
    expect(method.last_used_step).toBe(Math.floor(s.now / 30_000))
  })
})

describe('S13: wrong guesses from 5 processes at once', () => {
  it('stops at the lockout threshold and locks the account once', async () => {
    const s = await prepare('guesses', 'bob', 30)
    const lists = Array.from({ length: processes }, (_, p) => {
      const list: RaceTask[] = []
      for (let i = 0; i < 6; i += 1) {
        list.push({
          kind: 'verify-code',
          sessionId: s.sessionIds[p * 6 + i]!,
          methodId: s.methodId,
          code: s.wrongCodes[p * 6 + i]!,
        })
        list.push({ kind: 'sign-in', username: 'bob', password: `${password}-${p}-${i}` })
      }
      return list
    })
    const results = await race(s.file, s.now, lists)
    const counts = tally(results)
    const threshold = defaultPolicy.lockoutThreshold

    expect(results).toHaveLength(60)
    expect(counts.ok).toBeUndefined()
    expectOnly(results, ['INVALID_CODE', 'INVALID_CREDENTIALS', 'LOCKED', 'SESSION_EXPIRED', 'UNAUTHENTICATED'])
    // Failures 1–9 are "wrong"; the 10th locks (and says so); nothing after it is even checked.
    expect((counts.INVALID_CODE ?? 0) + (counts.INVALID_CREDENTIALS ?? 0), JSON.stringify(counts)).toBe(threshold - 1)

    const account = rowOf<{ failed_attempts: number; locked_until: number | null; admin_locked: number; id: number }>(
      s.file,
      "SELECT id, failed_attempts, locked_until, admin_locked FROM accounts WHERE username = 'bob'",
    )
    expect(account).toMatchObject({
      failed_attempts: threshold,
      locked_until: s.now + defaultPolicy.lockoutBaseMs,
      admin_locked: 0,
    })
    const audited = rowOf<{ failures: number; locks: number }>(
      s.file,
      `SELECT sum(event IN ('sign-in.failed', 'sign-in.factor-failed')) AS failures, sum(event = 'account.locked') AS locks
         FROM audit_log WHERE account_id = ?`,
      account.id,
    )
    expect(audited).toEqual({ failures: threshold, locks: 1 })
  })
})

/** A file where `amy` has begun (and, with `verified`, confirmed) setting up an authenticator app. */
async function prepareSetup(name: string, verified: boolean) {
  const file = join(dir, `${name}.db`)
  const clock = manualClock(start)
  const h = openHarness({ file, keys, clock })
  try {
    await h.services.accounts.createFirstAdmin({ username: 'root', password }, 'cli:test')
    await h.services.accounts.createAccount({ username: 'amy', role: 'user', password }, 'cli:test')
    const amy = h.deps.accounts.findByUsername('amy')!
    const view = await h.services.enrollment.begin(amy, { type: 'totp' }, 'cli:test')
    const params: TotpParams = { algorithm: view.totp!.algorithm, digits: 6, period: 30 }
    const code = totpCodeAt(base32.decode(view.totp!.secret), params, clock.now())
    if (verified) await h.services.enrollment.verify(amy, view.enrollmentId, code, 'cli:test')
    return { file, now: clock.now(), enrollmentId: view.enrollmentId, code }
  } finally {
    h.close()
  }
}

/**
 * The same setup confirmed from two places at once (the window and `keyhold mfa enroll verify`, say).
 * S7 holds for enrollment codes too: one code passes once. The enrollment is read before the
 * transaction, so the check must be made again inside it (see the report).
 */
describe('S7, S21: one authenticator setup, five processes', () => {
  it('"Next Step" with one code passes once, and one set of recovery codes is issued', async () => {
    const s = await prepareSetup('verify-race', false)
    const task: RaceTask = { kind: 'verify-enrollment', username: 'amy', enrollmentId: s.enrollmentId, code: s.code }
    const results = await race(
      s.file,
      s.now,
      Array.from({ length: processes }, () => [task]),
    )
    expectOnly(results, ['ok', 'CONFLICT', 'INVALID_CODE'])
    expect(tally(results).ok, JSON.stringify(tally(results))).toBe(1)
    // Only the codes shown to the one that passed exist: no orphaned pending batches.
    expect(rowOf(s.file, 'SELECT count(DISTINCT batch) AS batches FROM recovery_codes')).toEqual({ batches: 1 })
  })

  it('"Enable" makes one method, however many processes press it', async () => {
    const s = await prepareSetup('enable-race', true)
    const task: RaceTask = { kind: 'enable-enrollment', username: 'amy', enrollmentId: s.enrollmentId }
    const results = await race(
      s.file,
      s.now,
      Array.from({ length: processes }, () => [task]),
    )
    expectOnly(results, ['ok', 'NOT_FOUND'])
    expect(tally(results).ok, JSON.stringify(tally(results))).toBe(1)
    expect(
      rowOf(
        s.file,
        "SELECT (SELECT count(*) FROM mfa_methods) AS methods, (SELECT count(*) FROM audit_log WHERE event = 'mfa.method-added') AS added",
      ),
    ).toEqual({ methods: 1, added: 1 })
  })
})
