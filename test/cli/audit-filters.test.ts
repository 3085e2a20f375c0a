import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { okJson } from './support/mfa-cli'
import { requireBuiltCli, siteFor } from './support/run-cli'

/** `keyhold audit list --event/--since/--until`: the filters run in the database (S22). */
const { temp, cli } = siteFor('audit-filters')
const strong = 'Orbit lantern 7 meadow'

interface Entry {
  readonly event: string
  readonly at: string
  readonly account: string | null
  readonly accountId: number | null
}
const entriesOf = (run: Awaited<ReturnType<typeof cli>>) => okJson<{ entries: Entry[] }>(run).entries

beforeAll(async () => {
  requireBuiltCli({ keyring: true })
  expect((await cli(['init', '--admin', 'alice'], { input: `${strong}\n` })).code).toBe(0)
  expect((await cli(['account', 'create', 'bob', '--password-stdin'], { input: `${strong}\n` })).code).toBe(0)
  expect((await cli(['settings', 'set', 'site-name', 'Harbour Works'])).code).toBe(0)
  // Three CLI runs, two with a full-strength password hash: more than the default hook time on a busy machine.
}, 120_000)
afterAll(() => temp.remove())

describe('keyhold audit list filters', () => {
  it('--event matches part of the event name, any case', async () => {
    const found = entriesOf(await cli(['audit', 'list', '--event', 'SITE-NAME', '--json']))
    expect(found.map((e) => e.event)).toEqual(['settings.site-name-changed'])
    expect(entriesOf(await cli(['audit', 'list', '--event', 'account.created', '--account', 'bob', '--json']))).toEqual(
      [expect.objectContaining({ event: 'account.created', account: 'bob' })],
    )
    const none = await cli(['audit', 'list', '--event', 'no-such-event'])
    expect(none.code).toBe(0)
    expect(none.stdout).toBe('No audit entries match.\n')
  })

  it('--since is inclusive and --until exclusive; a bare date is midnight UTC', async () => {
    const all = entriesOf(await cli(['audit', 'list', '--json']))
    const newest = all[0]!
    const since = entriesOf(await cli(['audit', 'list', '--since', newest.at, '--json']))
    expect(since.map((e) => e.at).every((at) => at >= newest.at)).toBe(true)
    expect(since).toContainEqual(newest)
    const until = entriesOf(await cli(['audit', 'list', '--until', newest.at, '--json']))
    expect(until.every((e) => e.at < newest.at)).toBe(true)
    expect(entriesOf(await cli(['audit', 'list', '--until', '2000-01-01', '--json']))).toEqual([])
  })

  it("S29: --account finds a deleted account's history; a recreated name lists both accounts, told apart by id", async () => {
    const create = async () =>
      expect((await cli(['account', 'create', 'dora', '--password-stdin'], { input: `${strong}\n` })).code).toBe(0)
    await create()
    expect((await cli(['account', 'delete', 'dora'])).code).toBe(0)
    const gone = entriesOf(await cli(['audit', 'list', '--account', 'Dora', '--json']))
    expect(gone.map((e) => [e.event, e.account])).toEqual([
      ['account.deleted', 'dora'],
      ['account.created', 'dora'],
    ])
    const oldId = gone[0]!.accountId!

    await create()
    const both = entriesOf(await cli(['audit', 'list', '--account', 'dora', '--json']))
    expect(both.map((e) => [e.event, e.accountId === oldId ? 'old' : 'new'])).toEqual([
      ['account.created', 'new'],
      ['account.deleted', 'old'],
      ['account.created', 'old'],
    ])
    const human = (await cli(['audit', 'list', '--account', 'dora'])).stdout
    expect(human).toContain(`dora #${oldId}`)
    expect(human).toContain(`dora #${both[0]!.accountId!}`)
  })

  it('refuses a time without a zone, a reversed range and an empty event with exit 2', async () => {
    for (const [args, message] of [
      [['--since', '2026-11-28 09:00'], /--since must be an ISO date or date-time with a zone/],
      [['--since', '2026-11-28T10:00Z', '--until', '2026-11-28T09:00Z'], /--since must be before --until/],
      [['--event', '  '], /--event must be 1 to 64 characters/],
    ] as const) {
      const run = await cli(['audit', 'list', ...args])
      expect(run.code).toBe(2)
      expect(run.stderr).toMatch(message)
    }
  })
})
