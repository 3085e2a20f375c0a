import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cliFor, requireBuiltCli, withDatabase, type RunOptions } from '../cli/support/run-cli'
import { makeTempDir, rpc, startPreview, type RunningPreview } from '../support/preview-process'
import { startKeyringSession, type KeyringSession } from './support/keyring-session'

/**
 * S19: the keychain locked while Keyhold runs (a screen lock, a keyring that
 * timed out). The running app keeps the master key it read at start and goes
 * on working; every process that starts meanwhile — here the operator CLI —
 * must fail closed with a clear KEYCHAIN_LOCKED message and exit 1, write
 * nothing (no new master key above all), and work again once the keychain is
 * unlocked.
 *
 * A keyring of this test's own (support/keyring-session.ts), so locking it does
 * not disturb the tests running beside it in scripts/with-keyring.sh.
 */
const password = 'violet-harbour-kettle-42'
const client = 'admin-tab'

let session: KeyringSession
let data: ReturnType<typeof makeTempDir>
let fresh: ReturnType<typeof makeTempDir>
let preview: RunningPreview | null = null

beforeAll(async () => {
  requireBuiltCli({ keyring: false })
  session = await startKeyringSession()
  data = makeTempDir('keyhold-keychain-fault-')
  fresh = makeTempDir('keyhold-keychain-fresh-')
  preview = await startPreview({ dataDir: data.path, env: { ...process.env, ...session.env } })
  await rpc(
    preview,
    'setup:create-admin',
    { username: 'root', displayName: 'Root', email: 'root@example.test', password },
    client,
  )
  expect((await rpc(preview, 'auth:sign-in', { username: 'root', password }, client)).result).toMatchObject({
    ok: true,
  })
})

afterAll(async () => {
  await preview?.stop()
  await session?.close()
  data?.remove()
  fresh?.remove()
})

function cli(dataDir: string) {
  const run = cliFor(dataDir)
  return (args: readonly string[], options: RunOptions = {}) =>
    run(args, { ...options, env: { ...session.env, ...options.env } })
}

const usernames = () =>
  withDatabase(data.path, (db) =>
    db
      .prepare<[], { username: string }>('SELECT username FROM accounts ORDER BY username')
      .all()
      .map((r) => r.username),
  )
const keyId = () =>
  withDatabase(data.path, (db) => db.prepare("SELECT value FROM settings WHERE key = 'vault.key_id'").get())

describe('the keychain locked mid-run', () => {
  it('keeps the running app working, fails the CLI closed with KEYCHAIN_LOCKED, and recovers on unlock', async () => {
    const run = cli(data.path)
    expect((await run(['account', 'create', 'before', '--password-stdin'], { input: password })).code).toBe(0)
    const key = keyId()

    await session.lock()
    // The app read its master key at start: a locked keychain does not take it away.
    expect(
      (await rpc(preview!, 'admin:create-account', { username: 'by-app', role: 'user' }, client)).result,
    ).toMatchObject({
      ok: true,
    })
    // A process that starts now cannot read the key: a clear message, exit 1, nothing written.
    for (const args of [
      ['account', 'create', 'by-cli', '--password-stdin'],
      ['account', 'list'],
    ]) {
      const locked = await run(args, { input: password })
      expect({ code: locked.code, stdout: locked.stdout }).toEqual({ code: 1, stdout: '' })
      expect(locked.stderr, 'a locked keychain must be reported as locked, not as a missing or wrong key').toMatch(
        /^error: KEYCHAIN_LOCKED: .*locked/,
      )
      expect(locked.stderr).toMatch(/^fix: Unlock your keychain/m)
    }
    expect(usernames()).toEqual(['before', 'by-app', 'root'])
    expect(keyId()).toEqual(key)

    await session.unlock()
    const after = await run(['account', 'create', 'by-cli', '--password-stdin'], { input: password })
    expect({ code: after.code, stderr: after.stderr }).toEqual({ code: 0, stderr: '' })
    expect(usernames()).toEqual(['before', 'by-app', 'by-cli', 'root'])
    // The same master key throughout: the app and the CLI still read each other's data.
    expect(keyId()).toEqual(key)
    expect((await rpc(preview!, 'admin:get-account', { username: 'by-cli' }, client)).result).toMatchObject({
      ok: true,
    })
    const verify = await run(['audit', 'verify', '--json'])
    expect(verify.stderr).toBe('')
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true })
  })

  it('refuses to set up a new data folder while locked, and makes no master key', async () => {
    const run = cli(fresh.path)
    await session.lock()
    try {
      const locked = await run(['init', '--admin', 'root', '--password-stdin'], { input: password })
      expect(locked.code).toBe(1)
      expect(locked.stderr).toMatch(/^error: KEYCHAIN_LOCKED: /)
      // Nothing half set up: no account, no key recorded (a leftover empty schema is listed in the report).
      const file = join(fresh.path, 'keyhold.db')
      if (existsSync(file)) {
        expect(
          withDatabase(fresh.path, (db) => ({
            accounts: db.prepare('SELECT count(*) AS n FROM accounts').get(),
            key: db.prepare("SELECT value FROM settings WHERE key LIKE 'vault.%'").all(),
          })),
        ).toEqual({ accounts: { n: 0 }, key: [] })
      }
    } finally {
      await session.unlock()
    }
    const after = await run(['init', '--admin', 'root', '--password-stdin'], { input: password })
    expect({ code: after.code, stderr: after.stderr }).toEqual({ code: 0, stderr: '' })
    expect(readdirSync(fresh.path)).toContain('keyhold.db')
  })
})
