import type { Keyhold } from '../../composition/open-keyhold'
import { CliError, flagOption, stringOption, UsageError, type CommandContext, type CommandDefinition } from '../command'
import { withKeyhold } from '../open-data-dir'
import { accountStatus, formatFields, formatTable, shortTime, toAccountJson } from '../output'
import { checkProfile } from '../profile-input'

/**
 * `keyhold account …`: the administrator's tasks, calling the account service
 * directly. S15: the CLI is a trusted channel (the OS user who owns the data
 * folder and its keychain entry), so no step-up; each change is audited with
 * the actor `cli:<os user>`. The service enforces the rest: the last enabled
 * administrator cannot be disabled or deleted (LAST_ADMIN), passwords follow S1/S2.
 */
const passwordStdin = { 'password-stdin': { type: 'boolean' } } as const

function requirePasswordStdin(context: CommandContext, command: CommandDefinition): void {
  if (!flagOption(context.options, 'password-stdin')) {
    throw new UsageError('the password is read from stdin only: add --password-stdin and pipe it in', command)
  }
}

const create: CommandDefinition = {
  words: ['account', 'create'],
  args: ['NAME'],
  options: {
    'display-name': { type: 'string' },
    email: { type: 'string' },
    phone: { type: 'string' },
    admin: { type: 'boolean' },
    ...passwordStdin,
  },
  usage:
    'account create NAME [--display-name TEXT] [--email ADDRESS] [--phone +NUMBER] [--admin] --password-stdin < password',
  summary: 'Create an account (a user, or an administrator with --admin)',
  async run(context) {
    requirePasswordStdin(context, create)
    const { options, dataDir, actor, output } = context
    const profile = checkProfile({
      username: context.args[0]!,
      displayName: stringOption(options, 'display-name'),
      email: stringOption(options, 'email'),
      phone: stringOption(options, 'phone'),
    })
    const password = await context.readPassword()
    await withKeyhold(dataDir, { mustExist: true }, async (keyhold) => {
      if (keyhold.accounts.isSetupRequired()) {
        // The first account is always an administrator made by `init` (or the app's first-run page).
        throw new CliError('SETUP_REQUIRED', 'Keyhold has no administrator yet', 'Run: keyhold init --admin NAME')
      }
      const role = flagOption(options, 'admin') ? 'admin' : 'user'
      const view = await keyhold.accounts.createAccount({ ...profile, role, password }, actor)
      output.result(
        toAccountJson(view),
        `Created the ${role === 'admin' ? 'administrator' : 'account'} "${view.username}".`,
      )
    })
  },
}

const defaultLimit = 50
const maxLimit = 1000

function whole(value: string | undefined, name: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback
  const number = /^\d+$/.test(value) ? Number(value) : Number.NaN
  if (!Number.isSafeInteger(number) || number < min || number > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}`, list)
  }
  return number
}

const list: CommandDefinition = {
  words: ['account', 'list'],
  args: [],
  options: { search: { type: 'string' }, limit: { type: 'string' }, offset: { type: 'string' } },
  usage: `account list [--search TEXT] [--limit N] [--offset N]`,
  summary: `List accounts, ${defaultLimit} at a time; --search matches the start of a username, display name or email`,
  async run({ options, dataDir, output }) {
    const search = stringOption(options, 'search')
    const limit = whole(stringOption(options, 'limit'), 'limit', 1, maxLimit, defaultLimit)
    const offset = whole(stringOption(options, 'offset'), 'offset', 0, Number.MAX_SAFE_INTEGER, 0)
    await withKeyhold(dataDir, { mustExist: true }, (keyhold) => {
      const page = keyhold.accounts.listAccounts({ search, limit, offset })
      const accounts = page.accounts.map(toAccountJson)
      output.result({ accounts, total: page.total }, describePage(page.accounts, page.total, offset, search))
    })
  },
}

function describePage(
  accounts: ReturnType<Keyhold['accounts']['listAccounts']>['accounts'],
  total: number,
  offset: number,
  search: string | undefined,
): string {
  if (total === 0) return search ? `No account matches "${search}".` : 'No accounts.'
  if (accounts.length === 0) return `No accounts from offset ${offset}: there are ${total}.`
  const table = formatTable(
    ['USERNAME', 'DISPLAY NAME', 'ROLE', 'STATUS', 'EMAIL', 'PHONE', 'LAST SIGN-IN'],
    accounts.map((a) => [
      a.username,
      a.displayName,
      a.role,
      accountStatus(a),
      a.email ?? '-',
      a.phone ?? '-',
      shortTime(a.lastSignInAt),
    ]),
  )
  const end = offset + accounts.length
  const footer =
    accounts.length === total
      ? `${total} ${total === 1 ? 'account' : 'accounts'}`
      : `${accounts.length === 1 ? `Account ${end}` : `Accounts ${offset + 1}–${end}`} of ${total}${end < total ? `; more with --offset ${end}` : ''}`
  return `${table}\n\n${footer}`
}

const show: CommandDefinition = {
  words: ['account', 'show'],
  args: ['NAME'],
  options: {},
  usage: 'account show NAME',
  summary: 'Show one account',
  async run({ args, dataDir, output }) {
    await withKeyhold(dataDir, { mustExist: true }, (keyhold) => {
      const view = keyhold.accounts.getAccount(args[0]!)
      const lock = view.locked
        ? `locked ${view.lockedUntil === null ? 'until an administrator unlocks it' : `until ${shortTime(view.lockedUntil)}`}`
        : null
      const status = [view.disabled ? 'disabled' : null, lock].filter((s) => s !== null).join(', ') || 'active'
      output.result(
        toAccountJson(view),
        formatFields([
          ['Username', view.username],
          ['Display name', view.displayName],
          ['Email', view.email ?? '-'],
          ['Phone', view.phone ?? '-'],
          ['Role', view.role],
          ['Status', status],
          ['Created', shortTime(view.createdAt)],
          ['Last sign-in', shortTime(view.lastSignInAt)],
          ['Password set', shortTime(view.passwordChangedAt)],
        ]),
      )
    })
  },
}

/** The commands that take one NAME, change one thing, and print the account afterwards. */
function accountAction(
  verb: string,
  summary: string,
  act: (keyhold: Keyhold, username: string, actor: string) => ReturnType<Keyhold['accounts']['getAccount']>,
  done: (username: string) => string,
): CommandDefinition {
  return {
    words: ['account', verb],
    args: ['NAME'],
    options: {},
    usage: `account ${verb} NAME`,
    summary,
    async run({ args, dataDir, actor, output }) {
      await withKeyhold(dataDir, { mustExist: true }, (keyhold) => {
        const view = act(keyhold, args[0]!, actor)
        output.result(toAccountJson(view), done(view.username))
      })
    },
  }
}

const disable = accountAction(
  'disable',
  'Disable an account and end its sessions (not the last enabled administrator)',
  (k, name, actor) => k.accounts.setDisabled(name, true, actor),
  (name) => `Disabled "${name}" and ended their sessions.`,
)

const enable = accountAction(
  'enable',
  'Enable a disabled account',
  (k, name, actor) => k.accounts.setDisabled(name, false, actor),
  (name) => `Enabled "${name}".`,
)

const unlock = accountAction(
  'unlock',
  'Lift a lockout after failed sign-ins and reset the failure count',
  (k, name, actor) => k.accounts.unlock(name, actor),
  (name) => `Unlocked "${name}"; the failure count is back to 0.`,
)

const remove: CommandDefinition = {
  words: ['account', 'delete'],
  args: ['NAME'],
  options: {},
  usage: 'account delete NAME',
  summary: 'Delete an account (not the last enabled administrator); the audit log keeps its history',
  async run({ args, dataDir, actor, output }) {
    await withKeyhold(dataDir, { mustExist: true }, (keyhold) => {
      const { username } = keyhold.accounts.getAccount(args[0]!)
      keyhold.accounts.deleteAccount(username, actor)
      output.result({ deleted: username }, `Deleted "${username}".`)
    })
  },
}

const passwd: CommandDefinition = {
  words: ['account', 'passwd'],
  args: ['NAME'],
  options: { ...passwordStdin },
  usage: 'account passwd NAME --password-stdin < password',
  summary: "Set an account's password (S1/S2 rules apply) and end its sessions",
  async run(context) {
    requirePasswordStdin(context, passwd)
    const { args, dataDir, actor, output } = context
    const password = await context.readPassword()
    await withKeyhold(dataDir, { mustExist: true }, async (keyhold) => {
      const { username } = keyhold.accounts.getAccount(args[0]!)
      await keyhold.accounts.resetPassword(username, password, actor)
      output.result(
        { username, passwordChanged: true },
        `Set a new password for "${username}" and ended their sessions.`,
      )
    })
  },
}

export const accountCommands: readonly CommandDefinition[] = [
  create,
  list,
  show,
  disable,
  enable,
  remove,
  unlock,
  passwd,
]
