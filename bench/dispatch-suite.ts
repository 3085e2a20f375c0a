import { join } from 'node:path'
import { totpCodeAt } from '../electron/main/adapters/otp/totp-engine'
import { commitCount } from '../electron/main/adapters/sqlite/commit-counter'
import { createHandlers } from '../electron/main/ipc/handlers'
import { createRouter, type CallContext, type Handlers, type Router } from '../electron/main/ipc/router'
import { manualClock, memorySecretStore, openBenchKeyhold, type BenchKeyhold } from './bench-keyhold'
import { figure, targets, type Figure, type Target } from './figure-report'
import { openFloorDb } from './floor-db'
import { measure, measureTogether, type TaskSpec } from './measure-task'
import { seedAccounts } from './seed-accounts'
import { openSignInFloor } from './sign-in-floor'
import { enrollSignInAccount, pendingSession } from './verify-suite'

/**
 * Issue 15 §1, "measure what the window does": the requests timed through the real
 * router (`router.dispatch`, as the window's IPC calls it: session lookup, access check,
 * zod validation, handler, response parse), each with the durable commits it makes,
 * read from the connection's counter (commit-counter.ts) around the timed call only.
 * The TOTP check is measured in turns with the sign-in floor (the work the
 * requirements make every check do), so their ratio holds under load.
 *
 * Preparing a check is untimed and skips Argon2id: a second router, identical except
 * that its `auth:sign-in` binds a pending session row inserted directly (the row
 * auth.signIn writes), so the timed `auth:verify-code` runs the real handler on a
 * session bound the way the window's is. The password sign-in is timed on the real
 * router, each call from a new window (a window signing in again signs its old
 * session out first, which is another request's work).
 */
const password = 'violet-harbour-kettle-42'
const adminPassword = 'granite-lantern-orchard-17'

/** Names the summary reads (run-bench.ts). */
export const dispatchNames = {
  totpMean: (size: number) =>
    `TOTP check through router.dispatch, mean vs the sign-in floor @ ${size.toLocaleString('en-US')}`,
  totpP99: (size: number) => `TOTP check through router.dispatch, p99 @ ${size.toLocaleString('en-US')}`,
  signInCommits: 'durable commits per sign-in request (password, TOTP, email code), largest',
  readCommits: 'durable commits per read (mfa:list, account:get-me, admin:list-accounts), largest',
} as const

const oneCommit: Target = { text: '≤ 1 commit', met: (value) => value <= 1 }
const noCommit: Target = { text: '0 commits (a read)', met: (value) => value === 0 }

/** Times one channel's dispatch and keeps the most commits any one call made. */
function countedTask(
  name: string,
  router: () => Router,
  request: () => { channel: string; input: unknown; ctx: CallContext },
  db: BenchKeyhold['keyhold']['db'],
  commits: Map<string, number>,
  beforeEach?: () => void | Promise<void>,
): TaskSpec {
  return {
    name,
    fn: async () => {
      const { channel, input, ctx } = request()
      const before = commitCount(db)
      const result = await router().dispatch(channel, input, ctx)
      const made = commitCount(db) - before
      // A refused request would time an error path: stop the bench instead.
      if (!result.ok)
        throw new Error(`${channel} through the router failed: ${result.error.code} ${result.error.message}`)
      commits.set(name, Math.max(commits.get(name) ?? 0, made))
    },
    options: { async: true, ...(beforeEach ? { beforeEach } : {}) },
  }
}

export async function measureDispatch(temp: string, size: number): Promise<Figure[]> {
  const clock = manualClock(Date.UTC(2026, 0, 5, 9, 0, 0))
  const bench = await openBenchKeyhold({ dataDir: join(temp, 'dispatch'), secrets: memorySecretStore(), clock })
  const floor = openFloorDb(join(temp, 'dispatch-floor.db'), clock.now())
  try {
    const { services, keyhold } = bench
    const db = keyhold.db
    await services.accounts.createFirstAdmin(
      { username: 'root', email: 'root@site.example', password: adminPassword },
      'cli:bench',
    )
    const fixture = await enrollSignInAccount(bench, clock)
    seedAccounts(bench.deps, { from: 0, to: size }, await bench.deps.hasher.hash('seeded-accounts-share-this-password'))
    const signInFloor = openSignInFloor(floor)
    floor.grow(size)
    signInFloor.grow(size)

    const handlers = createHandlers({ services })
    const router = createRouter({ handlers, sessions: services.auth })
    let nextSession = ''
    const bindOnly: Handlers = {
      ...handlers,
      'auth:sign-in': (_input, ctx) => {
        ctx.bindSession(nextSession)
        return { status: 'mfa-required', challenge: services.challenge.view(services.auth.resolveSession(nextSession)) }
      },
    }
    const checks = createRouter({ handlers: bindOnly, sessions: services.auth })
    const checkCtx: CallContext = { clientKey: 'bench-checks', transport: 'window' }
    const pending = async () => {
      nextSession = pendingSession(bench, fixture.account).session.id
      await checks.dispatch('auth:sign-in', { username: 'bench.signin', password }, checkCtx)
    }

    const commits = new Map<string, number>()
    const state = { code: '', raw: { now: 0, code: '', session: '', ok: true } }
    const totpName = 'TOTP check (dispatch)'
    const emailName = 'email code check (dispatch)'
    const [totp, email, totpSignInFloor] = await measureTogether([
      countedTask(
        totpName,
        () => checks,
        () => ({
          channel: 'auth:verify-code',
          input: { methodId: fixture.totp.methodId, code: state.code },
          ctx: checkCtx,
        }),
        db,
        commits,
        async () => {
          clock.advance(30_000) // a new step each time (S7)
          await pending()
          state.code = totpCodeAt(fixture.totp.secret, fixture.totp.params, clock.now())
        },
      ),
      countedTask(
        emailName,
        () => checks,
        () => ({
          channel: 'auth:verify-code',
          input: { methodId: fixture.email.methodId, code: state.code },
          ctx: checkCtx,
        }),
        db,
        commits,
        async () => {
          clock.advance(61 * 60_000) // past the send cooldown and the hourly cap
          await pending()
          const sent = await checks.dispatch('auth:send-code', { methodId: fixture.email.methodId }, checkCtx)
          if (!sent.ok) throw new Error(`auth:send-code failed: ${sent.error.code}`)
          state.code = bench.senders.lastCode(fixture.email.to)
        },
      ),
      {
        name: 'TOTP check (sign-in floor, beside the dispatch)',
        fn: () => {
          const raw = state.raw
          raw.ok = signInFloor.verifyTotp(raw.session, raw.code, raw.now) && raw.ok
        },
        options: {
          beforeEach: () => {
            const raw = state.raw
            raw.now = floor.nextStep()
            raw.code = floor.totpCode(1, raw.now)
            raw.session = signInFloor.pendingSession(raw.now)
          },
        },
      },
    ])
    if (!state.raw.ok) throw new Error('the sign-in floor refused a right code')

    // Password sign-in on the real router, each from a new window.
    let window = 0
    const signInName = 'password sign-in (dispatch)'
    const passwordCtx = { clientKey: 'bench-password-0', transport: 'window' as const }
    const signIn = await measure(
      signInName,
      countedTask(
        signInName,
        () => router,
        () => ({
          channel: 'auth:sign-in',
          input: { username: 'bench.signin', password },
          ctx: passwordCtx,
        }),
        db,
        commits,
      ).fn,
      {
        async: true,
        beforeEach: () => void Object.assign(passwordCtx, { clientKey: `bench-password-${(window += 1)}` }),
      },
    )

    // Reads on active sessions, the clock standing still (no idle expiry between them).
    const userCtx: CallContext = { clientKey: 'bench-user', transport: 'window' }
    const adminCtx: CallContext = { clientKey: 'bench-admin', transport: 'window' }
    clock.advance(30_000)
    await router.dispatch('auth:sign-in', { username: 'bench.signin', password }, userCtx)
    const code = totpCodeAt(fixture.totp.secret, fixture.totp.params, clock.now())
    const verified = await router.dispatch('auth:verify-code', { methodId: fixture.totp.methodId, code }, userCtx)
    const admin = await router.dispatch('auth:sign-in', { username: 'root', password: adminPassword }, adminCtx)
    if (!verified.ok || !admin.ok) throw new Error('could not sign in for the reads')
    const reads = [
      ['mfa:list', userCtx],
      ['account:get-me', userCtx],
      ['admin:list-accounts', adminCtx],
    ] as const
    const readTimings = await measureTogether(
      reads.map(([channel, ctx]) =>
        countedTask(
          `${channel} (dispatch)`,
          () => router,
          () => ({ channel, input: {}, ctx }),
          db,
          commits,
        ),
      ),
    )

    const at = (name: string) => `${name} @ ${size.toLocaleString('en-US')}`
    const dispatchNote =
      'Through router.dispatch as the window calls it (session lookup, access, zod, handler, response parse); commits counted at the database adapter (commit-counter.ts) around each timed call, the most any one call made.'
    const commitFigure = (name: string, target: Target) =>
      figure({
        name: `durable commits per request: ${name}`,
        value: commits.get(name) ?? 0,
        unit: 'commits',
        target,
        note: dispatchNote,
      })
    const signInCommits = Math.max(...[totpName, emailName, signInName].map((n) => commits.get(n) ?? 0))
    const readNames = reads.map(([channel]) => `${channel} (dispatch)`)
    const readCommits = Math.max(...readNames.map((n) => commits.get(n) ?? 0))
    return [
      figure({
        name: dispatchNames.totpMean(size),
        value: totp.mean,
        unit: 'ms',
        target: targets.ratioAtMost(2),
        floor: totpSignInFloor.mean,
        note: dispatchNote,
      }),
      figure({
        name: dispatchNames.totpP99(size),
        value: totp.p99,
        unit: 'ms',
        target: targets.below(2, 'ms'),
        floor: totpSignInFloor.p99,
        note: dispatchNote,
      }),
      figure({
        name: at('email code check through router.dispatch, mean'),
        value: email.mean,
        unit: 'ms',
        target: null,
        note: dispatchNote,
      }),
      figure({
        name: at('email code check through router.dispatch, p99'),
        value: email.p99,
        unit: 'ms',
        target: null,
        note: dispatchNote,
      }),
      figure({
        name: 'password sign-in through router.dispatch (MFA next), mean',
        value: signIn.mean,
        unit: 'ms',
        target: null,
        note: dispatchNote,
      }),
      ...reads.flatMap(([channel], i) => [
        figure({
          name: at(`${channel} through router.dispatch, mean`),
          value: readTimings[i]!.mean,
          unit: 'ms',
          target: null,
          note: dispatchNote,
        }),
        figure({
          name: at(`${channel} through router.dispatch, p99`),
          value: readTimings[i]!.p99,
          unit: 'ms',
          target: null,
          note: dispatchNote,
        }),
      ]),
      commitFigure(signInName, oneCommit),
      commitFigure(totpName, oneCommit),
      commitFigure(emailName, oneCommit),
      ...readNames.map((name) => commitFigure(name, noCommit)),
      figure({
        name: dispatchNames.signInCommits,
        value: signInCommits,
        unit: 'commits',
        target: oneCommit,
        note: dispatchNote,
      }),
      figure({
        name: dispatchNames.readCommits,
        value: readCommits,
        unit: 'commits',
        target: noCommit,
        note: dispatchNote,
      }),
    ]
  } finally {
    floor.close()
    bench.close()
  }
}
