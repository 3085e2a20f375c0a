import type { SessionRecord, SessionRepo, SessionState } from '../../services/ports'
import type { SqliteDatabase } from './open-database'

interface SessionRow {
  id: string
  account_id: number
  state: SessionState
  created_at: number
  last_seen_at: number
  step_up_at: number | null
  factor_failures: number
}

function toRecord(row: SessionRow): SessionRecord {
  return {
    id: row.id,
    accountId: row.account_id,
    state: row.state,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    stepUpAt: row.step_up_at,
    factorFailures: row.factor_failures,
  }
}

export function createSqliteSessionRepo(db: SqliteDatabase): SessionRepo {
  const insert = db.prepare(
    `INSERT INTO sessions (id, account_id, state, created_at, last_seen_at, step_up_at)
     VALUES (@id, @accountId, @state, @createdAt, @lastSeenAt, @stepUpAt)`,
  )
  const findLive = db.prepare<[string], SessionRow>('SELECT * FROM sessions WHERE id = ? AND ended_at IS NULL')
  // Activity is written up to a minute late (auth-service): never backwards, never to an ended session.
  const touch = db.prepare<{ at: number; id: string }>(
    'UPDATE sessions SET last_seen_at = @at WHERE id = @id AND ended_at IS NULL AND last_seen_at < @at',
  )
  const stepUp = db.prepare<[number, string]>('UPDATE sessions SET step_up_at = ? WHERE id = ?')
  const activate = db.prepare<[number, number, string]>(
    "UPDATE sessions SET state = 'active', step_up_at = ?, last_seen_at = ? WHERE id = ?",
  )
  const requireSetup = db.prepare<[number, number, string]>(
    "UPDATE sessions SET state = 'enrollment_required', step_up_at = ?, last_seen_at = ? WHERE id = ?",
  )
  const addFailure = db.prepare<[string], { factor_failures: number }>(
    'UPDATE sessions SET factor_failures = factor_failures + 1 WHERE id = ? RETURNING factor_failures',
  )
  const end = db.prepare<[number, string]>('UPDATE sessions SET ended_at = ? WHERE id = ? AND ended_at IS NULL')
  const endAll = db.prepare<[number, number, string]>(
    'UPDATE sessions SET ended_at = ? WHERE account_id = ? AND ended_at IS NULL AND id != ?',
  )
  return {
    insert: (session) => void insert.run(session),
    activate: (id, now) => void activate.run(now, now, id),
    requireSetup: (id, now) => void requireSetup.run(now, now, id),
    addFactorFailure: (id) => addFailure.get(id)?.factor_failures ?? 0,
    findLive: (id) => {
      const row = findLive.get(id)
      return row ? toRecord(row) : null
    },
    touch: (id, now) => void touch.run({ at: now, id }),
    setStepUp: (id, at) => void stepUp.run(at, id),
    end: (id, now) => void end.run(now, id),
    endAllForAccount: (accountId, now, exceptId = '') => endAll.run(now, accountId, exceptId).changes,
  }
}
