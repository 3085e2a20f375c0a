import { randomBytes } from 'node:crypto'
import { link, rename, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import type { SecretStore } from '../keychain/secret-store'
import { databaseFileName } from '../system/data-dir'
import { ensurePrivateDir } from '../system/private-files'
import { keychainAccountFor } from '../vault/open-vault'
import { pendingKeyAccount } from '../vault/rotate-vault'
import { BackupError, decryptDatabase, readBackupHeader, unwrapMasterKey, type BackupHeader } from './backup-file'
import { inspectDatabaseFile, takeOverDatabase, type DatabaseInspection } from './database-file'

/**
 * `keyhold restore FILE`: puts a backup's database and master key in place of a
 * data folder's, checking everything it can before it touches anything:
 *
 *   1. the header (format, and a schema no newer than this Keyhold's);
 *   2. the passphrase (the wrapped master key opens);
 *   3. the payload (GCM tag), decrypted into a temporary file in the data folder;
 *   4. that file: integrity_check, schema version, the key id it records, the audit chain;
 *   5. nobody has the data folder's database open (see takeOverDatabase);
 *   6. the swap: the old database stays under `keyhold.db.before-restore-<time>`
 *      and its key under the keychain entry `…:before-restore` until
 *   7. the restored folder opens as Keyhold opens it (`verify`); only then are both removed.
 *      If 7 fails, the old database and key are put back.
 *
 * The restored key goes into the keychain entry of THIS data folder, which may
 * be another path, on another machine, than the one the backup was made from.
 */
export interface RestoreOptions {
  readonly backupFile: string
  readonly passphrase: string
  readonly dataDir: string
  readonly secretStore: SecretStore
  /** The newest schema this Keyhold knows; a backup from a newer one is refused. */
  readonly latestSchemaVersion: number
  /** better-sqlite3's binary for the running runtime, as openKeyhold takes it. */
  readonly nativeBinding?: string
  /** Opens the restored data folder the way the app does and throws if anything is wrong. */
  readonly verify: (header: BackupHeader) => Promise<void>
}

export interface RestoreReport {
  readonly header: BackupHeader
  readonly inspection: DatabaseInspection
  /** Whether a database was there before (and was replaced). */
  readonly replaced: boolean
}

export function previousKeyAccount(dataDir: string): string {
  return `${keychainAccountFor(dataDir)}:before-restore`
}

function tooNew(found: number, supported: number): BackupError {
  return new BackupError(
    'invalid',
    `The backup holds a database at schema version ${found}; this Keyhold supports up to ${supported}. Restore it with the newer Keyhold that made it.`,
  )
}

async function removeIfThere(file: string): Promise<void> {
  await unlink(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error
  })
}

export async function restoreDataDir(options: RestoreOptions): Promise<RestoreReport> {
  const { dataDir, secretStore } = options
  const binding = options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}
  const backup = await readBackupHeader(options.backupFile)
  if (backup.header.schemaVersion > options.latestSchemaVersion) {
    throw tooNew(backup.header.schemaVersion, options.latestSchemaVersion)
  }
  const { masterKey, kek } = await unwrapMasterKey(backup, options.passphrase)

  ensurePrivateDir(dataDir)
  const database = join(dataDir, databaseFileName)
  const incoming = join(dataDir, `${databaseFileName}.restoring-${randomBytes(6).toString('hex')}`)
  let placed = false
  try {
    await decryptDatabase(options.backupFile, backup, kek, incoming)
    const inspection = inspectDatabaseFile(incoming, masterKey, binding)
    if (inspection.integrity !== 'ok') {
      throw new BackupError(
        'invalid',
        `The database in the backup is damaged (integrity_check: ${inspection.integrity})`,
      )
    }
    if (inspection.schemaVersion > options.latestSchemaVersion) {
      throw tooNew(inspection.schemaVersion, options.latestSchemaVersion)
    }
    if (inspection.keyId !== backup.header.keyId) {
      throw new BackupError('invalid', 'The database in the backup was not made with the master key the backup holds')
    }
    if (inspection.audit !== null && !inspection.audit.ok) {
      throw new BackupError('invalid', `The audit log in the backup does not verify: ${inspection.audit.problem}`)
    }

    // Throws DatabaseInUseError while anyone has it open; afterwards it is one file, closed.
    const replaced = takeOverDatabase(database, binding)
    const aside = join(dataDir, `${databaseFileName}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`)
    if (replaced) await link(database, aside)
    for (const leftover of ['-wal', '-shm', '-journal']) await removeIfThere(`${database}${leftover}`)

    const main = keychainAccountFor(dataDir)
    const previous = await secretStore.get(main)
    if (previous !== null) await secretStore.set(previousKeyAccount(dataDir), previous)
    const putBack = async () => {
      if (previous === null) await secretStore.delete(main).catch(() => false)
      else await secretStore.set(main, previous)
      await secretStore.delete(previousKeyAccount(dataDir)).catch(() => false)
    }
    try {
      await secretStore.set(main, masterKey.toString('base64'))
      // A half-finished rotation of the old database's key has nothing to do with the restored one.
      await secretStore.delete(pendingKeyAccount(dataDir)).catch(() => false)
      // One rename replaces the old name atomically: there is never a moment without a keyhold.db.
      await rename(incoming, database)
      placed = true
      await options.verify(backup.header)
    } catch (error) {
      if (placed) {
        for (const suffix of ['-wal', '-shm']) await removeIfThere(`${database}${suffix}`)
        if (replaced) await rename(aside, database)
        else await removeIfThere(database)
      } else if (replaced) await removeIfThere(aside)
      await putBack()
      throw error
    }
    if (replaced) await removeIfThere(aside)
    await secretStore.delete(previousKeyAccount(dataDir)).catch(() => false)
    return { header: backup.header, inspection, replaced }
  } finally {
    if (!placed) await removeIfThere(incoming)
  }
}
