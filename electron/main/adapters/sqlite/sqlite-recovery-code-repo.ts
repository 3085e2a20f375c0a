import type { RecoveryCodeRecord, RecoveryCodeRepo } from '../../services/mfa-ports'
import type { SqliteDatabase } from './open-database'

export function createSqliteRecoveryCodeRepo(db: SqliteDatabase): RecoveryCodeRepo {
  const insert = db.prepare<[number, string, string, number, number]>(
    'INSERT INTO recovery_codes (account_id, batch, code_hash, active, created_at) VALUES (?, ?, ?, ?, ?)',
  )
  // S36: only the valid set is retired; other setups' pending batches stay until their setup ends.
  const deleteOtherActive = db.prepare<[number, string]>(
    'DELETE FROM recovery_codes WHERE account_id = ? AND batch != ? AND active = 1',
  )
  const batchExists = db.prepare<[number, string], { n: number }>(
    'SELECT count(*) AS n FROM recovery_codes WHERE account_id = ? AND batch = ?',
  )
  const activeSet = db.prepare<[number], { n: number }>(
    'SELECT count(*) AS n FROM recovery_codes WHERE account_id = ? AND active = 1',
  )
  const activate = db.prepare<[number, string]>(
    'UPDATE recovery_codes SET active = 1 WHERE account_id = ? AND batch = ?',
  )
  const deleteBatch = db.prepare<[string]>('DELETE FROM recovery_codes WHERE batch = ?')
  const deleteAll = db.prepare<[number]>('DELETE FROM recovery_codes WHERE account_id = ?')
  const unused = db.prepare<[number], { id: number; code_hash: string }>(
    'SELECT id, code_hash FROM recovery_codes WHERE account_id = ? AND active = 1 AND used_at IS NULL ORDER BY id',
  )
  const countUnused = db.prepare<[number], { n: number }>(
    'SELECT count(*) AS n FROM recovery_codes WHERE account_id = ? AND active = 1 AND used_at IS NULL',
  )
  const markUsed = db.prepare<[number, number]>(
    'UPDATE recovery_codes SET used_at = ? WHERE id = ? AND used_at IS NULL',
  )

  return {
    insertBatch: (accountId, batch, hashes, active, now) => {
      for (const hash of hashes) insert.run(accountId, batch, hash, active ? 1 : 0, now)
    },
    activateBatch: (accountId, batch) => {
      if (batchExists.get(accountId, batch)!.n === 0) return false
      deleteOtherActive.run(accountId, batch)
      activate.run(accountId, batch)
      return true
    },
    hasBatch: (accountId, batch) => batchExists.get(accountId, batch)!.n > 0,
    hasActiveSet: (accountId) => activeSet.get(accountId)!.n > 0,
    deleteBatch: (batch) => void deleteBatch.run(batch),
    deleteAllForAccount: (accountId) => void deleteAll.run(accountId),
    unusedActive: (accountId): RecoveryCodeRecord[] =>
      unused.all(accountId).map((row) => ({ id: row.id, codeHash: row.code_hash })),
    countUnusedActive: (accountId) => countUnused.get(accountId)!.n,
    markUsed: (id, at) => markUsed.run(at, id).changes === 1,
  }
}
