import type Database from 'better-sqlite3'

/**
 * Issue 15: how many durable commits this connection has made. A durable commit is a
 * write transaction that changed rows: SQLite appends WAL frames and, with
 * synchronous=FULL, syncs the WAL once for it. A transaction that only read (or an
 * IMMEDIATE one that changed nothing) writes no frame and syncs nothing, so it is not
 * counted. Counted where every transaction of the connection starts (db.transaction),
 * by comparing SQLite's total_changes() around the outermost one. The bench and the
 * tests read it; nothing in the app decides anything by it.
 */
export interface CommitCounter {
  readonly commits: number
}

const counters = new WeakMap<Database.Database, { commits: number }>()

type TransactionFn = Database.Transaction<(...args: unknown[]) => unknown>
const variants = ['deferred', 'immediate', 'exclusive'] as const

/** Wraps db.transaction so every outermost transaction that changed rows counts once. */
export function countCommits(db: Database.Database): void {
  const counter = { commits: 0 }
  counters.set(db, counter)
  const totalChanges = db.prepare<[], number>('SELECT total_changes()').pluck()
  const original = db.transaction.bind(db)
  const counted =
    (run: (...args: unknown[]) => unknown) =>
    (...args: unknown[]): unknown => {
      if (db.inTransaction) return run(...args)
      const before = totalChanges.get()!
      const result = run(...args)
      if (totalChanges.get()! !== before) counter.commits += 1
      return result
    }
  db.transaction = ((fn: (...args: unknown[]) => unknown) => {
    const tx = original(fn) as TransactionFn
    const wrapped = counted(tx) as TransactionFn
    for (const name of variants) {
      Object.defineProperty(wrapped, name, { value: counted(tx[name]) })
    }
    return wrapped
  }) as typeof db.transaction
}

/** The durable commits made through this connection since it was opened. */
export function commitCount(db: Database.Database): number {
  return counters.get(db)?.commits ?? 0
}
