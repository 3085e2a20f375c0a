import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectFailure, okJson } from './support/mfa-cli'
import { currentPolicy } from './support/operators'
import { auditRows, cliActor, jsonOf, requireBuiltCli, siteFor } from './support/run-cli'

/** `keyhold policy get|set`: the MFA policy as JSON, validated per field, versioned and audited. */
const { temp, dataDir, cli } = siteFor('policy')
const strong = 'Orbit lantern 7 meadow'

beforeAll(async () => {
  requireBuiltCli({ keyring: true })
  expect((await cli(['init', '--admin', 'alice'], { input: `${strong}\n` })).code).toBe(0)
}, 60_000)
afterAll(() => temp.remove())

describe('keyhold policy get', () => {
  it('prints the policy view: version 0 and the defaults before anything is set', async () => {
    const view = okJson<Record<string, unknown>>(await cli(['policy', 'get', '--json']))
    expect(Object.keys(view)).toEqual(['version', 'updatedAt', 'updatedBy', 'site', 'roles', 'requiredSince'])
    expect(view).toMatchObject({
      version: 0,
      updatedBy: null,
      roles: {},
      site: { enforcement: 'optional', allowedMethods: ['totp', 'email', 'sms'], lockoutThreshold: 10 },
    })
    // Without --json: the same document, indented for editing.
    const human = await cli(['policy', 'get'])
    expect(human.code).toBe(0)
    expect(JSON.parse(human.stdout)).toEqual(view)
    expect(human.stdout.split('\n').length).toBeGreaterThan(10)
  })
})

describe('keyhold policy set', () => {
  it('takes back what policy get printed, from a FILE, edited; versioned and audited as cli:<os user>', async () => {
    const file = join(temp.path, 'policy.json')
    writeFileSync(file, (await cli(['policy', 'get'])).stdout)
    const edited = JSON.parse(readFileSync(file, 'utf8')) as { site: Record<string, unknown> }
    edited.site.enforcement = 'prompt'
    edited.site.lockoutThreshold = 5
    writeFileSync(file, JSON.stringify(edited, null, 2))
    const run = await cli(['policy', 'set', file, '--json'])
    expect(okJson(run)).toMatchObject({
      version: 1,
      updatedBy: cliActor,
      site: { enforcement: 'prompt', lockoutThreshold: 5 },
    })
    expect((await currentPolicy(cli)).version).toBe(1)
    expect(auditRows(dataDir).at(-1)).toEqual({ actor: cliActor, event: 'policy.changed', account_id: null })
    const human = await cli(['policy', 'set', file])
    expect(human.stdout).toBe('The MFA policy is now version 2.\n')
  })

  it('reads the document from stdin without FILE or with -', async () => {
    const { site } = await currentPolicy(cli)
    const doc = JSON.stringify({
      site: { ...site, enforcement: 'required', gracePeriodDays: 30 },
      roles: { admin: { gracePeriodDays: 3 } },
    })
    expect(okJson(await cli(['policy', 'set', '--json'], { input: doc }))).toMatchObject({
      version: 3,
      site: { enforcement: 'required', gracePeriodDays: 30 },
      roles: { admin: { gracePeriodDays: 3 } },
      requiredSince: { site: expect.any(String) },
    })
    expect(okJson(await cli(['policy', 'set', '-', '--json'], { input: doc }))).toMatchObject({ version: 4 })
  })

  it('refuses out-of-range values with a message per field (S8, S10, S13, S17) and changes nothing', async () => {
    const { site } = await currentPolicy(cli)
    const doc = { site: { ...site, lockoutThreshold: 50, sessionIdleMinutes: 60, codeLifetimeMinutes: 0 }, roles: {} }
    const run = await cli(['policy', 'set', '--json'], { input: JSON.stringify(doc) })
    expectFailure(run, 'VALIDATION')
    expect(run.stderr.split('\n')[0]).toBe(
      'error: VALIDATION: site.codeLifetimeMinutes: At least 1 minutes; site.lockoutThreshold: At most 20 failures; site.sessionIdleMinutes: At most 30 minutes',
    )
    expect(jsonOf(run)).toMatchObject({
      fields: [
        { field: 'site.codeLifetimeMinutes', message: 'At least 1 minutes' },
        { field: 'site.lockoutThreshold', message: 'At most 20 failures' },
        { field: 'site.sessionIdleMinutes', message: 'At most 30 minutes' },
      ],
    })
    expect((await currentPolicy(cli)).version).toBe(4)
  })

  it("refuses a policy that leaves a role without any method it can set up (the service's check)", async () => {
    const { site } = await currentPolicy(cli)
    // Required, email codes only, and no SMTP server: nobody could comply, the last administrator included.
    const doc = { site: { ...site, enforcement: 'required', allowedMethods: ['email'] }, roles: {} }
    const run = await cli(['policy', 'set'], { input: JSON.stringify(doc) })
    expectFailure(run, 'VALIDATION', /site\.enforcement: Nobody with the admin role could set up a method/)
    const strongOnly = { site: { ...site, allowedMethods: ['sms'], strongMethodsOnly: true }, roles: {} }
    expectFailure(
      await cli(['policy', 'set'], { input: JSON.stringify(strongOnly) }),
      'VALIDATION',
      /site\.allowedMethods: "Strong methods only" leaves no allowed method/,
    )
    expect((await currentPolicy(cli)).version).toBe(4)
  })

  it('refuses what is not a policy document: not JSON, an unknown key, empty input, a missing file', async () => {
    expectFailure(await cli(['policy', 'set'], { input: '{site:' }), 'VALIDATION', /is not valid JSON/)
    const { site } = await currentPolicy(cli)
    expectFailure(
      await cli(['policy', 'set'], { input: JSON.stringify({ site: { ...site, colour: 'red' }, roles: {} }) }),
      'VALIDATION',
      /site: Unrecognized key: "colour"/,
    )
    expectFailure(await cli(['policy', 'set'], { input: '  \n' }), 'VALIDATION', /is empty/)
    expectFailure(await cli(['policy', 'set', join(temp.path, 'nope.json')]), 'NOT_FOUND')
    const extra = await cli(['policy', 'set', 'a.json', 'b.json'])
    expect(extra.code).toBe(2)
    expect(extra.stderr).toMatch(/^error: USAGE: too many arguments$/m)
  })
})
