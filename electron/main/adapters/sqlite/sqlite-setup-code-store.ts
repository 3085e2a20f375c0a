import type { SetupCodeStore } from '../../services/setup-code-service'
import type { SqliteDatabase } from './open-database'

export function createSqliteSetupCodeStore(db: SqliteDatabase): SetupCodeStore {
  const put = db.prepare<[number, string, number, number]>(
    `INSERT INTO setup_codes (account_id, code_hash, created_at, expires_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (account_id) DO UPDATE SET code_hash = excluded.code_hash, created_at = excluded.created_at,
       expires_at = excluded.expires_at`,
  )
  const get = db.prepare<[number], { code_hash: string; expires_at: number }>(
    'SELECT code_hash, expires_at FROM setup_codes WHERE account_id = ?',
  )
  const remove = db.prepare<[number]>('DELETE FROM setup_codes WHERE account_id = ?')
  const among = db
    .prepare<[string], number>(
      'SELECT account_id FROM setup_codes WHERE account_id IN (SELECT value FROM json_each(?))',
    )
    .pluck()
  return {
    put: (accountId, codeHash, now, expiresAt) => void put.run(accountId, codeHash, now, expiresAt),
    get: (accountId) => {
      const row = get.get(accountId)
      return row ? { codeHash: row.code_hash, expiresAt: row.expires_at } : null
    },
    delete: (accountId) => void remove.run(accountId),
    withCodes: (accountIds) => new Set(among.all(JSON.stringify(accountIds))),
  }
}
