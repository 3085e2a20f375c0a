import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openAndMigrate, type SqliteDatabase } from '../../../electron/main/adapters/sqlite/open-database'
import { createSqliteAccountRepo } from '../../../electron/main/adapters/sqlite/sqlite-account-repo'
import {
  chooseSearchPlan,
  createSqliteAccountSearch,
  type SearchPlan,
} from '../../../electron/main/adapters/sqlite/sqlite-account-search'
import type { AccountRepo } from '../../../electron/main/services/ports'

/**
 * The account search reads a page either by sorting every match or by walking the username
 * index (see SearchPlan). On a real SQLite file with dense, sparse and bunched-up matches,
 * every plan, with or without room to finish its walk, gives exactly the rows of the plain sort.
 */
const size = 3000
// prettier-ignore
const firstNames = ['Alice', 'Bob', 'Chloé', 'Émile', 'Sven', 'Sofia', 'Priya', 'Tomás', 'Yusuf', 'Mei']

/** Account i: most share the site's email domain ("s" matches nearly all); the last 60 are all Zed (bunched at the end). */
function accountAt(i: number) {
  const zed = i >= size - 60
  const first = zed ? 'Zed' : firstNames[(i * 7) % firstNames.length]!
  const username = `${first
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()}.${String(i).padStart(4, '0')}`
  const domain = i % 5 === 0 ? 'partner.example.org' : 'site.example'
  return { username, displayName: `${first} Number${i % 97}`, email: `${username}@${domain}` }
}

describe('account search plans', () => {
  let dir: string
  let db: SqliteDatabase
  let repo: AccountRepo
  let search: ReturnType<typeof createSqliteAccountSearch>

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'keyhold-search-'))
    db = openAndMigrate(join(dir, 'keyhold.db')).db
    repo = createSqliteAccountRepo(db)
    search = createSqliteAccountSearch(db)
    // Inserted in an order unrelated to the username order, as accounts come over the years.
    const order = Array.from({ length: size }, (_, i) => (i * 1231) % size)
    db.transaction(() => {
      for (const i of order) {
        repo.insert({
          ...accountAt(i),
          phone: null,
          role: 'user',
          passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA',
          passwordShort: false,
          now: 1_700_000_000_000,
        })
      }
    })()
  })
  afterAll(() => {
    db.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const usernames = (page: { accounts: readonly { username: string }[] } | null) =>
    page?.accounts.map((a) => a.username) ?? null

  // Dense (every word of the domain), about a fifth, bunched at the end, sparse, two words, long words, none.
  // prettier-ignore
  const searches = ['s', 'site', 'p', 'partner example', 'z', 'zed', 'emi', 'mei s', 'chlo number1', 'alice 0', 'site exa', 'qqq']
  const offsets = [0, 50, 1000, 2350, 2900]
  const plans: SearchPlan[] = [
    { kind: 'walk', test: 'set', rows: null },
    { kind: 'walk', test: 'match', rows: null },
    // Allowances too small to fill most pages: the walk must give up and sort instead.
    { kind: 'walk', test: 'set', rows: 10 },
    { kind: 'walk', test: 'match', rows: 10 },
    { kind: 'walk', test: 'set', rows: 400 },
    { kind: 'walk', test: 'match', rows: 1200 },
  ]

  it('the plain sort gives every match in username order, page by page', () => {
    const all = repo.list({ limit: size, offset: 0 }).accounts
    for (const text of searches) {
      const whole = search.list(text, { limit: size, offset: 0 }, { kind: 'sort' })!
      // The reference: the whole list, filtered in JS by the same rule (every word a prefix of a word).
      const words = text.split(' ')
      const expected = all
        .filter((a) => {
          const own = `${a.username} ${a.displayName} ${a.email}`
            .normalize('NFD')
            .replace(/[\u0300-\u036f]/g, '')
            .toLowerCase()
            .split(/[^a-z0-9]+/)
          return words.every((w) => own.some((o) => o.startsWith(w)))
        })
        .map((a) => a.username)
      expect(usernames(whole), text).toEqual(expected)
      expect(whole.total, text).toBe(expected.length)
    }
    // The data has what the plans are about: a dense search, a bunched-up one, a sparse one, one with no match.
    const total = (text: string) => search.list(text, { limit: 1, offset: 0 })!.total
    expect(total('s')).toBeGreaterThan(size * 0.8)
    expect(usernames(search.list('z', { limit: 60, offset: 0 }))).toEqual(
      Array.from({ length: 60 }, (_, k) => `zed.${size - 60 + k}`),
    )
    expect(total('chlo number1')).toBeLessThan(60)
    expect(total('qqq')).toBe(0)
  })

  it('every plan gives the same page as the sort, for each search, offset and page size', () => {
    let compared = 0
    for (const text of searches) {
      for (const offset of offsets) {
        for (const limit of [1, 50]) {
          const at = { limit, offset }
          const sorted = search.list(text, at, { kind: 'sort' })!
          for (const plan of plans) {
            // Like chooseSearchPlan, no per-entry test of long words: each costs a full read of their matches.
            if (plan.kind === 'walk' && plan.test === 'match' && text.split(' ').some((w) => w.length > 3)) continue
            const page = search.list(text, at, plan)!
            expect(usernames(page), `${text} @${offset}+${limit} ${JSON.stringify(plan)}`).toEqual(usernames(sorted))
            expect(page.total).toBe(sorted.total)
            compared += page.accounts.length
          }
          // The repository's own choice, too.
          expect(usernames(repo.list({ search: text, ...at }))).toEqual(usernames(sorted))
        }
      }
    }
    expect(compared).toBeGreaterThan(5_000)
  })

  it('the page after the last match is empty and still gives the total', () => {
    const total = search.list('z', { limit: 1, offset: 0 })!.total
    for (const plan of plans) {
      expect(search.list('z', { limit: 50, offset: total }, plan)).toEqual({ accounts: [], total })
    }
    expect(search.list('  ', { limit: 50, offset: 0 })).toBeNull()
  })
})

describe('choosing a search plan', () => {
  const at100k = (matches: number, words: string[], offset = 0) =>
    chooseSearchPlan({ matches, accounts: 100_000, offset, limit: 50, words })

  it('walks the username index for dense matches and deep pages, and sorts sparse ones (figures from the bench set of 100,000)', () => {
    // "s" matches the email domain of most accounts: a few hundred index entries hold a page.
    expect(at100k(82_611, ['s'])).toEqual({ kind: 'walk', test: 'match', rows: expect.any(Number) })
    // A single first letter: the set of matching ids, then a short walk.
    expect(at100k(7_208, ['w'])).toMatchObject({ kind: 'walk', test: 'set' })
    // Long words have no prefix index, so they are never tested entry by entry.
    expect(at100k(80_008, ['site', 'example'])).toMatchObject({ kind: 'walk', test: 'set' })
    // One first name (bunched in username order) and a name with a surname: the sort.
    expect(at100k(1_668, ['wi'])).toEqual({ kind: 'sort' })
    expect(at100k(36, ['william', 'br'])).toEqual({ kind: 'sort' })
    // A deeper page makes the sort keep every row before it: a walk pays with fewer matches.
    expect(at100k(7_208, ['w'], 500)).toMatchObject({ kind: 'walk', test: 'set' })
    // The last pages of a dense search: the whole index, with the set of matching ids.
    const deep = at100k(82_611, ['s'], 60_000)
    expect(deep.kind === 'walk' ? deep.rows : 'sort').toBeNull()
  })

  it('a walk may read at most four times the entries it expects, and never past the table', () => {
    const plan = at100k(50_000, ['a'])
    expect(plan).toMatchObject({ kind: 'walk', rows: 4 * 100 })
    expect(chooseSearchPlan({ matches: 10, accounts: 10, offset: 0, limit: 50, words: ['a'] })).toMatchObject({
      rows: null,
    })
    expect(chooseSearchPlan({ matches: 0, accounts: 10, offset: 0, limit: 50, words: ['a'] })).toEqual({ kind: 'sort' })
  })
})
