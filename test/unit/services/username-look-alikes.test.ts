import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createImportService, type ImportRow } from '../../../electron/main/services/import-service'
import { actor, createCoreFixture, goodPassword, type CoreFixture } from '../support/core-fixture'
import { refusal } from '../support/mfa-helpers'

/**
 * S30: every path that creates an account refuses a name that looks like an existing one
 * (same UTS #39 skeleton) and a name that mixes scripts beyond the Highly Restrictive level.
 */
const cyrillicBob = 'b\u043eb' // Latin b, Cyrillic о, Latin b
const cyrillicCopa = '\u0441\u043e\u0440\u0430' // all Cyrillic: с о р а

describe('look-alike usernames are refused (S30)', () => {
  let f: CoreFixture
  beforeEach(() => {
    f = createCoreFixture()
  })
  afterEach(() => f.close())

  const create = (username: string) =>
    f.accounts.createAccount({ username, role: 'user', password: goodPassword }, actor)

  it('first-run setup refuses a name that mixes Latin and Cyrillic', async () => {
    const refused = await refusal(f.accounts.createFirstAdmin({ username: cyrillicBob, password: goodPassword }, actor))
    expect(refused).toMatchObject({ code: 'VALIDATION', extra: { usernameProblem: 'mixed-scripts' } })
    expect(f.deps.accounts.count()).toBe(0)
  })

  it('account create refuses a name beside its look-alike, names the existing account, and changes nothing', async () => {
    await create('copa')
    const before = f.deps.accounts.count()
    const lookAlike = await refusal(create(cyrillicCopa))
    expect(lookAlike).toMatchObject({
      code: 'CONFLICT',
      extra: { usernameProblem: 'look-alike', fields: [{ field: 'username' }] },
    })
    expect(lookAlike.message).toContain('looks like the existing account "copa"')
    expect(await refusal(create(cyrillicBob))).toMatchObject({ code: 'VALIDATION' })
    expect(f.deps.accounts.count()).toBe(before)
    // Names that only share letters, and Latin with Han, are fine.
    await create('cope')
    await create('王Lee')
    expect(f.deps.accounts.count()).toBe(before + 2)
  })

  it("the window's admin create refuses a look-alike too", async () => {
    await create('mary')
    expect(await refusal(f.services.admin.create({ username: 'rnary', role: 'user' }, actor))).toMatchObject({
      code: 'CONFLICT',
      extra: { usernameProblem: 'look-alike' },
    })
  })

  it('import refuses a look-alike of an existing account, of another row of the file, and a mixed name', async () => {
    await create('copa')
    const row = (line: number, username: string): ImportRow => ({
      line,
      username,
      displayName: null,
      email: null,
      phone: null,
      role: null,
    })
    const importer = createImportService(f.deps, { setupCodes: f.services.setupCodes })
    const { valid, problems } = importer.validate([
      row(2, cyrillicCopa),
      row(3, 'mary'),
      row(4, 'rnary'),
      row(5, cyrillicBob),
      row(6, '王Lee'),
    ])
    expect(valid.map((r) => r.username)).toEqual(['mary', '王Lee'])
    expect(problems.map((p) => [p.line, p.message])).toEqual([
      [2, expect.stringContaining('looks like the existing account "copa"')],
      [4, '"rnary" looks like "mary" on line 3 of this file'],
      [5, expect.stringContaining('one script')],
    ])
  })
})
