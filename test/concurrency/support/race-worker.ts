import { systemClock } from '../../../electron/main/adapters/system/system-clock'
import { isAppError } from '../../../electron/main/domain/app-error'
import { keysFromHex, manualClock, openHarness } from '../../crash/support/keyhold-harness'
import type { FromWorker, RaceResult, RaceTask, ToWorker } from './race-protocol'

/**
 * One of several processes that hit the same database file at the same moment
 * (S7, S13): `node race-worker.mjs FILE KEYS NOW_MS NAME`. It opens its own
 * connection (as another Keyhold process would), takes its tasks, and on `go`
 * runs them back to back through the services the router calls: auth:sign-in
 * and auth:verify-code. All workers share one fixed time, so they agree on the
 * TOTP step and no lock expires during the race.
 */
const [file, keysHex, nowText, name] = process.argv.slice(2)
if (!file || !keysHex || !/^\d+$/.test(nowText ?? '') || !name) {
  process.stderr.write('usage: race-worker.mjs FILE KEYS NOW_MS NAME\n')
  process.exit(2)
}

const send = (message: FromWorker) => process.send?.(message)
const h = openHarness({ file, keys: keysFromHex(keysHex), clock: manualClock(Number(nowText)) })
// The audit log then shows which process made each attempt.
const actor = `window:${name}`

async function run(task: RaceTask): Promise<RaceResult> {
  try {
    if (task.kind === 'sign-in') {
      await h.services.auth.signIn({ username: task.username, password: task.password }, 'window')
    } else if (task.kind === 'verify-enrollment') {
      const account = h.deps.accounts.findByUsername(task.username)!
      const verified = await h.services.enrollment.verify(account, task.enrollmentId, task.code, actor)
      return { ok: true, recoveryCodes: verified.recoveryCodes }
    } else if (task.kind === 'enable-enrollment') {
      const account = h.deps.accounts.findByUsername(task.username)!
      await h.services.enrollment.enable(account, task.enrollmentId, true, actor)
    } else {
      // What the auth:verify-code handler does: resolve the caller's session, then check the code.
      const resolved = h.services.auth.resolveSession(task.sessionId)
      h.services.challenge.verifyCode(resolved, task.methodId, task.code, actor)
    }
    return { ok: true }
  } catch (error) {
    if (isAppError(error)) return { ok: false, code: error.code, message: error.message }
    // Not a refusal: "database is locked" (SQLITE_BUSY) would land here and fail the test.
    return { ok: false, code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) }
  }
}

let tasks: readonly RaceTask[] = []
process.on('message', (message: ToWorker) => {
  if (message.type === 'tasks') {
    tasks = message.tasks
    send({ type: 'ready' })
  } else if (message.type === 'go') {
    void (async () => {
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, message.at - systemClock.now())))
      const results: RaceResult[] = []
      for (const task of tasks) {
        results.push(await run(task))
        // A breath between attempts, as between two clicks: SQLite's busy handler is not fair, and without
        // it the process that holds the lock would run all its attempts before the others wake up.
        await new Promise((resolve) => setTimeout(resolve, 2))
      }
      send({ type: 'results', results })
      h.close()
      process.disconnect()
    })()
  }
})
send({ type: 'loaded' })
