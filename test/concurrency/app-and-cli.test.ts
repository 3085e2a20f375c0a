import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createKeytarSecretStore } from '../../electron/main/adapters/keychain/keytar-secret-store'
import { keychainAccountFor } from '../../electron/main/adapters/vault/open-vault'
import { cliFor, requireBuiltCli, withDatabase, type CliRun } from '../cli/support/run-cli'
import { makeTempDir, rpc, startPreview, type RunningPreview } from '../support/preview-process'

/**
 * S21: two processes writing to one data folder at once — the browser preview
 * (the app: the real router and services behind HTTP) and the operator CLI —
 * must neither lose an update nor show anyone "database is locked": the
 * connection's busy timeout and BEGIN IMMEDIATE make each writer wait its turn.
 *
 * Runs the built preview and CLI (npx electron-vite build) inside
 * scripts/with-keyring.sh, like the CLI and end-to-end tests.
 */
const password = 'violet-harbour-kettle-42'
const client = 'admin-tab'
/** CLI lanes run side by side, each creating then disabling its accounts one command at a time. */
const lanes = 2
const perLane = 3
const renamed = 'Renamed by the app'

let data: ReturnType<typeof makeTempDir>
let preview: RunningPreview | null = null
const store = createKeytarSecretStore()

beforeAll(async () => {
  requireBuiltCli({ keyring: true })
  data = makeTempDir('keyhold-app-cli-')
  preview = await startPreview({ dataDir: data.path })
  const setup = await rpc(
    preview,
    'setup:create-admin',
    { username: 'root', displayName: 'Root', email: 'root@example.test', password },
    client,
  )
  expect(setup.result).toMatchObject({ ok: true })
  // Signing in is also the step-up (S15) that the admin channels need, for the next five minutes.
  expect((await rpc(preview, 'auth:sign-in', { username: 'root', password }, client)).result).toMatchObject({
    ok: true,
    value: { status: 'signed-in' },
  })
})

afterAll(async () => {
  await preview?.stop()
  await store.delete(keychainAccountFor(data.path)).catch(() => false)
  data?.remove()
})

interface AppCall {
  readonly channel: string
  readonly status: number
  readonly result: unknown
}

describe('the app and the CLI writing at the same time', () => {
  it('loses no update and shows nobody "database is locked"', async () => {
    const cli = cliFor(data.path)
    const runs: { readonly args: readonly string[]; readonly run: CliRun }[] = []
    const created: string[] = []
    let cliDone = false
    let slowest = 0

    async function lane(l: number): Promise<void> {
      for (let i = 0; i < perLane; i += 1) {
        const name = `cli-${l}-${i}`
        const started = performance.now()
        const create = await cli(['account', 'create', name, '--password-stdin'], { input: `${password}\n` })
        slowest = Math.max(slowest, performance.now() - started)
        runs.push({ args: ['create', name], run: create })
        if (create.code === 0) created.push(name)
        runs.push({ args: ['disable', name], run: await cli(['account', 'disable', name]) })
      }
    }

    const calls: AppCall[] = []
    const appMade: string[] = []
    const appRenamed = new Set<string>()
    async function app(): Promise<void> {
      const call = async (channel: string, input: unknown) => {
        const reply = await rpc(preview!, channel, input, client)
        calls.push({ channel, ...reply })
        return reply.result as { ok: boolean }
      }
      // While the CLI works (and until every account it made was renamed): create, disable, re-enable every
      // other one, and rename an account the CLI made — a row the CLI disables at about the same moment.
      for (let i = 0; !cliDone || i < 5 || created.some((n) => !appRenamed.has(n)); i += 1) {
        const name = `app-${i}`
        if ((await call('admin:create-account', { username: name, role: 'user' })).ok) appMade.push(name)
        await call('admin:set-disabled', { username: name, disabled: true })
        if (i % 2 === 1) await call('admin:set-disabled', { username: name, disabled: false })
        const target = created.find((n) => !appRenamed.has(n))
        if (target && (await call('admin:update-account', { username: target, displayName: renamed })).ok) {
          appRenamed.add(target)
        }
      }
    }

    const cliLanes = Promise.all(Array.from({ length: lanes }, (_, l) => lane(l))).finally(() => (cliDone = true))
    await Promise.all([cliLanes, app()])

    // Nobody saw a failure: no exit status but 0, nothing on stderr, no refusal from the app's router.
    const failedRuns = runs.filter((r) => r.run.code !== 0 || r.run.stderr !== '')
    expect(failedRuns.map((r) => ({ args: r.args, code: r.run.code, stderr: r.run.stderr }))).toEqual([])
    const failedCalls = calls.filter((c) => c.status !== 200 || !(c.result as { ok: boolean }).ok)
    expect(failedCalls).toEqual([])
    expect(preview!.stderr()).not.toMatch(/internal error|database is locked|SQLITE_BUSY/i)
    expect(runs).toHaveLength(lanes * perLane * 2)

    // No lost update: every account is there, with every change made to it, by either process.
    const rows = withDatabase(data.path, (db) =>
      db
        .prepare<[], { username: string; display_name: string; disabled: number }>(
          "SELECT username, display_name, disabled FROM accounts WHERE username != 'root' ORDER BY username",
        )
        .all(),
    )
    const expected = [
      // Every other one was enabled again.
      ...appMade.map((name) => ({
        username: name,
        display_name: name,
        disabled: Number(name.slice(4)) % 2 === 0 ? 1 : 0,
      })),
      // Both processes changed these rows: the CLI's disable and the app's rename both stay.
      ...created.map((name) => ({ username: name, display_name: renamed, disabled: 1 })),
    ].sort((a, b) => (a.username < b.username ? -1 : 1))
    expect(rows).toEqual(expected)
    expect(created).toHaveLength(lanes * perLane)

    const audit = withDatabase(data.path, (db) => ({
      integrity: db.pragma('integrity_check', { simple: true }),
      created: db
        .prepare<[], { n: number }>("SELECT count(*) AS n FROM audit_log WHERE event = 'account.created'")
        .get()!.n,
    }))
    expect(audit).toEqual({ integrity: 'ok', created: appMade.length + created.length })
    // The audit chain survived two writers (S22): checked by the CLI, while the app still has the file open.
    const verify = await cli(['audit', 'verify', '--json'])
    expect(verify.stderr).toBe('')
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true })
    console.log(
      `app and CLI: ${calls.length} app calls, ${runs.length} CLI runs (slowest create ${Math.round(slowest)} ms), ${appRenamed.size} CLI accounts renamed by the app`,
    )
  })
})
