import type { CommandDefinition } from '../command'
import { withKeyhold } from '../open-data-dir'
import { requireAccount } from './mfa'

/** `keyhold recovery regenerate NAME`: S12, a new set of ten; the old set stops working in the same step. */
const regenerate: CommandDefinition = {
  words: ['recovery', 'regenerate'],
  args: ['NAME'],
  options: {},
  usage: 'recovery regenerate NAME',
  summary: 'Make 10 new recovery codes for an account with a method (printed once; the old ones stop working)',
  async run({ args, dataDir, actor, output }) {
    await withKeyhold(dataDir, { mustExist: true }, async (keyhold) => {
      const account = requireAccount(keyhold, args[0]!)
      const recoveryCodes = await keyhold.services.methods.regenerateRecoveryCodes(account, actor)
      output.result(
        { recoveryCodes },
        [
          `New recovery codes for "${account.username}", shown only now; each works once. The old ones no longer work.`,
          '',
          ...recoveryCodes.map((code) => `  ${code}`),
        ].join('\n'),
      )
    })
  },
}

export const recoveryCommands: readonly CommandDefinition[] = [regenerate]
