import { assertDatabaseNotInUse, DatabaseInUseError } from '../../adapters/backup/database-file'
import { rotateVault, settleInterruptedRotationIn } from '../../adapters/vault/rotate-vault'
import { CliError, type CommandDefinition } from '../command'
import {
  bindingOption,
  createCliSecretStore,
  databaseFile,
  probeKeychain,
  startupFailure,
  withKeyhold,
} from '../open-data-dir'
import { formatFields } from '../output'

/**
 * `keyhold vault rotate`: a new master key, every secret at rest re-encrypted
 * under it in one transaction, then the keychain updated (adapters/vault/rotate-vault.ts
 * explains the order that keeps the data readable after a crash at any step).
 * Run again after an interrupted rotation, it first finishes that one.
 *
 * It refuses while the app (or the preview) has the data folder open: a running
 * Keyhold holds the old key in memory and could no longer read the secrets it
 * re-encrypted, so it must be stopped first and started again afterwards.
 */
export const vaultRotateCommand: CommandDefinition = {
  words: ['vault', 'rotate'],
  args: [],
  options: {},
  usage: 'vault rotate',
  summary:
    'Make a new master key and re-encrypt every secret under it (TOTP secrets, provider secrets, the audit key) in one transaction',
  async run({ dataDir, actor, output }) {
    const secretStore = createCliSecretStore()
    await probeKeychain(secretStore, dataDir)
    try {
      assertDatabaseNotInUse(databaseFile(dataDir), bindingOption())
    } catch (error) {
      if (!(error instanceof DatabaseInUseError)) throw error
      throw new CliError(
        'DATA_DIR_IN_USE',
        `Keyhold has this data folder open: ${error.message}`,
        'Quit the Keyhold app (and any browser preview using this folder), run vault rotate, then start it again',
      )
    }
    try {
      await settleInterruptedRotationIn(dataDir, secretStore, bindingOption())
    } catch (error) {
      throw startupFailure(error, dataDir)
    }
    await withKeyhold(dataDir, { mustExist: true }, async (keyhold) => {
      const report = await rotateVault({
        dataDir,
        db: keyhold.db,
        secretStore,
        audit: keyhold.auditLog,
        clock: keyhold.deps.clock,
        actor,
      })
      output.result(
        report,
        [
          'The master key is new; every secret is now encrypted under it, and the old key is gone from the keychain.',
          '',
          formatFields([
            ['Key id', `${report.keyId} (was ${report.previousKeyId})`],
            ['Authenticator apps', String(report.totpSecrets)],
            ['Setups in progress', String(report.enrollmentSecrets)],
            ['Provider secrets', String(report.providerSecrets)],
            [
              'Codes withdrawn',
              `${report.codesWithdrawn} (email or text-message codes not yet entered; send new ones)`,
            ],
          ]),
          '',
          'Backups made before now hold the old key and still restore; make a new one with "keyhold backup FILE".',
        ].join('\n'),
      )
    })
  },
}
