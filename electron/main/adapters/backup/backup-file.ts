import { hashRaw } from '@node-rs/argon2'
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { open, rename, stat, unlink } from 'node:fs/promises'
import { z } from 'zod'
import { keyIdOf } from '../crypto/aes-gcm-cipher'
import { createPrivateFileHandle } from '../system/private-files'

/**
 * The Keyhold backup file: the database and the master key, sealed under a
 * passphrase, so a backup restores on a new machine whose keychain has never
 * seen this data (S19: the key never lies on disk in clear).
 *
 *   KEYHOLD-BACKUP\n
 *   {header JSON}\n
 *   AES-256-GCM ciphertext of the database file, then its 16-byte tag
 *
 * The header says how to read the rest: the format version, the Argon2id
 * parameters and salt that turn the passphrase into the key-encryption key,
 * the master key wrapped under it (AES-256-GCM, bound to the key's id), the
 * schema version of the database and the payload's IV and length. The whole
 * header is the payload's associated data, so a changed header fails like a
 * changed payload. A wrong passphrase is told apart from a damaged file: the
 * wrapped key fails to open first.
 */
export const backupMagic = 'KEYHOLD-BACKUP\n'
export const backupFormat = 1
/** NIST 800-63B asks 15 characters of a password that is the only factor; this one guards everything. */
export const minPassphraseLength = 15

export interface KdfParams {
  readonly memoryCost: number
  readonly timeCost: number
  readonly parallelism: number
}

/** RFC 9106's second recommended option (64 MiB, 3 passes): a backup is opened rarely, so it can cost more than a sign-in. */
export const backupKdf: KdfParams = { memoryCost: 65536, timeCost: 3, parallelism: 1 }

const base64Bytes = (length: number) =>
  z
    .string()
    .regex(/^[A-Za-z0-9+/]+={0,2}$/)
    .refine((value) => Buffer.from(value, 'base64').length === length, `must be ${length} bytes`)

// Bounds on the KDF keep a forged header from making restore allocate gigabytes or run for hours.
const headerSchema = z
  .object({
    format: z.literal(backupFormat),
    createdAt: z.string(),
    schemaVersion: z.number().int().min(1),
    keyId: z.string().regex(/^[0-9a-f]{16}$/),
    kdf: z
      .object({
        algorithm: z.literal('argon2id'),
        memoryCost: z.number().int().min(19456).max(1_048_576),
        timeCost: z.number().int().min(1).max(10),
        parallelism: z.number().int().min(1).max(8),
        salt: base64Bytes(16),
      })
      .strict(),
    cipher: z.literal('aes-256-gcm'),
    wrappedKey: base64Bytes(12 + 32 + 16),
    payloadIv: base64Bytes(12),
    payloadBytes: z.number().int().min(0),
  })
  .strict()

export type BackupHeader = z.output<typeof headerSchema>

export type BackupProblem = 'invalid' | 'wrong-passphrase' | 'newer-format' | 'weak-passphrase'

export class BackupError extends Error {
  constructor(
    readonly problem: BackupProblem,
    message: string,
  ) {
    super(message)
    this.name = 'BackupError'
  }
}

const ivLength = 12
const tagLength = 16
const chunkSize = 1 << 20

/** Passphrases are compared after NFKC, like passwords (S1): the same words typed on another keyboard still open it. */
function passphraseBytes(passphrase: string): Buffer {
  return Buffer.from(passphrase.normalize('NFKC'), 'utf8')
}

export function checkPassphrase(passphrase: string): void {
  if ([...passphrase.normalize('NFKC')].length < minPassphraseLength) {
    throw new BackupError(
      'weak-passphrase',
      `A backup passphrase needs at least ${minPassphraseLength} characters; several unrelated words make a good one`,
    )
  }
}

async function deriveKey(passphrase: string, kdf: KdfParams, salt: Buffer): Promise<Buffer> {
  // 2 is Argon2id (@node-rs/argon2's Algorithm is a const enum that isolatedModules cannot read).
  return hashRaw(passphraseBytes(passphrase), { algorithm: 2, ...kdf, salt, outputLen: 32 })
}

function wrapAad(keyId: string): Buffer {
  return Buffer.from(`keyhold-backup/v${backupFormat}/master-key:${keyId}`, 'utf8')
}

export interface WriteBackupOptions {
  /** A consistent copy of the database (the SQLite backup API's output), in rollback-journal mode. */
  readonly databaseFile: string
  readonly masterKey: Uint8Array
  readonly schemaVersion: number
  readonly passphrase: string
  readonly out: string
  /** Replace `out` if it exists. */
  readonly overwrite: boolean
  readonly kdf?: KdfParams
}

/** Writes the backup next to `out` and renames it into place, so `out` is never half written. */
export async function writeBackupFile(options: WriteBackupOptions): Promise<{ bytes: number; header: BackupHeader }> {
  checkPassphrase(options.passphrase)
  const kdf = options.kdf ?? backupKdf
  const salt = randomBytes(16)
  const kek = await deriveKey(options.passphrase, kdf, salt)
  const keyId = keyIdOf(options.masterKey)
  const wrapIv = randomBytes(ivLength)
  const wrap = createCipheriv('aes-256-gcm', kek, wrapIv, { authTagLength: tagLength })
  wrap.setAAD(wrapAad(keyId))
  const wrappedKey = Buffer.concat([wrapIv, wrap.update(options.masterKey), wrap.final(), wrap.getAuthTag()])
  const payloadIv = randomBytes(ivLength)
  const { size } = await stat(options.databaseFile)
  const header: BackupHeader = {
    format: backupFormat,
    createdAt: new Date().toISOString(),
    schemaVersion: options.schemaVersion,
    keyId,
    kdf: { algorithm: 'argon2id', ...kdf, salt: salt.toString('base64') },
    cipher: 'aes-256-gcm',
    wrappedKey: wrappedKey.toString('base64'),
    payloadIv: payloadIv.toString('base64'),
    payloadBytes: size,
  }
  const head = Buffer.from(`${backupMagic}${JSON.stringify(header)}\n`, 'utf8')
  const cipher = createCipheriv('aes-256-gcm', kek, payloadIv, { authTagLength: tagLength })
  cipher.setAAD(head)

  const partial = `${options.out}.partial-${process.pid}`
  // 0600: the file is sealed, but whoever can read it can try passphrases (S31; a new file, never a link).
  const output = await createPrivateFileHandle(partial)
  let done = false
  try {
    const input = await open(options.databaseFile, 'r')
    try {
      await output.write(head)
      const buffer = Buffer.alloc(chunkSize)
      let read = 0
      while (read < size) {
        const { bytesRead } = await input.read(buffer, 0, Math.min(chunkSize, size - read), read)
        if (bytesRead === 0) throw new Error('The database copy changed size while it was being sealed')
        read += bytesRead
        await output.write(cipher.update(buffer.subarray(0, bytesRead)))
      }
      await output.write(Buffer.concat([cipher.final(), cipher.getAuthTag()]))
      await output.sync()
    } finally {
      await input.close()
    }
    await output.close()
    if (!options.overwrite) {
      // Checked again at the end: never replace a file that appeared meanwhile.
      const exists = await stat(options.out).then(
        () => true,
        () => false,
      )
      if (exists) throw new BackupError('invalid', `${options.out} already exists`)
    }
    await rename(partial, options.out)
    done = true
    return { bytes: head.length + size + tagLength, header }
  } finally {
    if (!done) {
      await output.close().catch(() => {})
      await unlink(partial).catch(() => {})
    }
  }
}

export interface OpenedBackup {
  readonly header: BackupHeader
  /** Where the payload starts; everything before it is the payload's associated data. */
  readonly payloadStart: number
}

/** Reads and checks the header only: cheap, and enough to refuse a newer format or schema before any work. */
export async function readBackupHeader(file: string): Promise<OpenedBackup> {
  const handle = await open(file, 'r').catch((error: NodeJS.ErrnoException) => {
    throw new BackupError('invalid', `Cannot read ${file}: ${error.code ?? error.message}`)
  })
  try {
    const buffer = Buffer.alloc(64 * 1024)
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0)
    const start = buffer.subarray(0, bytesRead)
    if (!start.subarray(0, backupMagic.length).equals(Buffer.from(backupMagic))) {
      throw new BackupError('invalid', `${file} is not a Keyhold backup`)
    }
    const end = start.indexOf(0x0a, backupMagic.length)
    if (end === -1) throw new BackupError('invalid', `${file} is damaged: its header is cut off`)
    let data: unknown
    try {
      data = JSON.parse(start.subarray(backupMagic.length, end).toString('utf8'))
    } catch {
      throw new BackupError('invalid', `${file} is damaged: its header is not readable`)
    }
    const format = (data as { format?: unknown } | null)?.format
    if (typeof format === 'number' && format > backupFormat) {
      throw new BackupError(
        'newer-format',
        `${file} was made by a newer Keyhold (backup format ${format}; this one reads ${backupFormat})`,
      )
    }
    const parsed = headerSchema.safeParse(data)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      throw new BackupError('invalid', `${file} is damaged: header field ${issue?.path.join('.')}: ${issue?.message}`)
    }
    return { header: parsed.data, payloadStart: end + 1 }
  } finally {
    await handle.close()
  }
}

/** The master key, if the passphrase is right. */
export async function unwrapMasterKey(
  backup: OpenedBackup,
  passphrase: string,
): Promise<{ masterKey: Buffer; kek: Buffer }> {
  const { header } = backup
  const kek = await deriveKey(
    passphrase,
    { memoryCost: header.kdf.memoryCost, timeCost: header.kdf.timeCost, parallelism: header.kdf.parallelism },
    Buffer.from(header.kdf.salt, 'base64'),
  )
  const wrapped = Buffer.from(header.wrappedKey, 'base64')
  try {
    const decipher = createDecipheriv('aes-256-gcm', kek, wrapped.subarray(0, ivLength), { authTagLength: tagLength })
    decipher.setAAD(wrapAad(header.keyId))
    decipher.setAuthTag(wrapped.subarray(wrapped.length - tagLength))
    const masterKey = Buffer.concat([
      decipher.update(wrapped.subarray(ivLength, wrapped.length - tagLength)),
      decipher.final(),
    ])
    if (keyIdOf(masterKey) !== header.keyId) throw new Error('key id')
    return { masterKey, kek }
  } catch {
    throw new BackupError('wrong-passphrase', 'The passphrase is not the one this backup was made with')
  }
}

/**
 * Decrypts the database into `dest` (created, mode 0600). GCM checks the tag
 * only at the end, so `dest` is removed unless the whole file checked out.
 */
export async function decryptDatabase(file: string, backup: OpenedBackup, kek: Buffer, dest: string): Promise<void> {
  const { header, payloadStart } = backup
  const damaged = () => new BackupError('invalid', `${file} is damaged or was altered; it cannot be restored`)
  const { size } = await stat(file)
  if (size !== payloadStart + header.payloadBytes + tagLength) throw damaged()
  const input = await open(file, 'r')
  const output = await createPrivateFileHandle(dest)
  let ok = false
  try {
    const head = Buffer.alloc(payloadStart)
    await input.read(head, 0, payloadStart, 0)
    const tag = Buffer.alloc(tagLength)
    await input.read(tag, 0, tagLength, size - tagLength)
    const decipher = createDecipheriv('aes-256-gcm', kek, Buffer.from(header.payloadIv, 'base64'), {
      authTagLength: tagLength,
    })
    decipher.setAAD(head)
    decipher.setAuthTag(tag)
    const buffer = Buffer.alloc(chunkSize)
    let position = payloadStart
    const end = size - tagLength
    while (position < end) {
      const { bytesRead } = await input.read(buffer, 0, Math.min(chunkSize, end - position), position)
      if (bytesRead === 0) throw damaged()
      position += bytesRead
      await output.write(decipher.update(buffer.subarray(0, bytesRead)))
    }
    try {
      await output.write(decipher.final())
    } catch {
      throw damaged()
    }
    await output.sync()
    ok = true
  } finally {
    await input.close()
    await output.close()
    if (!ok) await unlink(dest).catch(() => {})
  }
}
