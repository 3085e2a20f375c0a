import type { EnrollmentRecord, EnrollmentRepo } from '../../services/mfa-ports'
import { fieldsOfRow, rowOfFields, type MethodFieldsRow } from './method-fields-row'
import type { SqliteDatabase } from './open-database'

interface EnrollmentRow extends MethodFieldsRow {
  id: string
  account_id: number
  label: string
  verified_at: number | null
  recovery_batch: string | null
  created_at: number
  expires_at: number
}

function toRecord(row: EnrollmentRow): EnrollmentRecord {
  return {
    id: row.id,
    accountId: row.account_id,
    label: row.label,
    verifiedAt: row.verified_at,
    recoveryBatch: row.recovery_batch,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    ...fieldsOfRow(row),
  }
}

export function createSqliteEnrollmentRepo(db: SqliteDatabase): EnrollmentRepo {
  const insert = db.prepare(
    `INSERT INTO mfa_enrollments (id, account_id, type, label, destination, secret_enc, algorithm, digits, period,
       last_used_step, verified_at, recovery_batch, created_at, expires_at)
     VALUES (@id, @accountId, @type, @label, @destination, @secretEnc, @algorithm, @digits, @period,
       @lastUsedStep, @verifiedAt, @recoveryBatch, @createdAt, @expiresAt)`,
  )
  const find = db.prepare<[number, string], EnrollmentRow>(
    'SELECT * FROM mfa_enrollments WHERE account_id = ? AND id = ?',
  )
  const verified = db.prepare<[number, number | null, string | null, string]>(
    'UPDATE mfa_enrollments SET verified_at = ?, last_used_step = ?, recovery_batch = ? WHERE id = ?',
  )
  const remove = db.prepare<[string]>('DELETE FROM mfa_enrollments WHERE id = ?')
  const addFailure = db.prepare<[string], { failed_attempts: number }>(
    'UPDATE mfa_enrollments SET failed_attempts = failed_attempts + 1 WHERE id = ? RETURNING failed_attempts',
  )
  const owner = db.prepare<[string], { account_id: number }>('SELECT account_id FROM mfa_enrollments WHERE id = ?')
  const expired = db.prepare<[number], EnrollmentRow>('SELECT * FROM mfa_enrollments WHERE expires_at <= ?')
  const removeExpired = db.prepare<[number]>('DELETE FROM mfa_enrollments WHERE expires_at <= ?')
  const removeAll = db.prepare<[number]>('DELETE FROM mfa_enrollments WHERE account_id = ?')

  return {
    insert: (e) =>
      void insert.run({
        id: e.id,
        accountId: e.accountId,
        label: e.label,
        verifiedAt: e.verifiedAt,
        recoveryBatch: e.recoveryBatch,
        createdAt: e.createdAt,
        expiresAt: e.expiresAt,
        ...rowOfFields(e),
      }),
    find: (accountId, id) => {
      const row = find.get(accountId, id)
      return row ? toRecord(row) : null
    },
    markVerified: (id, at, step, batch) => void verified.run(at, step, batch, id),
    delete: (id) => void remove.run(id),
    addFailure: (id) => addFailure.get(id)?.failed_attempts ?? 0,
    ownerOf: (id) => owner.get(id)?.account_id ?? null,
    deleteExpired: (now) => {
      const rows = expired.all(now).map(toRecord)
      if (rows.length > 0) removeExpired.run(now)
      return rows
    },
    deleteAllForAccount: (accountId) => removeAll.run(accountId).changes,
  }
}
