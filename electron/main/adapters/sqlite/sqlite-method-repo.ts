import type { MethodRecord, MethodRepo, MethodType } from '../../services/mfa-ports'
import { fieldsOfRow, rowOfFields, typeOfRow, type MethodFieldsRow } from './method-fields-row'
import type { SqliteDatabase } from './open-database'

interface MethodRow extends MethodFieldsRow {
  id: number
  account_id: number
  label: string
  preferred: number
  created_at: number
  last_used_at: number | null
}

function toRecord(row: MethodRow): MethodRecord {
  return {
    id: row.id,
    accountId: row.account_id,
    label: row.label,
    preferred: row.preferred === 1,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    ...fieldsOfRow(row),
  }
}

export function createSqliteMethodRepo(db: SqliteDatabase): MethodRepo {
  const list = db.prepare<[number], MethodRow>('SELECT * FROM mfa_methods WHERE account_id = ? ORDER BY created_at, id')
  const find = db.prepare<[number, number], MethodRow>('SELECT * FROM mfa_methods WHERE account_id = ? AND id = ?')
  const count = db.prepare<[number], { n: number }>('SELECT count(*) AS n FROM mfa_methods WHERE account_id = ?')
  const insert = db.prepare(
    `INSERT INTO mfa_methods (account_id, type, label, destination, secret_enc, algorithm, digits, period,
       last_used_step, preferred, created_at)
     VALUES (@accountId, @type, @label, @destination, @secretEnc, @algorithm, @digits, @period,
       @lastUsedStep, @preferred, @createdAt)`,
  )
  const byId = db.prepare<[number], MethodRow>('SELECT * FROM mfa_methods WHERE id = ?')
  const rename = db.prepare<[string, number]>('UPDATE mfa_methods SET label = ? WHERE id = ?')
  const clearPreferred = db.prepare<[number]>(
    'UPDATE mfa_methods SET preferred = 0 WHERE account_id = ? AND preferred = 1',
  )
  const setPreferred = db.prepare<[number, number]>(
    'UPDATE mfa_methods SET preferred = 1 WHERE account_id = ? AND id = ?',
  )
  const recordUse = db.prepare<[number, number | null, number]>(
    'UPDATE mfa_methods SET last_used_at = ?, last_used_step = coalesce(?, last_used_step) WHERE id = ?',
  )
  const remove = db.prepare<[number]>('DELETE FROM mfa_methods WHERE id = ?')
  const removeAll = db.prepare<[number]>('DELETE FROM mfa_methods WHERE account_id = ?')
  const types = db.prepare<[], { account_id: number; types: string }>(
    'SELECT account_id, group_concat(DISTINCT type) AS types FROM mfa_methods GROUP BY account_id',
  )

  // One read for a page of accounts: the ids go in as a JSON array.
  const typesOfPage = db.prepare<[string], { account_id: number; type: string }>(
    `SELECT account_id, type FROM mfa_methods WHERE account_id IN (SELECT value FROM json_each(?))
     ORDER BY account_id, created_at, id`,
  )

  return {
    listActive: (accountId) => list.all(accountId).map(toRecord),
    find: (accountId, id) => {
      const row = find.get(accountId, id)
      return row ? toRecord(row) : null
    },
    countActive: (accountId) => count.get(accountId)!.n,
    insert: (method) => {
      const info = insert.run({
        accountId: method.accountId,
        label: method.label,
        createdAt: method.createdAt,
        ...rowOfFields(method),
        preferred: method.preferred ? 1 : 0,
      })
      return toRecord(byId.get(Number(info.lastInsertRowid))!)
    },
    rename: (id, label) => void rename.run(label, id),
    setPreferred: (accountId, id) => {
      // Two statements, so the partial unique index never sees two preferred rows.
      clearPreferred.run(accountId)
      setPreferred.run(accountId, id)
    },
    recordUse: (id, at, step) => void recordUse.run(at, step, id),
    delete: (id) => void remove.run(id),
    deleteAllForAccount: (accountId) => removeAll.run(accountId).changes,
    typesFor: (accountIds) => {
      const types = new Map<number, MethodType[]>()
      for (const row of typesOfPage.all(JSON.stringify(accountIds))) {
        const own = types.get(row.account_id) ?? []
        const type = typeOfRow(row.type)
        if (!own.includes(type)) own.push(type)
        types.set(row.account_id, own)
      }
      return types
    },
    typesByAccount: () => new Map(types.all().map((row) => [row.account_id, row.types.split(',').map(typeOfRow)])),
  }
}
