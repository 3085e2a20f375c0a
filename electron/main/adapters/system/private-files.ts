import { randomBytes } from 'node:crypto'
import {
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs'
import { open, type FileHandle } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

/**
 * S31: every file Keyhold's main process or CLI writes (the database and its
 * -wal/-shm/-journal, backups, exports, setup-code files, the log, the window
 * state) is 0600, and the data folder 0700, whatever mode an existing folder
 * or file had: the modes are set on the open descriptor, not left to the umask
 * or to whoever made the file first. Keyhold never writes through a symbolic
 * link it did not make: new files are opened with O_EXCL|O_NOFOLLOW, existing
 * ones with O_NOFOLLOW, and a file that is replaced is written beside it under
 * a fresh name and renamed over it (a rename replaces a link, never its target).
 *
 * Windows has no O_NOFOLLOW and no owner/group/other bits; there the flags are
 * 0 and chmod only sets read-only, and the profile folder's ACL does the job.
 */
export const privateFileMode = 0o600
export const privateDirMode = 0o700

const noFollow = constants.O_NOFOLLOW ?? 0
// Opening a FIFO someone put in a file's place must fail at once, not wait for a reader or writer.
const noBlock = constants.O_NONBLOCK ?? 0

/** A path Keyhold refuses to write through: a symbolic link, or not the kind of entry it should be. */
export class UnsafePathError extends Error {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`${path} ${reason}; Keyhold does not write through links or into other kinds of file it did not make`)
    this.name = 'UnsafePathError'
  }
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT'
}

/** O_NOFOLLOW on a link fails with ELOOP (Linux, macOS) or EMLINK (FreeBSD): say what it is. */
function openFailure(path: string, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException).code
  return code === 'ELOOP' || code === 'EMLINK' ? new UnsafePathError(path, 'is a symbolic link') : error
}

/** The descriptor's file must be a plain file; then it is made owner-only. */
function privatise(path: string, descriptor: number): void {
  const stats = fstatSync(descriptor)
  if (!stats.isFile()) throw new UnsafePathError(path, 'is not a regular file')
  if ((stats.mode & 0o777) !== privateFileMode) fchmodSync(descriptor, privateFileMode)
}

/**
 * The data folder: created 0700 if missing, made 0700 if it exists with another
 * mode. A link in its place is refused rather than followed.
 */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: privateDirMode })
  const stats = lstatSync(dir)
  if (stats.isSymbolicLink()) throw new UnsafePathError(dir, 'is a symbolic link')
  if (!stats.isDirectory()) throw new UnsafePathError(dir, 'is not a folder')
  // Windows has no mode bits to set on a folder (its ACL decides), and cannot open one as a file.
  if (process.platform !== 'win32' && (stats.mode & 0o777) !== privateDirMode) chmodDir(dir)
}

/** chmod on a descriptor opened without following a link: the folder lstat saw, not one swapped in meanwhile. */
function chmodDir(dir: string): void {
  const descriptor = openSync(dir, constants.O_RDONLY | noFollow | (constants.O_DIRECTORY ?? 0))
  try {
    fchmodSync(descriptor, privateDirMode)
  } finally {
    closeSync(descriptor)
  }
}

/** A new file, 0600, that must not exist yet (nor a link by its name): its descriptor, open for writing. */
export function createPrivateFile(file: string): number {
  let descriptor: number
  try {
    descriptor = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | noFollow, privateFileMode)
  } catch (error) {
    throw openFailure(file, error)
  }
  try {
    privatise(file, descriptor)
    return descriptor
  } catch (error) {
    closeSync(descriptor)
    throw error
  }
}

/** The same as createPrivateFile, as a promise-based handle (backups and restores stream through it). */
export async function createPrivateFileHandle(file: string): Promise<FileHandle> {
  let handle: FileHandle
  try {
    handle = await open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | noFollow, privateFileMode)
  } catch (error) {
    throw openFailure(file, error)
  }
  try {
    const stats = await handle.stat()
    if (!stats.isFile()) throw new UnsafePathError(file, 'is not a regular file')
    if ((stats.mode & 0o777) !== privateFileMode) await handle.chmod(privateFileMode)
    return handle
  } catch (error) {
    await handle.close()
    throw error
  }
}

/** A name beside `file` that nobody can have prepared: the temporary file of a replacement. */
function besideName(file: string): string {
  return join(dirname(file), `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`)
}

/**
 * Replaces `file` with `data` (0600): written and flushed under a new name in
 * the same folder, then renamed over it, so the file is never half written, an
 * old file's mode is not kept, and a link at `file` is replaced, not followed.
 */
export function writePrivateFile(file: string, data: string | Uint8Array): void {
  const partial = besideName(file)
  const descriptor = createPrivateFile(partial)
  let renamed = false
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data
    let written = 0
    while (written < bytes.length) written += writeSync(descriptor, bytes, written, bytes.length - written)
    fsyncSync(descriptor)
    closeSync(descriptor)
    renameSync(partial, file)
    renamed = true
  } finally {
    if (!renamed) {
      try {
        closeSync(descriptor)
      } catch {
        // Already closed before the rename failed.
      }
      unlinkSync(partial)
    }
  }
}

/** Appends to `file` (created 0600, or made 0600); a link or anything but a plain file by that name is refused. */
export function appendPrivateFile(file: string, data: string): void {
  let descriptor: number
  try {
    descriptor = openSync(
      file,
      constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | noFollow | noBlock,
      privateFileMode,
    )
  } catch (error) {
    throw openFailure(file, error)
  }
  try {
    privatise(file, descriptor)
    writeSync(descriptor, data)
  } finally {
    closeSync(descriptor)
  }
}

/**
 * An existing file made 0600 (false when there is none). For files another
 * program creates, such as SQLite's: a link by that name is refused.
 */
export function makeFilePrivate(file: string): boolean {
  let descriptor: number
  try {
    descriptor = openSync(file, constants.O_RDONLY | noFollow | noBlock)
  } catch (error) {
    if (isMissing(error)) return false
    throw openFailure(file, error)
  }
  try {
    privatise(file, descriptor)
    return true
  } finally {
    closeSync(descriptor)
  }
}

/** The files SQLite keeps beside a database, named after it. */
export const sqliteCompanions = ['-wal', '-shm', '-journal'] as const

/**
 * Before SQLite opens `file`: its folder private, the file itself created
 * 0600 (with `create`) or made 0600, and any -wal/-shm/-journal left from
 * before made 0600 too. SQLite gives the companions it creates later the
 * database file's own mode, so they are born 0600; S31's test checks that on disk.
 */
export function prepareDatabaseFile(file: string, options: { readonly create: boolean }): void {
  if (options.create) ensurePrivateDir(dirname(file))
  const exists = makeFilePrivate(file)
  if (!exists && options.create) closeSync(createPrivateFile(file))
  for (const suffix of sqliteCompanions) makeFilePrivate(`${file}${suffix}`)
}
