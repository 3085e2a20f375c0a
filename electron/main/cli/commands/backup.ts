import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { migrations } from '../../../../db/migrations'
import { BackupError, checkPassphrase, writeBackupFile } from '../../adapters/backup/backup-file'
import { DatabaseInUseError, snapshotDatabase } from '../../adapters/backup/database-file'
import { restoreDataDir } from '../../adapters/backup/restore-data-dir'
import { keyIdOf } from '../../adapters/crypto/aes-gcm-cipher'
import { keychainAccountFor } from '../../adapters/vault/open-vault'
import { openKeyhold } from '../../composition/open-keyhold'
import { CliError, flagOption, type CommandDefinition } from '../command'
import { createCliSecretStore, probeKeychain, startupFailure, withKeyhold, bindingOption } from '../open-data-dir'
import { formatFields, shortTime } from '../output'
import { readPassphrase } from '../read-lines'

/**
 * `keyhold backup FILE` and `keyhold restore FILE`. A backup holds the
 * database (taken with SQLite's backup API while Keyhold may be running, S21)
 * and the master key, sealed under a passphrase from stdin (Argon2id, then
 * AES-256-GCM; see adapters/backup/backup-file.ts), so it restores on a new
 * machine. Restore checks the passphrase, the file and the database inside it
 * before it replaces anything, and refuses while the data folder is in use.
 */
function backupFailure(error: unknown): unknown {
  if (error instanceof BackupError) {
    switch (error.problem) {
      case 'weak-passphrase':
        return new CliError('VALIDATION', error.message)
      case 'wrong-passphrase':
        return new CliError('WRONG_PASSPHRASE', error.message, 'Give the passphrase that was used for "keyhold backup"')
      case 'newer-format':
        return new CliError('DATABASE_TOO_NEW', error.message, 'Restore it with the newer Keyhold that made it')
      case 'invalid':
        return /schema version/.test(error.message)
          ? new CliError('DATABASE_TOO_NEW', error.message)
          : new CliError('BACKUP_INVALID', error.message)
    }
  }
  if (error instanceof DatabaseInUseError) {
    return new CliError(
      'DATA_DIR_IN_USE',
      `Keyhold has this data folder open: ${error.message}`,
      'Quit the Keyhold app (and any browser preview or keyhold command using this folder), then run restore again',
    )
  }
  return error
}

function sizeText(bytes: number): string {
  return bytes < 1024 * 1024
    ? `${Math.max(1, Math.round(bytes / 1024))} KiB`
    : `${(bytes / 1024 / 1024).toFixed(1)} MiB`
}

const backup: CommandDefinition = {
  words: ['backup'],
  args: ['FILE'],
  options: { force: { type: 'boolean' } },
  usage: 'backup FILE [--force] < passphrase',
  summary:
    'Write the database and the master key, sealed under a passphrase (15+ characters, from stdin), to FILE; works while Keyhold runs',
  async run({ args, options, dataDir, actor, output }) {
    const file = args[0]!
    const overwrite = flagOption(options, 'force')
    if (!overwrite && existsSync(file)) {
      throw new CliError('CONFLICT', `${file} already exists`, 'Choose another name, or add --force to replace it')
    }
    const passphrase = await readPassphrase({ confirm: true })
    try {
      checkPassphrase(passphrase)
    } catch (error) {
      throw backupFailure(error)
    }
    await withKeyhold(dataDir, { mustExist: true }, async (keyhold) => {
      // The key the vault just opened the database with, read again from the keychain to go into the backup.
      const stored = await createCliSecretStore().get(keychainAccountFor(dataDir))
      const masterKey = stored === null ? null : Buffer.from(stored, 'base64')
      if (masterKey === null || keyIdOf(masterKey) !== keyhold.vault.cipher.keyId) {
        throw new CliError('KEY_MISMATCH', 'The master key changed in the keychain while the backup was being made')
      }
      // The unsealed copy exists only in a private temporary folder (0700), for as long as sealing takes.
      const scratch = mkdtempSync(join(tmpdir(), 'keyhold-backup-'))
      try {
        const snapshot = join(scratch, 'keyhold.db')
        const { schemaVersion } = await snapshotDatabase(keyhold.db, snapshot, bindingOption())
        const written = await writeBackupFile({
          databaseFile: snapshot,
          masterKey,
          schemaVersion,
          passphrase,
          out: file,
          overwrite,
        }).catch((error: unknown) => {
          throw backupFailure(error)
        })
        keyhold.deps.uow.tx(() =>
          keyhold.auditLog.append(
            { actor, event: 'backup.created', accountId: null, detail: { schemaVersion, bytes: written.bytes } },
            keyhold.deps.clock.now(),
          ),
        )
        const { header } = written
        output.result(
          {
            file,
            bytes: written.bytes,
            format: header.format,
            schemaVersion,
            keyId: header.keyId,
            createdAt: header.createdAt,
            kdf: {
              algorithm: header.kdf.algorithm,
              memoryCost: header.kdf.memoryCost,
              timeCost: header.kdf.timeCost,
              parallelism: header.kdf.parallelism,
            },
          },
          [
            `Wrote a backup of ${dataDir} to ${file} (${sizeText(written.bytes)}).`,
            'It holds the master key, so it restores on another machine; keep the passphrase safe:',
            'without it the backup cannot be opened.',
          ].join('\n'),
        )
      } finally {
        rmSync(scratch, { recursive: true, force: true })
      }
    })
  },
}

const restore: CommandDefinition = {
  words: ['restore'],
  args: ['FILE'],
  options: {},
  usage: 'restore FILE < passphrase',
  summary:
    'Replace the data folder with a backup (checks the passphrase and the file first; refuses while Keyhold has the folder open)',
  async run({ args, dataDir, actor, output }) {
    const file = args[0]!
    if (!existsSync(file)) throw new CliError('NOT_FOUND', `${file} does not exist`)
    const passphrase = await readPassphrase({ confirm: false })
    const secretStore = createCliSecretStore()
    // S19, fail closed: a keychain that does not answer stops the restore before anything is written.
    await probeKeychain(secretStore, dataDir)
    const report = await restoreDataDir({
      backupFile: file,
      passphrase,
      dataDir,
      secretStore,
      latestSchemaVersion: migrations.length,
      ...bindingOption(),
      verify: async (header) => {
        let keyhold
        try {
          keyhold = await openKeyhold({ dataDir, secretStore, ...bindingOption() })
        } catch (error) {
          throw startupFailure(error, dataDir)
        }
        try {
          const audit = keyhold.auditLog.verify()
          if (!audit.ok)
            throw new CliError('AUDIT_CHAIN_BROKEN', `The restored audit log does not verify: ${audit.problem}`)
          keyhold.deps.uow.tx(() =>
            keyhold.auditLog.append(
              {
                actor,
                event: 'backup.restored',
                accountId: null,
                detail: { backupCreatedAt: header.createdAt, keyId: header.keyId },
              },
              keyhold.deps.clock.now(),
            ),
          )
        } finally {
          keyhold.close()
        }
      },
    }).catch((error: unknown) => {
      throw backupFailure(error)
    })
    const { header, inspection } = report
    output.result(
      {
        dataDir,
        createdAt: header.createdAt,
        schemaVersion: inspection.schemaVersion,
        keyId: header.keyId,
        accounts: inspection.accounts,
        replaced: report.replaced,
      },
      [
        `Restored ${dataDir} from ${file}.`,
        '',
        formatFields([
          ['Backup made', shortTime(header.createdAt)],
          ['Accounts', String(inspection.accounts ?? '-')],
          ['Schema', String(inspection.schemaVersion)],
          ['Master key', `in the keychain entry "${keychainAccountFor(dataDir)}" (key id ${header.keyId})`],
        ]),
      ].join('\n'),
    )
  },
}

export const backupCommands: readonly CommandDefinition[] = [backup, restore]
