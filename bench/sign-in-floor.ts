import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { codeHash, floorSecret, hotp, type FloorDb } from './floor-db'

/**
 * A second floor for the sign-in checks: the work the requirements make every
 * check do, done the cheapest way (prepared statements on the floor's file, no
 * services, no validation, no policy), in one IMMEDIATE transaction: the
 * session and the account's lock read (S13, S14), the method read and its
 * secret decrypted with AES-256-GCM (S20), the step or code consumed (S7, S8),
 * the session made active, the last sign-in, and an audit row chained by
 * HMAC-SHA256 to the head kept beside it (S22).
 *
 * The floor reads one row and writes one; a real check commits six or
 * seven pages, and on a disk where each page of a commit costs about a quarter
 * of the one-row floor, the required writes alone use most of a 2× budget.
 * This floor tells a slow service apart from a slow disk.
 */
export interface SignInFloor {
  /** Adds account rows until there are `count`, about as wide as the product's (names, email, Argon2id hash). */
  grow(count: number): void
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
const vaultKey = Buffer.alloc(32, 9)
const secretContext = Buffer.from('totp-secret:1')

/** The method's secret as the product stores it: AES-256-GCM, bound to its row by associated data. */
function seal(secret: Buffer): Buffer {
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', vaultKey, iv).setAAD(secretContext)
  return Buffer.concat([iv, cipher.update(secret), cipher.final(), cipher.getAuthTag()])
}

function unseal(sealed: Buffer): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', vaultKey, sealed.subarray(0, 12)).setAAD(secretContext)
  decipher.setAuthTag(sealed.subarray(sealed.length - 16))
  return Buffer.concat([decipher.update(sealed.subarray(12, sealed.length - 16)), decipher.final()])
}

export function openSignInFloor(floor: FloorDb): SignInFloor {
  const { db } = floor
  db.exec(`
    CREATE TABLE IF NOT EXISTS floor_sessions (
      id TEXT PRIMARY KEY, account_id INTEGER NOT NULL, state TEXT NOT NULL,
      created_at INTEGER NOT NULL, step_up_at INTEGER NOT NULL, last_seen_at INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE IF NOT EXISTS floor_accounts (
      id INTEGER PRIMARY KEY, profile TEXT NOT NULL DEFAULT '', failed_attempts INTEGER NOT NULL DEFAULT 0,
      locked_until INTEGER, last_sign_in_at INTEGER, updated_at INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE IF NOT EXISTS floor_sealed_secrets (id INTEGER PRIMARY KEY, sealed BLOB NOT NULL) STRICT;
    INSERT OR IGNORE INTO floor_accounts (id, updated_at) VALUES (${accountId}, 0);
    CREATE TABLE IF NOT EXISTS floor_audit (
      id INTEGER PRIMARY KEY, at INTEGER NOT NULL, account_id INTEGER, event TEXT NOT NULL, mac TEXT NOT NULL
    ) STRICT;
    CREATE INDEX IF NOT EXISTS floor_audit_account ON floor_audit (account_id, id);
    CREATE TABLE IF NOT EXISTS floor_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
  `)
  let sessions = 0
  db.prepare<[number, Buffer]>('INSERT OR REPLACE INTO floor_sealed_secrets (id, sealed) VALUES (?, ?)').run(
    methodId,
    seal(floorSecret(methodId)),
  )
  const insertSession = db.prepare<[string, number, number, number, number]>(
    "INSERT INTO floor_sessions (id, account_id, state, created_at, step_up_at, last_seen_at) VALUES (?, ?, 'pending', ?, ?, ?)",
  )
  const readSession = db.prepare<[string], { state: string }>('SELECT state FROM floor_sessions WHERE id = ?')
  const activate = db.prepare<[number, number, string]>(
    "UPDATE floor_sessions SET state = 'active', step_up_at = ?, last_seen_at = ? WHERE id = ?",
  )
  const readMethod = db.prepare<[number], { sealed: Buffer; last_used_step: number | null }>(
    'SELECT s.sealed, m.last_used_step FROM floor_methods m JOIN floor_sealed_secrets s ON s.id = m.id WHERE m.id = ?',
  )
  const readLock = db.prepare<[number], { failed_attempts: number; locked_until: number | null }>(
    'SELECT failed_attempts, locked_until FROM floor_accounts WHERE id = ?',
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
  /** The session still waits for its second factor and the account is not locked. */
  const open = (session: string, nowMs: number) => {
    if (readSession.get(session)?.state !== 'pending') return false
    const lock = readLock.get(accountId)
    return lock !== undefined && (lock.locked_until === null || lock.locked_until <= nowMs)
  }

  const verifyTotp = db.transaction((session: string, code: string, nowMs: number): boolean => {
    if (!open(session, nowMs)) return false
    const row = readMethod.get(methodId)
    if (!row) return false
    const step = Math.floor(nowMs / 30_000)
    if (row.last_used_step !== null && step <= row.last_used_step) return false
    if (hotp(unseal(row.sealed), step) !== code) return false
    recordUse.run(step, nowMs, methodId)
    finishSignIn(session, nowMs)
    return true
  })

  const verifyCode = db.transaction((session: string, subject: string, code: string, nowMs: number): boolean => {
    if (!open(session, nowMs)) return false
    const row = readCode.get(subject)
    if (!row || row.expires_at <= nowMs) return false
    if (!timingSafeEqual(row.code_hash, codeHash(subject, code))) return false
    deleteCode.run(row.id)
    recordUse.run(null, nowMs, methodId)
    finishSignIn(session, nowMs)
    return true
  })

  const countAccounts = db.prepare<[], number>('SELECT count(*) FROM floor_accounts').pluck()
  const insertAccount = db.prepare<[number, string]>(
    'INSERT INTO floor_accounts (id, profile, updated_at) VALUES (?, ?, 0)',
  )

  return {
    grow(count) {
      const have = countAccounts.get()!
      db.transaction(() => {
        for (let id = have + 1; id <= count; id += 1) insertAccount.run(id, floorSecret(id).toString('hex').repeat(4))
      }).immediate()
    },
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
