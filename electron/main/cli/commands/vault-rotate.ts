import { rotateVault, settleInterruptedRotationIn } from '../../adapters/vault/rotate-vault'
import type { CommandDefinition } from '../command'
import { createCliSecretStore, probeKeychain, startupFailure, withKeyhold } from '../open-data-dir'
import { formatFields } from '../output'

/**
 * `keyhold vault rotate`: a new master key, every secret at rest re-encrypted
 * under it in one transaction, then the keychain updated (adapters/vault/rotate-vault.ts
 * explains the order that keeps the data readable after a crash at any step).
 * Run again after an interrupted rotation, it first finishes that one.
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
      await settleInterruptedRotationIn(dataDir, secretStore)
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
