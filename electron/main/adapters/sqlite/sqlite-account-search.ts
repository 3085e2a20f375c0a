import { toAccountRecord as toRecord, type AccountRow } from './account-row'
import type { SqliteDatabase } from './open-database'

/**
 * An FTS5 query matching every word of the search as a prefix: "ali smi" finds
 * "Alice Smith"; "alice@exa" finds alice@example.org. Words are quoted, so
 * nothing the user types is read as FTS syntax.
 */
export function ftsPrefixQuery(search: string): string | null {
  const words = searchWords(search)
  return words.length === 0 ? null : prefixQuery(words)
}

function prefixQuery(words: readonly string[]): string {
  return words.map((word) => `"${word}"*`).join(' AND ')
}

function searchWords(search: string): string[] {
  return (
    search
      .normalize('NFKC')
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? []
  )
}

/**
 * How one page of a search is read. Both ways give exactly the same rows in
 * the same order (username_key is unique):
 * - `sort`: every match from the full-text index, joined to its account and
 *   sorted by username_key. Its cost grows with the number of matches: with
 *   100,000 accounts, a single letter ("s" matches the email domain of most
 *   of them) made it read nearly the whole table for a page of 50.
 * - `walk`: down the username index, in order, keeping the accounts that
 *   match, until the page is full; at most `rows` index entries, then the
 *   sort after all (`rows` null: the whole index). Its cost grows with the
 *   entries walked, so it pays when matches are dense. Whether an entry
 *   matches is tested per entry against the full-text index (`match`: about
 *   25 µs a word, and only for words of 1–3 letters, which have a prefix
 *   index; a longer prefix is re-read in full for every entry), or against
 *   the set of matching ids built once (`set`: a fraction of a µs per match
 *   and per entry).
 */
export type SearchPlan =
  { readonly kind: 'sort' } | { readonly kind: 'walk'; readonly test: 'match' | 'set'; readonly rows: number | null }

/**
 * Costs in µs, measured on the bench's seeded set of 100,000 accounts (bench/seed-accounts.ts).
 * The sort's per match is its cheapest case (dense matches, read in table order); sparse matches
 * cost it 2–4 times as much, so a walk is chosen a little less often than it would pay. A deep
 * page makes the sort keep every row before it (1.5–6 µs a row measured; 3 taken).
 */
const searchCost = {
  sortPerMatch: 0.5,
  sortPerKept: 3,
  setPerMatch: 0.25,
  setPerEntry: 0.1,
  matchPerEntryPerWord: 25,
} as const
/**
 * A walk may read this many times the entries it expects (matches spread evenly in username
 * order) before it gives up: matches can bunch up (one first name, one letter), and only a walk
 * whose whole allowance still costs less than the sort is taken, so a bad guess at most doubles
 * the cost of a page.
 */
const walkAllowance = 4

/** Chooses how to read a page from the number of matches (counted first: the total is shown anyway). */
export function chooseSearchPlan(input: {
  readonly matches: number
  readonly accounts: number
  readonly offset: number
  readonly limit: number
  readonly words: readonly string[]
}): SearchPlan {
  const { matches, accounts, offset, limit, words } = input
  if (matches <= 0 || accounts <= 0) return { kind: 'sort' }
  const expected = Math.ceil(((offset + limit) * accounts) / matches)
  const allowed = Math.min(accounts, walkAllowance * expected)
  const sort = searchCost.sortPerMatch * matches + searchCost.sortPerKept * Math.min(matches, offset + limit)
  const short = words.every((word) => [...word].length <= 3)
  const walks = [
    {
      test: 'set' as const,
      cost: (entries: number) => searchCost.setPerMatch * matches + searchCost.setPerEntry * entries,
    },
    ...(short
      ? [
          {
            test: 'match' as const,
            cost: (entries: number) => searchCost.matchPerEntryPerWord * words.length * entries,
          },
        ]
      : []),
  ]
    .filter((walk) => walk.cost(allowed) < sort)
    .sort((a, b) => a.cost(expected) - b.cost(expected))
  const best = walks[0]
  if (!best) return { kind: 'sort' }
  return { kind: 'walk', test: best.test, rows: allowed >= accounts ? null : allowed }
}

/**
 * The account search: the number of matches, then one page read the way
 * chooseSearchPlan picks (or as a test asks, to check that every plan gives
 * the same rows).
 */
export function createSqliteAccountSearch(db: SqliteDatabase) {
  const countAll = db.prepare<[], number>('SELECT count(*) FROM accounts').pluck()
  const countMatches = db
    .prepare<[string], number>('SELECT count(*) FROM accounts_fts WHERE accounts_fts MATCH ?')
    .pluck()
  type PageParams = { query: string; limit: number; offset: number }
  const sorted = db.prepare<PageParams, AccountRow>(
    `SELECT a.* FROM accounts_fts JOIN accounts a ON a.id = accounts_fts.rowid
     WHERE accounts_fts MATCH @query ORDER BY a.username_key LIMIT @limit OFFSET @offset`,
  )
  // The username key that ends a walk of `rows` index entries (none: the index is shorter).
  const keyAt = db
    .prepare<[number], string>('SELECT username_key FROM accounts ORDER BY username_key LIMIT 1 OFFSET ?')
    .pluck()
  const tests = {
    match: 'EXISTS (SELECT 1 FROM accounts_fts WHERE accounts_fts MATCH @query AND accounts_fts.rowid = a.id)',
    // The unary + keeps the planner from looking the ids up one by one and sorting them afterwards.
    set: '+a.id IN (SELECT rowid FROM accounts_fts WHERE accounts_fts MATCH @query)',
  }
  const walkStatement = (test: keyof typeof tests, bounded: boolean) =>
    db.prepare<PageParams & { end?: string }, AccountRow>(
      `SELECT a.* FROM accounts a WHERE ${bounded ? 'a.username_key < @end AND ' : ''}${tests[test]}
       ORDER BY a.username_key LIMIT @limit OFFSET @offset`,
    )
  const walks = {
    match: { bounded: walkStatement('match', true), whole: walkStatement('match', false) },
    set: { bounded: walkStatement('set', true), whole: walkStatement('set', false) },
  }

  function page(query: string, plan: SearchPlan, at: { limit: number; offset: number; matches: number }): AccountRow[] {
    const params = { query, limit: at.limit, offset: at.offset }
    if (plan.kind === 'walk') {
      const end = plan.rows === null ? undefined : keyAt.get(plan.rows)
      if (end === undefined) return walks[plan.test].whole.all(params)
      const rows = walks[plan.test].bounded.all({ ...params, end })
      // A full page within the allowance is the page; a short one may only mean the walk stopped early.
      if (rows.length === Math.min(at.limit, at.matches - at.offset)) return rows
    }
    return sorted.all(params)
  }

  // One read transaction: the total and the page come from the same state of the file.
  const list = db.transaction(
    (words: readonly string[], at: { limit: number; offset: number }, forced?: SearchPlan) => {
      const query = prefixQuery(words)
      const matches = countMatches.get(query)!
      if (matches === 0 || at.offset >= matches) return { accounts: [], total: matches }
      const plan = forced ?? chooseSearchPlan({ matches, accounts: countAll.get()!, ...at, words })
      return { accounts: page(query, plan, { ...at, matches }).map(toRecord), total: matches }
    },
  )

  return {
    /**
     * One page of the accounts matching every word of `search` as a prefix, and how many match
     * in all; null when the search has no words (the caller lists every account). `plan` is for
     * tests: by default the plan is chosen from the number of matches.
     */
    list(search: string, at: { limit: number; offset: number }, plan?: SearchPlan) {
      const words = searchWords(search)
      return words.length === 0 ? null : list(words, at, plan)
    },
  }
}
