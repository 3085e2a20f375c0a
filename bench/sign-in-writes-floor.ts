import { createHmac, timingSafeEqual } from 'node:crypto'
import { codeHash, floorSecret, hotp, type FloorDb } from './floor-db'

/**
 * A second floor for the sign-in checks: the least work a check could take
 * while writing what the security requirements make a sign-in write, in one
 * IMMEDIATE transaction: the consumed step or code (S7, S8), the session
 * turned active (S14), the account's last sign-in, and an audit row chained
 * by HMAC-SHA256 to the head kept beside it (S22). Raw SQL with prepared
 * statements on the floor's file, no services, no validation, no policy.
 *
 * The floor writes one row; a real check writes six or seven pages,
 * and on this kind of disk each page of a commit costs about as much as the
 * whole one-row floor. This floor shows what Keyhold adds on top of those
 * writes, so a slow service and a slow disk can be told apart.
 */
export interface SignInWritesFloor {
  /** A session waiting for its second factor, as a password sign-in leaves it (untimed set-up). */
  pendingSession(nowMs: number): string
  /** TOTP on method row 1 of the floor, then the sign-in's writes. */
  verifyTotp(session: string, code: string, nowMs: number): boolean
  /** A code stored with FloorDb.putCode, consumed, then the sign-in's writes. */
  verifyCode(session: string, subject: string, code: string, nowMs: number): boolean
}

const accountId = 1
const methodId = 1
const auditKey = Buffer.alloc(32, 7)

export function openSignInWritesFloor(floor: FloorDb): SignInWritesFloor {
  const { db } = floor
  db.exec(`
    CREATE TABLE IF NOT EXISTS floor_sessions (
      id TEXT PRIMARY KEY, account_id INTEGER NOT NULL, state TEXT NOT NULL,
      created_at INTEGER NOT NULL, step_up_at INTEGER NOT NULL, last_seen_at INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE IF NOT EXISTS floor_accounts (
      id INTEGER PRIMARY KEY, last_sign_in_at INTEGER, updated_at INTEGER NOT NULL
    ) STRICT;
    INSERT OR IGNORE INTO floor_accounts (id, updated_at) VALUES (${accountId}, 0);
    CREATE TABLE IF NOT EXISTS floor_audit (
      id INTEGER PRIMARY KEY, at INTEGER NOT NULL, account_id INTEGER, event TEXT NOT NULL, mac TEXT NOT NULL
    ) STRICT;
    CREATE INDEX IF NOT EXISTS floor_audit_account ON floor_audit (account_id, id);
    CREATE TABLE IF NOT EXISTS floor_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
  `)
  let sessions = 0
  const insertSession = db.prepare<[string, number, number, number, number]>(
    "INSERT INTO floor_sessions (id, account_id, state, created_at, step_up_at, last_seen_at) VALUES (?, ?, 'pending', ?, ?, ?)",
  )
  const readSession = db.prepare<[string], { state: string }>('SELECT state FROM floor_sessions WHERE id = ?')
  const activate = db.prepare<[number, number, string]>(
    "UPDATE floor_sessions SET state = 'active', step_up_at = ?, last_seen_at = ? WHERE id = ?",
  )
  const readMethod = db.prepare<[number], { secret: Buffer; last_used_step: number | null }>(
    'SELECT secret, last_used_step FROM floor_methods WHERE id = ?',
  )
  const recordUse = db.prepare<[number | null, number, number]>(
    'UPDATE floor_methods SET last_used_step = coalesce(?, last_used_step), last_used_at = ? WHERE id = ?',
  )
  const readCode = db.prepare<[string], { id: number; code_hash: Buffer; expires_at: number }>(
    'SELECT id, code_hash, expires_at FROM floor_codes WHERE subject = ?',
  )
  const deleteCode = db.prepare<[number]>('DELETE FROM floor_codes WHERE id = ?')
  const signedIn = db.prepare<[number, number, number]>(
    'UPDATE floor_accounts SET last_sign_in_at = ?, updated_at = ? WHERE id = ?',
  )
  const readHead = db.prepare<[], { value: string }>("SELECT value FROM floor_settings WHERE key = 'head'")
  const nextAuditId = db.prepare<[], { id: number | null }>('SELECT max(id) AS id FROM floor_audit')
  const insertAudit = db.prepare<[number, number, number, string, string]>(
    'INSERT INTO floor_audit (id, at, account_id, event, mac) VALUES (?, ?, ?, ?, ?)',
  )
  const writeHead = db.prepare<[string]>(
    "INSERT INTO floor_settings (key, value) VALUES ('head', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
  )

  /** The writes every successful check makes after its factor is consumed. */
  const finishSignIn = (session: string, nowMs: number) => {
    activate.run(nowMs, nowMs, session)
    signedIn.run(nowMs, nowMs, accountId)
    const previous = readHead.get()?.value ?? 'genesis'
    const id = (nextAuditId.get()?.id ?? 0) + 1
    const mac = createHmac('sha256', auditKey).update(previous).update(`\n${id},${nowMs},sign-in`).digest('hex')
    insertAudit.run(id, nowMs, accountId, 'sign-in.succeeded', mac)
    writeHead.run(mac)
  }
  const pending = (session: string) => readSession.get(session)?.state === 'pending'

  const verifyTotp = db.transaction((session: string, code: string, nowMs: number): boolean => {
    if (!pending(session)) return false
    const row = readMethod.get(methodId)
    if (!row) return false
    const step = Math.floor(nowMs / 30_000)
    if (row.last_used_step !== null && step <= row.last_used_step) return false
    if (hotp(row.secret, step) !== code) return false
    recordUse.run(step, nowMs, methodId)
    finishSignIn(session, nowMs)
    return true
  })

  const verifyCode = db.transaction((session: string, subject: string, code: string, nowMs: number): boolean => {
    if (!pending(session)) return false
    const row = readCode.get(subject)
    if (!row || row.expires_at <= nowMs) return false
    if (!timingSafeEqual(row.code_hash, codeHash(subject, code))) return false
    deleteCode.run(row.id)
    recordUse.run(null, nowMs, methodId)
    finishSignIn(session, nowMs)
    return true
  })

  return {
    pendingSession(nowMs) {
      sessions += 1
      const id = `floor-session-${sessions}-${floorSecret(sessions).toString('hex')}`
      insertSession.run(id, accountId, nowMs, nowMs, nowMs)
      return id
    },
    verifyTotp: (session, code, nowMs) => verifyTotp.immediate(session, code, nowMs),
    verifyCode: (session, subject, code, nowMs) => verifyCode.immediate(session, subject, code, nowMs),
  }
}
