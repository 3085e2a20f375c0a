import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import { openDatabase, type SqliteDatabase } from '../electron/main/adapters/sqlite/open-database'

/**
 * The floors: the least work each checked operation could take on this
 * machine. They run on a SQLite file of their own, opened by the product's
 * openDatabase (WAL, synchronous=FULL, so every commit waits for the disk like
 * the product's), in the same temp folder, holding as many rows as the
 * product database has accounts. Each check is one BEGIN IMMEDIATE
 * transaction with one indexed read and one write: one commit, as in the
 * service, so the ratio shows what the service adds on top of the crypto and
 * the disk.
 */
export interface FloorDb {
  readonly db: SqliteDatabase
  /** The floor's own clock: each call moves it one TOTP step on, so no step is ever used twice. */
  nextStep(): number
  /** Adds method rows until there are `count`. */
  grow(count: number): void
  /** Raw RFC 6238 (HMAC-SHA1, 6 digits) + read the secret and last step by key + write the new step. */
  verifyTotp(id: number, code: string, nowMs: number): boolean
  /** The TOTP code of row `id` at `nowMs`, to feed verifyTotp. */
  totpCode(id: number, nowMs: number): string
  /** Stores a code's keyed hash (setup, untimed). */
  putCode(subject: string, code: string, expiresAt: number): void
  /** HMAC-SHA256 of the code + read its hash by subject + delete it (single use). */
  verifyCode(subject: string, code: string, nowMs: number): boolean
  close(): void
}

const codeKey = createHash('sha256').update('keyhold-bench-floor').digest()

/** The keyed hash a floor code is stored and checked as. */
export function codeHash(subject: string, code: string): Buffer {
  return createHmac('sha256', codeKey).update(`${subject}:${code}`).digest()
}

/** RFC 4226 HOTP with dynamic truncation; the floor's whole TOTP computation. */
export function hotp(secret: Buffer, counter: number): string {
  const message = Buffer.alloc(8)
  message.writeBigUInt64BE(BigInt(counter))
  const digest = createHmac('sha1', secret).update(message).digest()
  const offset = digest[digest.length - 1]! & 0x0f
  const binary = digest.readUInt32BE(offset) & 0x7fffffff
  return String(binary % 1_000_000).padStart(6, '0')
}

/** The TOTP secret of floor method row `id` (deterministic, so the floor needs no keychain). */
export function floorSecret(id: number): Buffer {
  return createHash('sha1').update(`floor-${id}`).digest()
}

export function openFloorDb(file: string, start: number): FloorDb {
  let now = start
  const db = openDatabase(file)
  db.exec(`
    CREATE TABLE IF NOT EXISTS floor_methods (
      id INTEGER PRIMARY KEY, secret BLOB NOT NULL, last_used_step INTEGER, last_used_at INTEGER
    ) STRICT;
    CREATE TABLE IF NOT EXISTS floor_codes (
      id INTEGER PRIMARY KEY, subject TEXT NOT NULL UNIQUE, code_hash BLOB NOT NULL, expires_at INTEGER NOT NULL
    ) STRICT;
  `)
  const count = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM floor_methods')
  const insertMethod = db.prepare<[number, Buffer]>('INSERT INTO floor_methods (id, secret) VALUES (?, ?)')
  const readMethod = db.prepare<[number], { secret: Buffer; last_used_step: number | null }>(
    'SELECT secret, last_used_step FROM floor_methods WHERE id = ?',
  )
  const writeStep = db.prepare<[number, number, number]>(
    'UPDATE floor_methods SET last_used_step = ?, last_used_at = ? WHERE id = ?',
  )
  const putCode = db.prepare<[string, Buffer, number]>(
    'INSERT OR REPLACE INTO floor_codes (subject, code_hash, expires_at) VALUES (?, ?, ?)',
  )
  const readCode = db.prepare<[string], { id: number; code_hash: Buffer; expires_at: number }>(
    'SELECT id, code_hash, expires_at FROM floor_codes WHERE subject = ?',
  )
  const deleteCode = db.prepare<[number]>('DELETE FROM floor_codes WHERE id = ?')

  const verifyTotp = db.transaction((id: number, code: string, nowMs: number): boolean => {
    const row = readMethod.get(id)
    if (!row) return false
    const step = Math.floor(nowMs / 30_000)
    if (row.last_used_step !== null && step <= row.last_used_step) return false
    if (hotp(row.secret, step) !== code) return false
    writeStep.run(step, nowMs, id)
    return true
  })

  const verifyCode = db.transaction((subject: string, code: string, nowMs: number): boolean => {
    const row = readCode.get(subject)
    if (!row || row.expires_at <= nowMs) return false
    if (!timingSafeEqual(row.code_hash, codeHash(subject, code))) return false
    deleteCode.run(row.id)
    return true
  })

  return {
    db,
    nextStep: () => (now += 30_000),
    grow(target) {
      const have = count.get()!.n
      db.transaction(() => {
        for (let id = have + 1; id <= target; id += 1) {
          insertMethod.run(id, floorSecret(id))
        }
      }).immediate()
    },
    verifyTotp: (id, code, nowMs) => verifyTotp.immediate(id, code, nowMs),
    totpCode: (id, nowMs) => hotp(floorSecret(id), Math.floor(nowMs / 30_000)),
    putCode: (subject, code, expiresAt) => void putCode.run(subject, codeHash(subject, code), expiresAt),
    verifyCode: (subject, code, nowMs) => verifyCode.immediate(subject, code, nowMs),
    close: () => db.close(),
  }
}
