import type { z } from 'zod'
import { isMethodType, methodTypes, unhandledType } from '../../../shared/method-types'
import { serverMethodTraits } from '../../domain/method-traits'
import {
  beginEnrollmentSchema,
  mfaRequests,
  type BeginEnrollmentInput,
  type MethodView,
  type MfaOverview,
} from '../../../shared/mfa-schemas'
import { terminalQr } from '../../adapters/otp/qrcode-renderer'
import type { Keyhold } from '../../composition/open-keyhold'
import { isAppError } from '../../domain/app-error'
import type { AccountRecord } from '../../services/ports'
import { CliError, flagOption, stringOption, UsageError, type CommandContext, type CommandDefinition } from '../command'
import { withKeyhold } from '../open-data-dir'
import { formatFields, formatTable, orList, shortTime } from '../output'

/**
 * `keyhold mfa …`: an operator manages an account's sign-in methods. S15: the
 * CLI is a trusted channel (the OS user who owns the data folder and its
 * keychain entry), so no step-up; the services are called directly with the
 * account, and every change is audited as `cli:<os user>`. Input goes through
 * the same contract schemas the app's IPC router applies (S25).
 */

/** The account NAME names, or NOT_FOUND, worded as `account show` words it. */
export function requireAccount(keyhold: Keyhold, name: string): AccountRecord {
  const account = keyhold.deps.accounts.findByUsername(name)
  if (!account) throw new CliError('NOT_FOUND', `No account named "${name}"`)
  return account
}

/** Field names of the contract, as the CLI spells them (`accountSid` → `--account-sid`). */
export type OptionNames = Readonly<Record<string, string>>

function optionFor(field: string, names: OptionNames): string {
  return names[field] ?? names[field.split('.')[0]!] ?? field
}

/** Validates with a contract schema; VALIDATION names every bad option, e.g. `--email: Enter a valid email address`. */
export function checkInput<T extends z.ZodType>(schema: T, input: unknown, names: OptionNames): z.output<T> {
  const parsed = schema.safeParse(input)
  if (parsed.success) return parsed.data
  const problems = parsed.error.issues.map(
    (issue) => `${optionFor(issue.path.map(String).join('.'), names)}: ${issue.message}`,
  )
  throw new CliError('VALIDATION', [...new Set(problems)].join('; '))
}

/**
 * Runs a service call and rewords the VALIDATION errors it throws with their
 * field list in the CLI's option names (the app shows them beside its form fields).
 */
export async function withOptionNames<T>(names: OptionNames, call: () => Promise<T> | T): Promise<T> {
  try {
    return await call()
  } catch (error) {
    const fields = isAppError(error) && error.code === 'VALIDATION' ? error.extra.fields : undefined
    if (!fields || fields.length === 0) throw error
    throw new CliError('VALIDATION', fields.map((f) => `${optionFor(f.field, names)}: ${f.message}`).join('; '))
  }
}

/** One method as the CLI prints it: exactly these keys, in this order (issue 3's contract). */
export interface MethodJson {
  readonly id: number
  readonly type: MethodView['type']
  readonly label: string
  /** Masked, as the services give it: the operator sees what the account's owner sees. */
  readonly destination: string | null
  readonly preferred: boolean
  readonly createdAt: string
  readonly lastUsedAt: string | null
}

export function toMethodJson(view: MethodView): MethodJson {
  return {
    id: view.id,
    type: view.type,
    label: view.label,
    destination: view.destination,
    preferred: view.preferred,
    createdAt: view.createdAt,
    lastUsedAt: view.lastUsedAt,
  }
}

function describeMethod(view: MethodView): string {
  return `"${view.label}" (${serverMethodTraits[view.type].displayName.toLowerCase()}${view.destination ? `, ${view.destination}` : ''})`
}

function methodIdArg(value: string, command: CommandDefinition): number {
  const id = /^\d{1,15}$/.test(value) ? Number(value) : Number.NaN
  if (!Number.isSafeInteger(id) || id < 1) {
    throw new UsageError('METHOD_ID must be the number of a method, as "keyhold mfa list NAME" shows it', command)
  }
  return id
}

function describeOverview(username: string, overview: MfaOverview): string {
  if (overview.methods.length === 0) return `"${username}" has no sign-in methods: multi-factor authentication is off.`
  const table = formatTable(
    ['ID', 'TYPE', 'LABEL', 'DESTINATION', 'PREFERRED', 'ADDED', 'LAST USED'],
    overview.methods.map((m) => [
      String(m.id),
      m.type,
      m.label,
      m.destination ?? '-',
      m.preferred ? 'yes' : '',
      shortTime(m.createdAt),
      shortTime(m.lastUsedAt),
    ]),
  )
  const remaining = overview.recoveryCodesRemaining
  const codes = `${remaining} recovery ${remaining === 1 ? 'code' : 'codes'} left`
  // S12: say it when few are left, with the command that makes a new set.
  const warning = overview.recoveryCodesLow
    ? `\nOnly ${remaining} left: make a new set with "keyhold recovery regenerate ${username}".`
    : ''
  return `${table}\n\n${codes}.${warning}`
}

const list: CommandDefinition = {
  words: ['mfa', 'list'],
  args: ['NAME'],
  options: {},
  usage: 'mfa list NAME',
  summary: "List an account's sign-in methods (destinations masked) and its recovery codes left",
  async run({ args, dataDir, output }) {
    await withKeyhold(dataDir, { mustExist: true }, (keyhold) => {
      const account = requireAccount(keyhold, args[0]!)
      const overview = keyhold.services.methods.overview(account)
      output.result(
        { methods: overview.methods.map(toMethodJson), recoveryCodesRemaining: overview.recoveryCodesRemaining },
        describeOverview(account.username, overview),
      )
    })
  },
}

// ---- enrollment -------------------------------------------------------------------------------------------

const enrollOptionNames: OptionNames = {
  type: '--type',
  label: '--label',
  algorithm: '--algorithm',
  digits: '--digits',
  email: '--email',
  phone: '--phone',
}

function beginInput(context: CommandContext): BeginEnrollmentInput {
  const { options } = context
  const type = stringOption(options, 'type')
  const given = (name: string) => stringOption(options, name) !== undefined
  const refuse = (names: readonly string[], what: string) => {
    const wrong = names.find(given)
    if (wrong) throw new UsageError(`--${wrong} does not go with --type ${what}`, enrollBegin)
  }
  const label = stringOption(options, 'label')
  if (type === undefined) {
    throw new UsageError(`mfa enroll begin needs ${orList(methodTypes.map((t) => `--type ${t}`))}`, enrollBegin)
  }
  if (!isMethodType(type)) throw new UsageError(`--type must be ${orList(methodTypes)}, not "${type}"`, enrollBegin)
  switch (type) {
    case 'totp': {
      refuse(['email', 'phone'], 'totp')
      const digits = stringOption(options, 'digits')
      if (digits !== undefined && digits !== '6' && digits !== '8') {
        throw new CliError('VALIDATION', '--digits: an authenticator app shows 6 or 8 digits')
      }
      return checkInput(
        beginEnrollmentSchema,
        {
          type,
          label,
          algorithm: stringOption(options, 'algorithm'),
          digits: digits === undefined ? undefined : Number(digits),
        },
        enrollOptionNames,
      )
    }
    case 'email': {
      refuse(['phone', 'algorithm', 'digits'], 'email')
      const email = stringOption(options, 'email')
      if (email === undefined) throw new UsageError('--type email needs --email ADDRESS', enrollBegin)
      return checkInput(beginEnrollmentSchema, { type, email, label }, enrollOptionNames)
    }
    case 'sms': {
      refuse(['email', 'algorithm', 'digits'], 'sms')
      const phone = stringOption(options, 'phone')
      if (phone === undefined) throw new UsageError('--type sms needs --phone +NUMBER', enrollBegin)
      return checkInput(beginEnrollmentSchema, { type, phone, label }, enrollOptionNames)
    }
    default:
      return unhandledType(type)
  }
}

const enrollBegin: CommandDefinition = {
  words: ['mfa', 'enroll', 'begin'],
  args: ['NAME'],
  options: {
    type: { type: 'string' },
    label: { type: 'string' },
    algorithm: { type: 'string' },
    digits: { type: 'string' },
    email: { type: 'string' },
    phone: { type: 'string' },
  },
  usage:
    'mfa enroll begin NAME --type totp [--label TEXT] [--algorithm sha1|sha256|sha512] [--digits 6|8] | --type email --email ADDRESS | --type sms --phone +NUMBER',
  summary:
    'Start adding a method: totp prints a QR code and its key; email and sms send a code at once (the setup lasts 10 minutes)',
  async run(context) {
    const input = beginInput(context)
    const { args, dataDir, actor, output } = context
    await withKeyhold(dataDir, { mustExist: true }, async (keyhold) => {
      const account = requireAccount(keyhold, args[0]!)
      const view = await withOptionNames(enrollOptionNames, () =>
        keyhold.services.enrollment.begin(account, input, actor),
      )
      const next = `keyhold mfa enroll verify ${view.enrollmentId} --code CODE`
      if (view.totp) {
        const { totp } = view
        if (!output.json) {
          // The QR is drawn here, from trusted text, with ANSI colours (dark on light) that must reach the
          // terminal as they are: it goes out raw, not through result()'s control-character escaping.
          output.help(await terminalQr(totp.otpauthUri))
        }
        output.result(
          {
            enrollmentId: view.enrollmentId,
            type: view.type,
            otpauthUri: totp.otpauthUri,
            secret: totp.secret,
            expiresAt: view.expiresAt,
          },
          [
            `Scan the QR code with the authenticator app, or enter the key by hand:`,
            '',
            formatFields([
              ['Key', totp.secret.replace(/(.{4})(?=.)/g, '$1 ')],
              ['Account', `${keyhold.services.site.siteName()}:${account.username}`],
              ['Type', `time-based, ${totp.algorithm.toUpperCase()}, ${totp.digits} digits, every ${totp.period} s`],
              ['Setup id', view.enrollmentId],
              ['Expires', shortTime(view.expiresAt)],
            ]),
            '',
            `Then enter the code the app shows: ${next}`,
          ].join('\n'),
        )
        return
      }
      const code = view.code!
      output.result(
        {
          enrollmentId: view.enrollmentId,
          type: view.type,
          sentTo: code.sentTo,
          expiresAt: view.expiresAt,
          codeExpiresAt: code.expiresAt,
        },
        [
          `Sent a code to ${code.sentTo}.`,
          '',
          formatFields([
            ['Setup id', view.enrollmentId],
            ['Code expires', shortTime(code.expiresAt)],
            ['Resend from', shortTime(code.resendAvailableAt)],
          ]),
          '',
          `Enter it: ${next}`,
        ].join('\n'),
      )
    })
  },
}

/**
 * Enrollment ids are 128 random bits, unique across accounts; the services
 * look a setup up within one account, so the CLI (which is given only the id,
 * as the issue's syntax has it) first finds whose setup it is.
 */
function enrollmentOwner(keyhold: Keyhold, enrollmentId: string): AccountRecord {
  const ownerId = keyhold.deps.enrollments.ownerOf(enrollmentId)
  const account = ownerId === null ? null : keyhold.deps.accounts.findById(ownerId)
  if (!account) {
    throw new CliError(
      'NOT_FOUND',
      'No setup has this id; it may have expired (a setup lasts 10 minutes), been enabled or been cancelled',
      'Start again with: keyhold mfa enroll begin NAME --type …',
    )
  }
  return account
}

function checkEnrollmentId(value: string): string {
  return checkInput(mfaRequests.enrollmentId, { enrollmentId: value }, { enrollmentId: 'ID' }).enrollmentId
}

const enrollSend: CommandDefinition = {
  words: ['mfa', 'enroll', 'send'],
  args: ['ID'],
  options: {},
  usage: 'mfa enroll send ID',
  summary: 'Send a new code for an email or sms setup (the old code stops working; one per minute)',
  async run({ args, dataDir, actor, output }) {
    const enrollmentId = checkEnrollmentId(args[0]!)
    await withKeyhold(dataDir, { mustExist: true }, async (keyhold) => {
      const account = enrollmentOwner(keyhold, enrollmentId)
      const sent = await keyhold.services.enrollment.resend(account, enrollmentId, actor)
      output.result(
        { enrollmentId, sentTo: sent.sentTo, expiresAt: sent.expiresAt, resendAvailableAt: sent.resendAvailableAt },
        `Sent a new code to ${sent.sentTo}; it expires at ${shortTime(sent.expiresAt)}.`,
      )
    })
  },
}

const enrollVerify: CommandDefinition = {
  words: ['mfa', 'enroll', 'verify'],
  args: ['ID'],
  options: { code: { type: 'string' } },
  usage: 'mfa enroll verify ID --code CODE',
  summary: 'Check the code of a setup; the first method also gets 10 recovery codes, printed once',
  async run({ args, options, dataDir, actor, output }) {
    const enrollmentId = checkEnrollmentId(args[0]!)
    const rawCode = stringOption(options, 'code')
    if (rawCode === undefined) throw new UsageError('mfa enroll verify needs --code CODE', enrollVerify)
    const { code } = checkInput(mfaRequests.verifyEnrollment, { enrollmentId, code: rawCode }, { code: '--code' })
    await withKeyhold(dataDir, { mustExist: true }, async (keyhold) => {
      const account = enrollmentOwner(keyhold, enrollmentId)
      const result = await keyhold.services.enrollment.verify(account, enrollmentId, code, actor)
      const enable = `keyhold mfa enroll enable ${enrollmentId}`
      const human =
        result.recoveryCodes === null
          ? `The code is right. Make the method active with: ${enable}`
          : [
              `The code is right. "${account.username}" gets these recovery codes, shown only now;`,
              'each works once, if the other methods are lost. They become valid when the method is enabled.',
              '',
              ...result.recoveryCodes.map((c) => `  ${c}`),
              '',
              `Hand them to the account's owner, then make the method active with: ${enable}`,
            ].join('\n')
      output.result({ enrollmentId: result.enrollmentId, recoveryCodes: result.recoveryCodes }, human)
    })
  },
}

const enrollEnable: CommandDefinition = {
  words: ['mfa', 'enroll', 'enable'],
  args: ['ID'],
  options: {},
  usage: 'mfa enroll enable ID',
  summary: "Make a verified setup an active method (the first one becomes preferred); ends the account's sessions",
  async run({ args, dataDir, actor, output }) {
    const enrollmentId = checkEnrollmentId(args[0]!)
    await withKeyhold(dataDir, { mustExist: true }, async (keyhold) => {
      const account = enrollmentOwner(keyhold, enrollmentId)
      // The operator running this command is the "I have saved these codes" confirmation: verify printed them.
      const view = await keyhold.services.enrollment.enable(account, enrollmentId, true, actor)
      output.result(
        toMethodJson(view),
        `Enabled ${describeMethod(view)} for "${account.username}" as method ${view.id}${view.preferred ? '; it is the preferred method' : ''}.`,
      )
    })
  },
}

const enrollCancel: CommandDefinition = {
  words: ['mfa', 'enroll', 'cancel'],
  args: ['ID'],
  options: {},
  usage: 'mfa enroll cancel ID',
  summary: 'Abandon a setup: its code and any recovery codes it made are deleted',
  async run({ args, dataDir, actor, output }) {
    const enrollmentId = checkEnrollmentId(args[0]!)
    await withKeyhold(dataDir, { mustExist: true }, (keyhold) => {
      const account = enrollmentOwner(keyhold, enrollmentId)
      keyhold.services.enrollment.cancel(account, enrollmentId, actor)
      output.result({ cancelled: enrollmentId }, `Cancelled the setup for "${account.username}"; nothing was added.`)
    })
  },
}

// ---- managing methods -------------------------------------------------------------------------------------

const preferred: CommandDefinition = {
  words: ['mfa', 'preferred'],
  args: ['NAME', 'METHOD_ID'],
  options: {},
  usage: 'mfa preferred NAME METHOD_ID',
  summary: 'Make a method the one offered first at sign-in',
  async run({ args, dataDir, actor, output }) {
    const methodId = methodIdArg(args[1]!, preferred)
    await withKeyhold(dataDir, { mustExist: true }, async (keyhold) => {
      const account = requireAccount(keyhold, args[0]!)
      const view = await keyhold.services.methods.setPreferred(account, methodId, actor)
      output.result(toMethodJson(view), `${describeMethod(view)} is now the preferred method of "${account.username}".`)
    })
  },
}

const rename: CommandDefinition = {
  words: ['mfa', 'rename'],
  args: ['NAME', 'METHOD_ID', 'LABEL'],
  options: {},
  usage: 'mfa rename NAME METHOD_ID LABEL',
  summary: 'Rename a method (1 to 64 characters)',
  async run({ args, dataDir, actor, output }) {
    const methodId = methodIdArg(args[1]!, rename)
    const { label } = checkInput(mfaRequests.rename, { methodId, label: args[2]! }, { label: 'LABEL' })
    await withKeyhold(dataDir, { mustExist: true }, (keyhold) => {
      const account = requireAccount(keyhold, args[0]!)
      const view = keyhold.services.methods.rename(account, methodId, label, actor)
      output.result(toMethodJson(view), `Renamed method ${view.id} of "${account.username}" to "${view.label}".`)
    })
  },
}

const remove: CommandDefinition = {
  words: ['mfa', 'remove'],
  args: ['NAME', 'METHOD_ID'],
  options: { 'new-password-stdin': { type: 'boolean' } },
  usage: 'mfa remove NAME METHOD_ID [--new-password-stdin < password]',
  summary:
    'Remove a method; removing the last one turns MFA off and deletes the recovery codes (S1: a short password must then be replaced)',
  async run(context) {
    const { args, dataDir, actor, output } = context
    const methodId = methodIdArg(args[1]!, remove)
    const withPassword = flagOption(context.options, 'new-password-stdin')
    const newPassword = withPassword ? await context.readPassword() : undefined
    await withKeyhold(dataDir, { mustExist: true }, async (keyhold) => {
      const account = requireAccount(keyhold, args[0]!)
      const before = keyhold.services.methods.overview(account).methods
      if (withPassword && before.length > 1 && before.some((m) => m.id === methodId)) {
        // The service would ignore it; a password piped in for nothing should not pass silently.
        throw new CliError(
          'VALIDATION',
          '--new-password-stdin is only for removing the last method; the password was not changed',
        )
      }
      let result: { mfaEnabled: boolean }
      try {
        result = await keyhold.services.methods.remove(account, methodId, newPassword, actor)
      } catch (error) {
        if (isAppError(error) && error.code === 'WEAK_PASSWORD' && newPassword === undefined) {
          throw new CliError(
            'WEAK_PASSWORD',
            `${error.message} (S1: without a second factor the password of "${account.username}" is too short)`,
            `Pipe in a new password: keyhold mfa remove ${account.username} ${methodId} --new-password-stdin`,
          )
        }
        throw error
      }
      const gone = before.find((m) => m.id === methodId)
      output.result(
        { removed: methodId, mfaEnabled: result.mfaEnabled },
        [
          `Removed ${gone ? describeMethod(gone) : `method ${methodId}`} from "${account.username}".`,
          ...(result.mfaEnabled
            ? []
            : [
                `"${account.username}" has no methods left: MFA is off and the recovery codes are deleted${newPassword === undefined ? '' : '; the new password is set'}.`,
              ]),
        ].join('\n'),
      )
    })
  },
}

const reset: CommandDefinition = {
  words: ['mfa', 'reset'],
  args: ['NAME'],
  options: {},
  usage: 'mfa reset NAME',
  summary:
    'Admin reset: remove every method, pending setup and recovery code of an account, and end its sessions (audited)',
  async run({ args, dataDir, actor, output }) {
    await withKeyhold(dataDir, { mustExist: true }, async (keyhold) => {
      const account = requireAccount(keyhold, args[0]!)
      const { removed } = await keyhold.services.methods.reset(account, actor)
      output.result(
        { username: account.username, removed },
        `Removed ${removed} ${removed === 1 ? 'method' : 'methods'} and the recovery codes of "${account.username}": MFA is off.`,
      )
    })
  },
}

export const mfaCommands: readonly CommandDefinition[] = [
  list,
  enrollBegin,
  enrollSend,
  enrollVerify,
  enrollEnable,
  enrollCancel,
  preferred,
  rename,
  remove,
  reset,
]
