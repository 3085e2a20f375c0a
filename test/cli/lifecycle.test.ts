import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createArgon2PasswordHasher } from '../../electron/main/adapters/crypto/argon2-password-hasher'
import { auditRows, cliActor, jsonOf, requireBuiltCli, siteFor, withDatabase } from './support/run-cli'

const { temp, dataDir, cli } = siteFor('lifecycle')
const first = 'Harbor violet 19 stone'

interface Shown {
  username: string
  role: string
  disabled: boolean
  locked: boolean
}

async function show(name: string): Promise<Shown> {
  const run = await cli(['account', 'show', name, '--json'])
  expect(run.code).toBe(0)
  return jsonOf(run) as Shown
}

function row(name: string) {
  return withDatabase(dataDir, (db) =>
    db
      .prepare<
        [string],
        {
          id: number
          password_hash: string
          failed_attempts: number
          locked_until: number | null
          admin_locked: number
        }
      >('SELECT id, password_hash, failed_attempts, locked_until, admin_locked FROM accounts WHERE username = ?')
      .get(name)!,
  )
}

beforeAll(async () => {
  requireBuiltCli({ keyring: true })
  expect((await cli(['init', '--admin', 'alice'], { input: `${first}\n` })).code).toBe(0)
  expect((await cli(['account', 'create', 'bob', '--password-stdin'], { input: `${first}\n` })).code).toBe(0)
})
afterAll(() => temp.remove())

describe('keyhold account disable / enable / unlock / delete / passwd', () => {
  it('disables and enables an account', async () => {
    const disabled = await cli(['account', 'disable', 'bob', '--json'])
    expect(disabled.code).toBe(0)
    expect(jsonOf(disabled)).toMatchObject({ username: 'bob', disabled: true })
    expect((await show('bob')).disabled).toBe(true)
    const list = await cli(['account', 'list'])
    expect(list.stdout).toMatch(/^bob +bob +user +disabled /m)

    const enabled = await cli(['account', 'enable', 'bob'])
    expect(enabled.code).toBe(0)
    expect(enabled.stdout).toBe('Enabled "bob".\n')
    expect((await show('bob')).disabled).toBe(false)
  })

  it('S13: unlock lifts a lock that only an administrator may lift, and resets the counter', async () => {
    // The state 100 consecutive failures leave (S13), written as the sign-in service would.
    withDatabase(dataDir, (db) =>
      db.prepare("UPDATE accounts SET failed_attempts = 100, admin_locked = 1 WHERE username = 'bob'").run(),
    )
    expect((await show('bob')).locked).toBe(true)
    expect((await cli(['account', 'show', 'bob'])).stdout).toContain(
      'Status:        locked until an administrator unlocks it\n',
    )

    const run = await cli(['account', 'unlock', 'bob', '--json'])
    expect(run.code).toBe(0)
    expect(jsonOf(run)).toMatchObject({ username: 'bob', locked: false })
    expect(row('bob')).toMatchObject({ failed_attempts: 0, locked_until: null, admin_locked: 0 })
  })

  it('protects the last enabled administrator from disable and delete (LAST_ADMIN)', async () => {
    const disable = await cli(['account', 'disable', 'alice', '--json'])
    expect(disable.code).toBe(1)
    expect(disable.stderr).toBe('error: LAST_ADMIN: Cannot disable the last enabled administrator\n')
    expect(jsonOf(disable)).toEqual({
      error: { code: 'LAST_ADMIN', message: 'Cannot disable the last enabled administrator' },
    })
    const remove = await cli(['account', 'delete', 'alice'])
    expect(remove.code).toBe(1)
    expect(remove.stderr).toBe('error: LAST_ADMIN: Cannot delete the last enabled administrator\n')
    expect(await show('alice')).toMatchObject({ role: 'admin', disabled: false })

    // With a second administrator, one may go; then the other is the last one.
    expect(
      (await cli(['account', 'create', 'carol', '--admin', '--password-stdin'], { input: `${first}\n` })).code,
    ).toBe(0)
    expect((await cli(['account', 'disable', 'alice'])).code).toBe(0)
    const last = await cli(['account', 'delete', 'carol'])
    expect(last.code).toBe(1)
    expect(last.stderr).toMatch(/^error: LAST_ADMIN: /)
    expect((await cli(['account', 'enable', 'alice'])).code).toBe(0)
    const deleted = await cli(['account', 'delete', 'CAROL', '--json'])
    expect(deleted.code).toBe(0)
    expect(jsonOf(deleted)).toEqual({ deleted: 'carol' })
  })

  it('deletes an account; it is then NOT_FOUND', async () => {
    expect((await cli(['account', 'create', 'dora', '--password-stdin'], { input: `${first}\n` })).code).toBe(0)
    const run = await cli(['account', 'delete', 'dora'])
    expect(run.code).toBe(0)
    expect(run.stdout).toBe('Deleted "dora".\n')
    const again = await cli(['account', 'delete', 'dora'])
    expect(again.code).toBe(1)
    expect(again.stderr).toBe('error: NOT_FOUND: No account named "dora"\n')
  })

  it("passwd sets a new password from stdin and ends the account's sessions", async () => {
    const { id } = row('bob')
    withDatabase(dataDir, (db) =>
      db
        .prepare(
          "INSERT INTO sessions (id, account_id, state, created_at, last_seen_at) VALUES ('s-bob', ?, 'active', 1, 1)",
        )
        .run(id),
    )
    const next = '  Quartz falcon 88 ember  '
    const run = await cli(['account', 'passwd', 'bob', '--password-stdin', '--json'], { input: `${next}\n` })
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(jsonOf(run)).toEqual({ username: 'bob', passwordChanged: true })
    const hasher = createArgon2PasswordHasher()
    // Only the one trailing newline was removed: the spaces are part of the password.
    expect(hasher.verifySync(row('bob').password_hash, next)).toBe(true)
    expect(hasher.verifySync(row('bob').password_hash, first)).toBe(false)
    const session = withDatabase(dataDir, (db) => db.prepare("SELECT ended_at FROM sessions WHERE id = 's-bob'").get())
    expect(session).toEqual({ ended_at: expect.any(Number) })
  })

  it('S1: passwd refuses a weak password and keeps the old hash', async () => {
    const before = row('bob').password_hash
    const run = await cli(['account', 'passwd', 'bob', '--password-stdin'], { input: 'short\n' })
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/^error: WEAK_PASSWORD: /)
    expect(row('bob').password_hash).toBe(before)
  })

  it('passwd for an unknown account is NOT_FOUND', async () => {
    const run = await cli(['account', 'passwd', 'nobody', '--password-stdin'], { input: `${first}\n` })
    expect(run.code).toBe(1)
    expect(run.stderr).toBe('error: NOT_FOUND: No account named "nobody"\n')
  })

  it('S15: every change above is in the audit log with the actor cli:<os user>, and the chain verifies', async () => {
    const rows = auditRows(dataDir)
    expect(rows.map((r) => r.event)).toEqual([
      'setup.first-admin',
      'account.created',
      'account.disabled',
      'account.enabled',
      'account.unlocked',
      'account.created',
      'account.disabled',
      'account.enabled',
      'account.deleted',
      'account.created',
      'account.deleted',
      'password.changed',
    ])
    expect(new Set(rows.map((r) => r.actor))).toEqual(new Set([cliActor]))
    const status = await cli(['vault', 'status', '--json'])
    expect(status.code).toBe(0)
    expect(jsonOf(status)).toMatchObject({ audit: { ok: true, rows: rows.length, problem: null } })
  })
})
