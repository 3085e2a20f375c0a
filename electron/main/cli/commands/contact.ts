import { mfaRequests } from '../../../shared/mfa-schemas'
import { stringOption, UsageError, type CommandDefinition } from '../command'
import { withKeyhold } from '../open-data-dir'
import { shortTime, toAccountJson } from '../output'
import { checkInput, requireAccount, withOptionNames } from './mfa'

/**
 * `keyhold account contact NAME --email E | --phone P`, then `--code C`: an
 * account's contact email or phone (where notifications go) changes only when
 * the code sent to the NEW address comes back, from the CLI as from the app,
 * so nobody points an account's notifications at an address they do not hold.
 */
const names = { email: '--email', phone: '--phone', code: '--code' }

export const contactCommand: CommandDefinition = {
  words: ['account', 'contact'],
  args: ['NAME'],
  options: { email: { type: 'string' }, phone: { type: 'string' }, code: { type: 'string' } },
  usage: 'account contact NAME --email ADDRESS | --phone +NUMBER | --code CODE',
  summary:
    "Change an account's contact email or phone: --email or --phone sends a code to the new one, --code applies it",
  async run({ args, options, dataDir, actor, output }) {
    const given = (['email', 'phone', 'code'] as const).filter((name) => stringOption(options, name) !== undefined)
    if (given.length !== 1) {
      throw new UsageError(
        given.length === 0
          ? 'give --email, --phone or --code'
          : `give only one of ${given.map((n) => `--${n}`).join(', ')}`,
        contactCommand,
      )
    }
    const [which] = given as [(typeof given)[number]]
    const value = stringOption(options, which)!
    if (which === 'code') {
      const { code } = checkInput(mfaRequests.contactConfirm, { code: value }, names)
      await withKeyhold(dataDir, { mustExist: true }, async (keyhold) => {
        const account = requireAccount(keyhold, args[0]!)
        const view = await keyhold.services.contact.confirm(account, code, actor)
        output.result(toAccountJson(view), `Changed the contact details of "${view.username}".`)
      })
      return
    }
    const [emailChange, phoneChange] = mfaRequests.contactChange.options
    const change =
      which === 'email'
        ? checkInput(emailChange, { email: value }, names)
        : checkInput(phoneChange, { phone: value }, names)
    await withKeyhold(dataDir, { mustExist: true }, async (keyhold) => {
      const account = requireAccount(keyhold, args[0]!)
      // The phone number is parsed to E.164 by the service; a bad one is refused before anything is sent.
      const sent = await withOptionNames(names, () => keyhold.services.contact.begin(account, change, actor))
      output.result(
        { sentTo: sent.sentTo, expiresAt: sent.expiresAt, resendAvailableAt: sent.resendAvailableAt },
        [
          `Sent a code to ${sent.sentTo}; it expires at ${shortTime(sent.expiresAt)}.`,
          `Apply the change with: keyhold account contact ${account.username} --code CODE`,
        ].join('\n'),
      )
    })
  },
}
