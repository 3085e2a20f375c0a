import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectFailure, okJson } from './support/mfa-cli'
import { addTotp, setPolicy } from './support/operators'
import { auditRows, requireBuiltCli, siteFor, withDatabase } from './support/run-cli'
import { initSite } from './support/site-setup'

/** `keyhold account edit`, `account setup-code` and `coverage`: the window's admin tasks from the CLI alone. */
const { temp, dataDir, cli } = siteFor('account-admin')
const strong = 'Orbit lantern 7 meadow'

beforeAll(async () => {
  requireBuiltCli({ keyring: true })
  await initSite(cli, strong, 'alice', ['bob', 'carol', 'dave'])
}, 60_000)
afterAll(() => temp.remove())

describe('keyhold account edit', () => {
  it('changes the display name, contact details and role, and audits which fields changed', async () => {
    const view = okJson(
      await cli(
        ['account', 'edit', 'bob', '--display-name', 'Bob Builder', '--email', 'bob@example.org'].concat([
          '--phone',
          '+44 20 7946 0958',
          '--role',
          'admin',
          '--json',
        ]),
      ),
    )
    expect(view).toMatchObject({
      username: 'bob',
      displayName: 'Bob Builder',
      email: 'bob@example.org',
      phone: '+442079460958',
      role: 'admin',
    })
    const cleared = okJson(await cli(['account', 'edit', 'bob', '--no-phone', '--role', 'user', '--json']))
    expect(cleared).toMatchObject({ phone: null, role: 'user', email: 'bob@example.org' })
    const details = withDatabase(dataDir, (db) =>
      db
        .prepare<[], { detail: string }>("SELECT detail FROM audit_log WHERE event = 'account.updated' ORDER BY id")
        .all(),
    )
    expect(details.map((r) => JSON.parse(r.detail) as { fields: string })).toEqual([
      { fields: 'displayName,email,phone,role' },
      { fields: 'phone,role' },
    ])
  })

  it('refuses bad values with the option named, and the last administrator stays one; nothing changes', async () => {
    const before = auditRows(dataDir).length
    expectFailure(await cli(['account', 'edit', 'bob', '--email', 'not-an-address']), 'VALIDATION', /: --email: /)
    expectFailure(await cli(['account', 'edit', 'bob', '--role', 'owner']), 'VALIDATION', /: --role: /)
    expectFailure(
      await cli(['account', 'edit', 'bob', '--phone', '12']),
      'VALIDATION',
      /Start the number with \+ and the country code/,
    )
    expectFailure(await cli(['account', 'edit', 'alice', '--role', 'user']), 'LAST_ADMIN')
    expectFailure(await cli(['account', 'edit', 'nobody', '--display-name', 'X']), 'NOT_FOUND')
    for (const args of [['bob'], ['bob', '--email', 'a@b.org', '--no-email']]) {
      const run = await cli(['account', 'edit', ...args])
      expect(run.code).toBe(2)
    }
    expect(auditRows(dataDir)).toHaveLength(before)
  })
})

describe('keyhold account setup-code', () => {
  it('issues a one-time setup code that replaces the password; the old password stops working', async () => {
    const issued = okJson<{ username: string; setupCode: string; expiresAt: string }>(
      await cli(['account', 'setup-code', 'carol', '--json']),
    )
    expect(issued.username).toBe('carol')
    expect(issued.setupCode).toMatch(/^[A-Z2-7]{4}(-[A-Z2-7]{4}){5}$/)
    const shown = okJson<{ setupCodePending: boolean }>(await cli(['account', 'show', 'carol', '--json']))
    expect(shown).toMatchObject({ username: 'carol' })
    const auth = await cli(['auth', 'carol'], { input: `${strong}\n` })
    expect(auth.code).toBe(1)
    expect(auditRows(dataDir).map((r) => r.event)).toContain('setup-code.issued')
    const human = await cli(['account', 'setup-code', 'carol'])
    expect(human.stdout).toMatch(/^Setup code for "carol": [A-Z2-7]{4}(-[A-Z2-7]{4}){5}\n/)
    expect(human.stdout).not.toContain(issued.setupCode)
  })
})

describe('keyhold coverage', () => {
  it('counts accounts by MFA state and method and lists who is late', async () => {
    await addTotp(cli, 'dave')
    await setPolicy(cli, { enforcement: 'required', gracePeriodDays: 14 })
    const report = okJson<{
      total: number
      byState: Record<string, number>
      byMethod: Record<string, number>
      nonCompliant: { username: string; state: string }[]
    }>(await cli(['coverage', '--json']))
    expect(report.total).toBe(4)
    expect(report.byState.enrolled).toBe(1)
    expect(report.byMethod).toEqual({ totp: 1, email: 0, sms: 0 })
    expect(report.nonCompliant.map((a) => a.username).sort()).toEqual(['alice', 'bob', 'carol'])
    expect(new Set(report.nonCompliant.map((a) => a.state))).toEqual(new Set(['grace']))
    const human = await cli(['coverage'])
    expect(human.stdout).toMatch(/^Accounts: +4$/m)
    expect(human.stdout).toMatch(/^bob +in grace period/m)
  })
})
