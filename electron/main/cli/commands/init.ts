import { stringOption, UsageError, type CommandDefinition } from '../command'
import { withKeyhold } from '../open-data-dir'
import { toAccountJson } from '../output'
import { checkProfile } from '../profile-input'

/** First run from the terminal: the first administrator, only while there is no account (SETUP_DONE otherwise). */
export const initCommand: CommandDefinition = {
  words: ['init'],
  args: [],
  options: {
    admin: { type: 'string' },
    'display-name': { type: 'string' },
    email: { type: 'string' },
    // Accepted for symmetry with `account create`; init always reads its password from stdin.
    'password-stdin': { type: 'boolean' },
  },
  usage: 'init --admin NAME [--display-name TEXT] [--email ADDRESS] < password',
  summary: 'Set up Keyhold in the data folder with its first administrator (password on stdin)',
  async run({ options, dataDir, actor, output, readPassword }) {
    const username = stringOption(options, 'admin')
    if (username === undefined) throw new UsageError('init needs --admin NAME', initCommand)
    const profile = checkProfile({
      username,
      displayName: stringOption(options, 'display-name'),
      email: stringOption(options, 'email'),
    })
    const password = await readPassword()
    await withKeyhold(dataDir, { mustExist: false }, async (keyhold) => {
      const view = await keyhold.accounts.createFirstAdmin({ ...profile, password }, actor)
      output.result(toAccountJson(view), `Created the administrator "${view.username}" in ${dataDir}.`)
    })
  },
}
