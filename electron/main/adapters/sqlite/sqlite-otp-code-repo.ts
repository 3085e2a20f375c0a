import type { CodePurpose, OtpCodeRepo, SendBudget } from '../../services/mfa-ports'
import type { SqliteDatabase } from './open-database'

interface CodeRow {
  id: number
  account_id: number
  purpose: CodePurpose
  subject: string
  destination: string
  code_hash: string
  payload: string | null
  created_at: number
  expires_at: number
}

export function createSqliteOtpCodeRepo(db: SqliteDatabase): OtpCodeRepo {
  const removeSubject = db.prepare<[CodePurpose, string]>('DELETE FROM otp_codes WHERE purpose = ? AND subject = ?')
  const insert = db.prepare(
    `INSERT INTO otp_codes (account_id, purpose, subject, destination, code_hash, payload, created_at, expires_at)
     VALUES (@accountId, @purpose, @subject, @destination, @codeHash, @payload, @createdAt, @expiresAt)`,
  )
  const find = db.prepare<[CodePurpose, string], CodeRow>('SELECT * FROM otp_codes WHERE purpose = ? AND subject = ?')
  const remove = db.prepare<[number]>('DELETE FROM otp_codes WHERE id = ?')
  // The (destination, sent_at) index narrows to one destination's last hour; the budget filter runs on those few rows.
  const countSends = db.prepare<SendBudget & { since: number }, { n: number }>(
    `SELECT count(*) AS n FROM code_sends
     WHERE destination = @destination AND sent_at > @since
       AND (account_id IS NULL OR (account_id = @accountId AND budget = @kind))`,
  )
  const lastSend = db.prepare<[string, string], { at: number | null }>(
    'SELECT max(sent_at) AS at FROM code_sends WHERE subject = ? AND destination = ?',
  )
  const recordSend = db.prepare<SendBudget & { subject: string; at: number }>(
    `INSERT INTO code_sends (destination, subject, sent_at, account_id, budget)
     VALUES (@destination, @subject, @at, @accountId, @kind)`,
  )
  const deleteSend = db.prepare<[number]>('DELETE FROM code_sends WHERE id = ?')

  return {
    replace: (code) => {
      removeSubject.run(code.purpose, code.subject)
      return Number(insert.run(code).lastInsertRowid)
    },
    find: (purpose, subject) => {
      const row = find.get(purpose, subject)
      return row
        ? {
            id: row.id,
            accountId: row.account_id,
            purpose: row.purpose,
            subject: row.subject,
            destination: row.destination,
            codeHash: row.code_hash,
            payload: row.payload,
            createdAt: row.created_at,
            expiresAt: row.expires_at,
          }
        : null
    },
    delete: (id) => void remove.run(id),
    deleteForSubject: (purpose, subject) => void removeSubject.run(purpose, subject),
    countSendsSince: (budget, since) =>
      countSends.get({ kind: budget.kind, accountId: budget.accountId, destination: budget.destination, since })!.n,
    lastSendFor: (subject, destination) => lastSend.get(subject, destination)?.at ?? null,
    recordSend: (budget, subject, at) =>
      Number(
        recordSend.run({
          kind: budget.kind,
          accountId: budget.accountId,
          destination: budget.destination,
          subject,
          at,
        }).lastInsertRowid,
      ),
    deleteSend: (id) => void deleteSend.run(id),
  }
}
