import { methodTypes } from '../../../shared/method-types'
import { schemas } from '../../../shared/schemas'
import { serverMethodTraits } from '../../domain/method-traits'
import { CliError, flagOption, stringOption, UsageError, type CommandDefinition } from '../command'
import { withKeyhold } from '../open-data-dir'
import { formatFields, formatTable, shortTime } from '../output'

/**
 * The window's administrator tasks that had no command yet, so a site can be
 * run from the CLI alone: edit an account, give it a new setup code (the
 * window's "Reset password"), and the coverage page. Input goes through the
 * same contract schemas as the IPC channels (S25); the services audit each change.
 */
function validationError(issues: readonly { path: readonly PropertyKey[]; message: string }[]): CliError {
  const first = issues[0]
  const field = first?.path.map(String).join('.') ?? ''
  const option = { displayName: '--display-name', email: '--email', phone: '--phone', role: '--role' }[field] ?? field
  return new CliError('VALIDATION', `${option}: ${first?.message ?? 'invalid value'}`)
}

const edit: CommandDefinition = {
  words: ['account', 'edit'],
  args: ['NAME'],
  options: {
    'display-name': { type: 'string' },
    email: { type: 'string' },
    'no-email': { type: 'boolean' },
    phone: { type: 'string' },
    'no-phone': { type: 'boolean' },
    role: { type: 'string' },
  },
  usage:
    'account edit NAME [--display-name TEXT] [--email ADDRESS | --no-email] [--phone +NUMBER | --no-phone] [--role admin|user]',
  summary: "Change an account's name, contact details or role (the last enabled administrator stays one)",
  async run({ args, options, dataDir, actor, output }) {
    const email = flagOption(options, 'no-email') ? null : stringOption(options, 'email')
    const phone = flagOption(options, 'no-phone') ? null : stringOption(options, 'phone')
    if (flagOption(options, 'no-email') && stringOption(options, 'email') !== undefined) {
      throw new UsageError('give --email or --no-email, not both', edit)
    }
    if (flagOption(options, 'no-phone') && stringOption(options, 'phone') !== undefined) {
      throw new UsageError('give --phone or --no-phone, not both', edit)
    }
    const request = {
      username: args[0]!,
      ...(stringOption(options, 'display-name') === undefined
        ? {}
        : { displayName: stringOption(options, 'display-name') }),
      ...(email === undefined ? {} : { email }),
      ...(phone === undefined ? {} : { phone }),
      ...(stringOption(options, 'role') === undefined ? {} : { role: stringOption(options, 'role') }),
    }
    if (Object.keys(request).length === 1) {
      throw new UsageError('say what to change: --display-name, --email, --phone or --role', edit)
    }
    const parsed = schemas['admin:update-account'].request.safeParse(request)
    if (!parsed.success) throw validationError(parsed.error.issues)
    const { username, ...patch } = parsed.data
    await withKeyhold(dataDir, { mustExist: true }, (keyhold) => {
      const view = keyhold.services.admin.update(username, patch, actor)
      output.result(view, `Updated "${view.username}".`)
    })
  },
}

const setupCode: CommandDefinition = {
  words: ['account', 'setup-code'],
  args: ['NAME'],
  options: {},
  usage: 'account setup-code NAME',
  summary:
    'Reset a password: the account gets a one-time setup code (valid 7 days, printed once) to set its own password; its sessions end',
  async run({ args, dataDir, actor, output }) {
    await withKeyhold(dataDir, { mustExist: true }, async (keyhold) => {
      const issued = await keyhold.services.admin.resetPassword(args[0]!, actor)
      output.result(
        issued,
        `Setup code for "${issued.username}": ${issued.setupCode}\n` +
          `It works once, until ${shortTime(issued.expiresAt)} (UTC). Give it to the user in person; it is not shown again.`,
      )
    })
  },
}

const coverage: CommandDefinition = {
  words: ['coverage'],
  args: [],
  options: {},
  usage: 'coverage',
  summary: 'Accounts by MFA state and method, and the accounts that are late setting up MFA',
  async run({ dataDir, output }) {
    await withKeyhold(dataDir, { mustExist: true }, (keyhold) => {
      const report = keyhold.services.admin.coverage()
      const late =
        report.nonCompliant.length === 0
          ? 'No account is late setting up MFA.'
          : formatTable(
              ['USERNAME', 'STATE', 'DEADLINE (UTC)'],
              report.nonCompliant.map((a) => [
                a.username,
                a.state === 'overdue' ? 'past deadline' : 'in grace period',
                shortTime(a.deadline),
              ]),
            )
      output.result(
        report,
        `${formatFields([
          ['Accounts', String(report.total)],
          ['With MFA', String(report.byState.enrolled)],
          ['Without MFA', String(report.byState.none)],
          ['Invited', String(report.byState.invited)],
          ['In grace period', String(report.byState.grace)],
          ['Past deadline', String(report.byState.overdue)],
          ...methodTypes.map((t): [string, string] => [serverMethodTraits[t].displayName, String(report.byMethod[t])]),
          ['Locked', String(report.locked)],
          ['Disabled', String(report.disabled)],
        ])}\n\n${late}`,
      )
    })
  },
}

export const accountAdminCommands: readonly CommandDefinition[] = [edit, setupCode]
export const coverageCommands: readonly CommandDefinition[] = [coverage]
