import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { totpCodeAt } from '../../../electron/main/adapters/otp/totp-engine'
import { createKeytarSecretStore } from '../../../electron/main/adapters/keychain/keytar-secret-store'
import { commitCount } from '../../../electron/main/adapters/sqlite/commit-counter'
import { keychainAccountFor } from '../../../electron/main/adapters/vault/open-vault'
import { createHandlers } from '../../../electron/main/ipc/handlers'
import { createRouter, type CallContext, type Router } from '../../../electron/main/ipc/router'
import { manualClock, openBenchKeyhold, type BenchKeyhold } from '../../../bench/bench-keyhold'
import { enrollSignInAccount, type SignInFixture } from '../../../bench/verify-suite'

/**
 * Issue 15 §1: at most one durable commit for a request that changes something, none for a
 * read. Each request goes through the real router, as the window calls it, on a real SQLite
 * file; the count is the connection's (commit-counter.ts), which strace-fsync.test.ts ties to
 * the fsyncs SQLite makes.
 */
const store = createKeytarSecretStore()
const clock = manualClock(Date.UTC(2026, 0, 5, 9, 0, 0))
const password = 'violet-harbour-kettle-42'
const adminPassword = 'granite-lantern-orchard-17'
let dir: string
let bench: BenchKeyhold
let router: Router
let fixture: SignInFixture

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'keyhold-commits-'))
  bench = await openBenchKeyhold({ dataDir: dir, secrets: store, clock })
  await bench.services.accounts.createFirstAdmin(
    { username: 'root', email: 'root@site.example', password: adminPassword },
    'cli:test',
  )
  fixture = await enrollSignInAccount(bench, clock)
  router = createRouter({ handlers: createHandlers({ services: bench.services }), sessions: bench.services.auth })
})

afterAll(async () => {
  bench?.close()
  await store.delete(keychainAccountFor(dir)).catch(() => false)
  rmSync(dir, { recursive: true, force: true })
})

/** The request's result and how many durable commits it made. */
async function counted(channel: string, input: unknown, ctx: CallContext) {
  const before = commitCount(bench.keyhold.db)
  const result = await router.dispatch(channel, input, ctx)
  return { result, commits: commitCount(bench.keyhold.db) - before }
}

describe('durable commits per request through the router', () => {
  it('signs in with a password and a TOTP code in one commit each; reads make none', async () => {
    const ctx: CallContext = { clientKey: 'w-totp', transport: 'window' }
    clock.advance(30_000)
    const signIn = await counted('auth:sign-in', { username: 'bench.signin', password }, ctx)
    expect(signIn.result).toMatchObject({ ok: true, value: { status: 'mfa-required' } })
    expect(signIn.commits).toBe(1)

    const code = totpCodeAt(fixture.totp.secret, fixture.totp.params, clock.now())
    const check = await counted('auth:verify-code', { methodId: fixture.totp.methodId, code }, ctx)
    expect(check.result).toMatchObject({ ok: true, value: { status: 'signed-in' } })
    expect(check.commits).toBe(1)

    for (const channel of ['mfa:list', 'account:get-me'] as const) {
      const read = await counted(channel, {}, ctx)
      expect(read.result, channel).toMatchObject({ ok: true })
      expect(read.commits, channel).toBe(0)
    }
  })

  it('checks an emailed code in one commit', async () => {
    const ctx: CallContext = { clientKey: 'w-email', transport: 'window' }
    expect((await counted('auth:sign-in', { username: 'bench.signin', password }, ctx)).commits).toBe(1)
    const sent = await router.dispatch('auth:send-code', { methodId: fixture.email.methodId }, ctx)
    expect(sent).toMatchObject({ ok: true })
    const code = bench.senders.lastCode(fixture.email.to)
    const check = await counted('auth:verify-code', { methodId: fixture.email.methodId, code }, ctx)
    expect(check.result).toMatchObject({ ok: true, value: { status: 'signed-in' } })
    expect(check.commits).toBe(1)
  })

  it('signs an administrator in with one commit and lists accounts with none', async () => {
    const ctx: CallContext = { clientKey: 'w-admin', transport: 'window' }
    const signIn = await counted('auth:sign-in', { username: 'root', password: adminPassword }, ctx)
    expect(signIn.result).toMatchObject({ ok: true, value: { status: 'signed-in' } })
    expect(signIn.commits).toBe(1)
    const list = await counted('admin:list-accounts', {}, ctx)
    expect(list.result).toMatchObject({ ok: true })
    expect(list.commits).toBe(0)
  })

  it('counts a wrong password, which changes the failure counter, as one commit', async () => {
    const ctx: CallContext = { clientKey: 'w-wrong', transport: 'window' }
    const wrong = await counted('auth:sign-in', { username: 'root', password: 'not-the-password-1' }, ctx)
    expect(wrong.result).toMatchObject({ ok: false, error: { code: 'INVALID_CREDENTIALS' } })
    expect(wrong.commits).toBe(1)
  })
})
