import { existsSync } from 'node:fs'
import { migrations } from '../../../../db/migrations'
import { schemaVersion } from '../../../../db/migrator'
import { keychainService } from '../../adapters/keychain/keytar-secret-store'
import { keychainAccountFor, VaultKeyError } from '../../adapters/vault/open-vault'
import { openKeyhold, type Keyhold } from '../../composition/open-keyhold'
import { CliError, type CommandDefinition } from '../command'
import {
  createCliSecretStore,
  databaseFile,
  notSetUp,
  probeKeychain,
  startupFailure,
  bindingOption,
} from '../open-data-dir'
import { formatFields, type Output } from '../output'
import { vaultRotateCommand } from './vault-rotate'

/**
 * `keyhold vault status`: is the master key in the keychain (S19), is it the key
 * this database was made with, and does the audit chain verify (S22)? Any "no"
 * is exit 1, with the status printed first so the operator sees what is fine.
 */
interface VaultStatus {
  dataDir: string
  database: { file: string; exists: boolean; schemaVersion: number | null; latestSchemaVersion: number }
  keychain: {
    service: string
    entry: string
    present: boolean
    matchesDatabase: boolean | null
    keyId: string | null
  }
  accounts: number | null
  /**
   * S30: pairs of usernames that look alike (one UTS #39 skeleton). New ones are refused; a
   * pair from before that check is reported here, not broken: both accounts keep working.
   */
  lookAlikeUsernames: (readonly [string, string])[] | null
  audit: { ok: boolean; rows: number; problem: string | null } | null
}

function keychainText(status: VaultStatus, createdNow: boolean): string {
  const { keychain } = status
  const name = `${keychain.service} / ${keychain.entry}`
  if (!keychain.present) return `${name}: missing`
  if (keychain.matchesDatabase === null) return `${name}: present`
  if (!keychain.matchesDatabase) return `${name}: present, but not the key this database was made with`
  return `${name}: ${createdNow ? 'created now' : 'present'}, matches the database (key id ${keychain.keyId})`
}

function lookAlikeText(pairs: VaultStatus['lookAlikeUsernames']): string {
  if (pairs === null) return '-'
  if (pairs.length === 0) return 'no two usernames look alike'
  const list = pairs.map(([a, b]) => `"${a}" and "${b}"`).join(', ')
  return `${pairs.length} ${pairs.length === 1 ? 'pair' : 'pairs'} of usernames look alike, from before they were refused: ${list}`
}

function describe(status: VaultStatus, createdNow = false): string {
  const { database, audit } = status
  return formatFields([
    ['Data folder', status.dataDir],
    [
      'Database',
      database.exists
        ? `${database.file} (schema ${database.schemaVersion ?? '?'} of ${database.latestSchemaVersion})`
        : `${database.file}: not created yet`,
    ],
    ['Keychain entry', keychainText(status, createdNow)],
    ['Accounts', status.accounts === null ? '-' : String(status.accounts)],
    ['Look-alikes', lookAlikeText(status.lookAlikeUsernames)],
    [
      'Audit log',
      audit === null
        ? '-'
        : `${audit.rows} ${audit.rows === 1 ? 'entry' : 'entries'}, ${audit.ok ? 'chain verified' : `chain BROKEN: ${audit.problem}`}`,
    ],
  ])
}

/** Human mode prints the status before the error; --json carries it inside the one error document. */
function failWith(output: Output, status: VaultStatus, error: CliError): never {
  if (!output.json) output.result(status, describe(status))
  throw new CliError(error.code, error.message, error.fix, { ...status })
}

export const vaultStatusCommand: CommandDefinition = {
  words: ['vault', 'status'],
  args: [],
  options: {},
  usage: 'vault status',
  summary: 'Check the master key in the OS keychain, the database, and the audit log chain',
  async run({ dataDir, output }) {
    const file = databaseFile(dataDir)
    const secretStore = createCliSecretStore()
    const present = await probeKeychain(secretStore, dataDir)
    const status: VaultStatus = {
      dataDir,
      database: { file, exists: existsSync(file), schemaVersion: null, latestSchemaVersion: migrations.length },
      keychain: {
        service: keychainService,
        entry: keychainAccountFor(dataDir),
        present,
        matchesDatabase: null,
        keyId: null,
      },
      accounts: null,
      lookAlikeUsernames: null,
      audit: null,
    }
    // A status check must not create a data folder (a mistyped --data-dir would otherwise get one).
    if (!status.database.exists) failWith(output, status, notSetUp(dataDir))

    let keyhold: Keyhold
    try {
      keyhold = await openKeyhold({ dataDir, secretStore, ...bindingOption() })
    } catch (error) {
      if (error instanceof VaultKeyError) status.keychain.matchesDatabase = false
      failWith(output, status, startupFailure(error, dataDir))
    }
    try {
      status.database.schemaVersion = schemaVersion(keyhold.db)
      status.keychain = { ...status.keychain, present: true, matchesDatabase: true, keyId: keyhold.vault.cipher.keyId }
      status.accounts = keyhold.deps.accounts.count()
      status.lookAlikeUsernames = [...keyhold.deps.accounts.lookAlikePairs()]
      status.audit = { ...keyhold.auditLog.verify() }
    } finally {
      keyhold.close()
    }
    if (!status.audit.ok) {
      failWith(
        output,
        status,
        new CliError(
          'AUDIT_CHAIN_BROKEN',
          `The audit log does not verify: ${status.audit.problem}`,
          'Someone or something changed the database outside Keyhold; restore a backup and keep this copy for inspection.',
        ),
      )
    }
    output.result(status, describe(status, !present))
  },
}

export const vaultCommands: readonly CommandDefinition[] = [vaultStatusCommand, vaultRotateCommand]
