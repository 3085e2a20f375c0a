import { ftsPrefixQuery } from '../electron/main/adapters/sqlite/sqlite-account-search'
import type { BenchKeyhold } from './bench-keyhold'
import { figure, targets, type Figure } from './figure-report'
import { measureTogether } from './measure-task'
import { seedAccountAt } from './seed-accounts'

/**
 * The admin account list at the current account count, as the Accounts
 * screen uses it: search as you type (services.admin.list with a search, the
 * first page of 50) and pages of 50 without a search. Floors are the raw
 * indexed queries on the same database file: the FTS5 match alone (no
 * username order, no total) and the username index alone (no total).
 */
export const pageSize = 50

/**
 * What an operator types to find someone: each display name letter by letter,
 * as the screen sends it (it searches from the first letter, so one-letter
 * queries are part of the mix), for a dozen accounts spread over the set.
 */
export function searchMix(size: number): string[] {
  const queries: string[] = []
  const picks = 12
  for (let k = 0; k < picks; k += 1) {
    const name = seedAccountAt(Math.floor(((k + 0.5) * size) / picks)).displayName
    for (let length = 1; length <= name.length; length += 1) {
      const typed = name.slice(0, length)
      if (!typed.endsWith(' ')) queries.push(typed)
    }
  }
  return queries
}

/** Page offsets spread evenly from the first page to the last. */
export function pageOffsets(size: number): number[] {
  const pages = Math.max(1, Math.ceil(size / pageSize))
  const count = Math.min(20, pages)
  return Array.from({ length: count }, (_, k) => Math.floor((k * (pages - 1)) / Math.max(1, count - 1)) * pageSize)
}

/**
 * A task that runs `run` on each item in turn, `passes` times over the list: exactly that many
 * timed calls (no time budget), so every query of the mix weighs the same. Warm-up calls use
 * the first item and leave the turn where it is.
 */
function cycling<T>(items: readonly T[], passes: number, run: (item: T) => unknown) {
  let next = 0
  let current = items[0]!
  return {
    fn: () => void run(current),
    options: {
      iterations: items.length * passes,
      time: 0,
      beforeEach: (mode?: 'run' | 'warmup') => {
        if (mode === 'warmup') {
          current = items[0]!
          return
        }
        current = items[next]!
        next = (next + 1) % items.length
      },
    },
  }
}

const within = (name: string, size: number) => `${name} @ ${size.toLocaleString('en-US')}`
const searchNote =
  'Search floor: the raw FTS5 query on the same file (accounts_fts MATCH the same prefix query, joined to accounts, LIMIT 50), without the username order and the total the list shows. Mix: 12 display names typed letter by letter, from the first letter.'
const pageNote =
  'Page floor: the raw query on the username index (ORDER BY username_key LIMIT 50 OFFSET n) on the same file, without the total; offsets spread from the first page to the last.'

export async function measureAccountList(bench: BenchKeyhold, size: number): Promise<Figure[]> {
  const { services, deps } = bench
  const db = bench.keyhold.db
  const rawSearch = db.prepare<[string], unknown>(
    `SELECT a.* FROM accounts_fts JOIN accounts a ON a.id = accounts_fts.rowid
     WHERE accounts_fts MATCH ? LIMIT ${pageSize}`,
  )
  const rawPage = db.prepare<[number], unknown>(
    `SELECT * FROM accounts ORDER BY username_key LIMIT ${pageSize} OFFSET ?`,
  )
  const mix = searchMix(size)
  const longer = mix.filter((q) => q.length >= 3)

  const searchSpec = (name: string, queries: readonly string[]) => ({
    name: within(name, size),
    ...cycling(queries, 2, (q) => services.admin.list({ search: q, limit: pageSize, offset: 0 })),
  })
  const floorSpec = (name: string, queries: readonly string[]) => ({
    name: within(name, size),
    ...cycling(queries, 2, (q) => rawSearch.all(ftsPrefixQuery(q) ?? '""')),
  })
  const [service, raw, repo] = await measureTogether([
    searchSpec('search (service)', mix),
    floorSpec('search (raw FTS)', mix),
    {
      name: within('search (repository query)', size),
      ...cycling(mix, 2, (q) => deps.accounts.list({ search: q, limit: pageSize, offset: 0 })),
    },
  ])
  const [serviceLonger, rawLonger] = await measureTogether([
    searchSpec('search ≥ 3 (service)', longer),
    floorSpec('search ≥ 3 (raw FTS)', longer),
  ])

  const offsets = pageOffsets(size)
  const [page, pageFloor] = await measureTogether([
    {
      name: within('page (service)', size),
      ...cycling(offsets, 10, (offset) => services.admin.list({ limit: pageSize, offset })),
    },
    {
      name: within('page (raw)', size),
      ...cycling(offsets, 10, (offset) => rawPage.all(offset)),
    },
  ])

  return [
    figure({
      name: within('account search, p50', size),
      value: service.p50,
      unit: 'ms',
      floor: raw.p50,
      note: searchNote,
    }),
    figure({
      name: within('account search, p95', size),
      value: service.p95,
      unit: 'ms',
      target: targets.below(10, 'ms'),
      floor: raw.p95,
      note: searchNote,
    }),
    figure({
      name: within('account search, p95, repository query only (FTS + username order + total)', size),
      value: repo.p95,
      unit: 'ms',
      floor: raw.p95,
      note: searchNote,
    }),
    figure({
      name: within('account search, p95, 3 or more letters typed', size),
      value: serviceLonger.p95,
      unit: 'ms',
      target: targets.below(10, 'ms'),
      floor: rawLonger.p95,
      note: searchNote,
    }),
    figure({
      name: within('admin list page of 50, p50', size),
      value: page.p50,
      unit: 'ms',
      floor: pageFloor.p50,
      note: pageNote,
    }),
    figure({
      name: within('admin list page of 50, p95', size),
      value: page.p95,
      unit: 'ms',
      target: targets.below(10, 'ms'),
      floor: pageFloor.p95,
      note: pageNote,
    }),
  ]
}
