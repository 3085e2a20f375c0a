import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { oathtoolCode, okJson, requireOathtool, totpSetupOf } from './support/mfa-cli'
import { requireBuiltCli, siteFor, withDatabase } from './support/run-cli'
import { initSite } from './support/site-setup'

/**
 * S36 through the built CLI, as issue 13 found it: two authenticator setups
 * begun, both verified (each prints its own ten recovery codes), both enabled.
 * The account must end with exactly one valid set, the one enabled last, and
 * `keyhold auth` must accept its codes and refuse the other set's.
 */
const { temp, dataDir, cli } = siteFor('overlap')
const strong = 'Orbit lantern 7 meadow'

beforeAll(async () => {
  requireBuiltCli({ keyring: true })
  requireOathtool()
  await initSite(cli, strong, 'alice', ['erin'])
}, 60_000)
afterAll(() => temp.remove())

async function verifiedSetup(): Promise<{ id: string; codes: string[] }> {
  const setup = totpSetupOf(await cli(['mfa', 'enroll', 'begin', 'erin', '--type', 'totp', '--json']))
  const verified = okJson<{ recoveryCodes: string[] | null }>(
    await cli(['mfa', 'enroll', 'verify', setup.enrollmentId, '--code', oathtoolCode(setup.secret), '--json']),
  )
  expect(verified.recoveryCodes).toHaveLength(10)
  return { id: setup.enrollmentId, codes: verified.recoveryCodes! }
}

describe('S36: keyhold mfa enroll, two setups at once', () => {
  it('keeps one valid set of recovery codes, the one printed for the setup enabled last', async () => {
    const first = await verifiedSetup()
    const second = await verifiedSetup()
    expect(first.codes.some((c) => second.codes.includes(c))).toBe(false)

    okJson(await cli(['mfa', 'enroll', 'enable', first.id, '--json']))
    okJson(await cli(['mfa', 'enroll', 'enable', second.id, '--json']))

    const list = okJson<{ methods: unknown[]; recoveryCodesRemaining: number }>(
      await cli(['mfa', 'list', 'erin', '--json']),
    )
    expect(list.methods).toHaveLength(2)
    expect(list.recoveryCodesRemaining).toBe(10)
    const sets = withDatabase(
      dataDir,
      (db) =>
        db.prepare<[], { n: number }>('SELECT count(DISTINCT batch) AS n FROM recovery_codes WHERE active = 1').get()!
          .n,
    )
    expect(sets).toBe(1)

    // The first set is gone; the second one signs in (S11: each code once).
    expect((await cli(['auth', 'erin'], { input: `${strong}\n${first.codes[0]}\n` })).code).toBe(1)
    expect((await cli(['auth', 'erin'], { input: `${strong}\n${second.codes[0]}\n` })).code).toBe(0)
    expect((await cli(['auth', 'erin'], { input: `${strong}\n${second.codes[0]}\n` })).code).toBe(1)
  }, 240_000)
})
