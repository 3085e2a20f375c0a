/**
 * The operator CLI as a function, with no side effect on import: out/main/cli.js (index.ts) runs it
 * on Node, and the packaged app runs it for `Keyhold --cli`.
 */
import { userInfo } from 'node:os'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { version } from '../../../package.json'
import { defaultDataDir } from '../adapters/system/data-dir'
import { isAppError } from '../domain/app-error'
import { CliError, stringOption, UsageError, type CommandDefinition, type OptionValues } from './command'
import { accountCommands } from './commands/account'
import { accountAdminCommands, coverageCommands } from './commands/account-admin'
import { auditCommands } from './commands/audit'
import { authCommand } from './commands/auth'
import { backupCommands } from './commands/backup'
import { contactCommand } from './commands/contact'
import { importExportCommands } from './commands/import-export'
import { initCommand } from './commands/init'
import { mfaCommands } from './commands/mfa'
import { policyCommands } from './commands/policy'
import { providerCommands } from './commands/provider'
import { recoveryCommands } from './commands/recovery'
import { settingsCommands } from './commands/settings'
import { vaultCommands } from './commands/vault'
import { setNativeBinding } from './open-data-dir'
import { createOutput, type Output } from './output'
import { readPassword } from './read-stdin'
import { commandHelp, commandList, generalHelp, groupHelp, usageLine } from './usage'

/**
 * The operator CLI (`keyhold …`, `npm run cli -- …`), built as out/main/cli.js.
 * It runs on plain Node: nothing here imports electron. It parses the command
 * line, runs one command against the services, and turns the outcome into an
 * exit status: 0 success, 1 failure, 2 usage error.
 */
const commands: readonly CommandDefinition[] = [
  initCommand,
  ...accountCommands,
  ...accountAdminCommands,
  ...importExportCommands,
  contactCommand,
  ...mfaCommands,
  ...recoveryCommands,
  ...providerCommands,
  ...settingsCommands,
  ...policyCommands,
  ...auditCommands,
  ...coverageCommands,
  ...vaultCommands,
  ...backupCommands,
  authCommand,
]

const globalOptions = {
  'data-dir': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const

/** The arguments before a `--`, where options can be. */
function optionZone(argv: readonly string[]): readonly string[] {
  const end = argv.indexOf('--')
  return end === -1 ? argv : argv.slice(0, end)
}

/**
 * The first words that are not options: `account list`, `help account show`.
 * Command words come before the command's own options; the global ones
 * (--data-dir, --json, --help) may go anywhere.
 */
function leadingWords(argv: readonly string[]): string[] {
  const words: string[] = []
  for (let i = 0; i < argv.length && words.length < 4; i += 1) {
    const arg = argv[i]!
    if (arg === '--') {
      words.push(...argv.slice(i + 1, i + 5 - words.length))
      break
    }
    if (arg.startsWith('-') && arg !== '-') {
      if (arg === '--data-dir') i += 1
      continue
    }
    words.push(arg)
  }
  return words
}

function findCommand(words: readonly string[]): CommandDefinition {
  const found = commands.find((c) => c.words.every((word, i) => words[i] === word))
  if (found) return found
  if (words[0] === undefined) throw new UsageError('no command given')
  // The deepest group the words name: `mfa enroll` lists begin, send, …; `mfa` lists list, enroll, preferred, ….
  for (let depth = Math.min(words.length, 2); depth >= 1; depth -= 1) {
    const prefix = words.slice(0, depth)
    const group = commands.filter((c) => c.words.length > depth && prefix.every((word, i) => c.words[i] === word))
    if (group.length === 0) continue
    const name = prefix.join(' ')
    const verbs = [...new Set(group.map((c) => c.words[depth]))].join(', ')
    const next = words[depth]
    throw new UsageError(
      next === undefined
        ? `"${name}" needs a command: ${verbs}`
        : `unknown command "${name} ${next}"; "${name}" commands are: ${verbs}`,
    )
  }
  throw new UsageError(`unknown command "${words[0]}"`)
}

function helpFor(topic: readonly string[]): string {
  if (topic.length === 0) return generalHelp(commands, version)
  const group = commands.filter((c) => topic.every((word, i) => c.words[i] === word))
  const exact = group.find((c) => c.words.length === topic.length)
  if (exact) return commandHelp(exact)
  if (group.length > 0) return groupHelp(group)
  throw new UsageError(`no help for "${topic.join(' ')}": no such command`)
}

/** node:util's parse errors, reworded; the command's usage is printed after them. */
function parseFailure(error: unknown, command: CommandDefinition): UsageError {
  const text = error instanceof Error ? error.message.split('\n')[0]! : String(error)
  const option = /'(--?[^' ]+)/.exec(text)?.[1]
  if (option === '--password' || option === '-p') {
    return new UsageError(
      'passwords are never taken from the command line; use --password-stdin and pipe it in',
      command,
    )
  }
  if (option === '--auth-token' || option === '--new-password') {
    return new UsageError(`secrets are never taken from the command line; use ${option}-stdin and pipe it in`, command)
  }
  const code = (error as { code?: unknown }).code
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) {
    return new UsageError(`unknown option ${option} for "${command.words.join(' ')}"`, command)
  }
  if (/ambiguous|argument missing/.test(text) && option) return new UsageError(`${option} needs a value`, command)
  return new UsageError(text.replace(/\.$/, ''), command)
}

function osUser(): string {
  try {
    return userInfo().username
  } catch {
    // No passwd entry for this uid (some containers): the uid still says who it was.
    return process.env.USER ?? process.env.LOGNAME ?? `uid-${process.getuid?.() ?? 'unknown'}`
  }
}

export interface RunCliOptions {
  /** Inside Electron (`Keyhold --cli`): the Electron build of better-sqlite3. */
  readonly nativeBinding?: string | undefined
}

export async function runCli(argv: readonly string[], output?: Output, options: RunCliOptions = {}): Promise<number> {
  setNativeBinding(options.nativeBinding)
  const zone = optionZone(argv)
  const out = output ?? createOutput(zone.includes('--json'))
  try {
    if (zone.includes('--version')) {
      out.result({ version }, `keyhold ${version}`)
      return 0
    }
    const words = leadingWords(argv)
    const wantsHelp = zone.includes('--help') || zone.includes('-h')
    if (words[0] === 'help') {
      out.help(helpFor(words.slice(1)))
      return 0
    }
    if (words.length === 0 && wantsHelp) {
      out.help(helpFor([]))
      return 0
    }
    const command = findCommand(words)
    let parsed: { values: OptionValues; positionals: string[] }
    try {
      parsed = parseArgs({
        args: [...argv],
        options: { ...globalOptions, ...command.options },
        strict: true,
        allowPositionals: true,
      }) as { values: OptionValues; positionals: string[] }
    } catch (error) {
      throw parseFailure(error, command)
    }
    if (parsed.values.help === true) {
      out.help(commandHelp(command))
      return 0
    }
    const args = parsed.positionals.slice(command.words.length)
    // Arguments written `[NAME]` are optional; they come after the required ones.
    const required = command.args.filter((name) => !name.startsWith('[')).length
    if (args.length < required) throw new UsageError(`missing ${command.args[args.length]}`, command)
    // The extra words are not repeated back: a password typed as an argument by mistake should not spread further.
    if (args.length > command.args.length) throw new UsageError('too many arguments', command)
    const dataDirOption = stringOption(parsed.values, 'data-dir')
    if (dataDirOption === '') throw new UsageError('--data-dir needs a folder', command)
    await command.run({
      args,
      options: parsed.values,
      dataDir: dataDirOption === undefined ? defaultDataDir() : resolve(dataDirOption),
      actor: `cli:${osUser()}`,
      output: out,
      readPassword: async () => {
        try {
          return await readPassword()
        } catch (error) {
          // An empty stdin is a usage error of this command: show its usage.
          throw error instanceof UsageError && !error.command ? new UsageError(error.message, command) : error
        }
      },
    })
    return 0
  } catch (error) {
    return reportFailure(error, out)
  }
}

function reportFailure(error: unknown, out: Output): number {
  if (error instanceof UsageError) {
    out.failure({
      code: 'USAGE',
      message: error.message,
      usage: error.command
        ? `${usageLine(error.command)}\nRun "keyhold help" for all commands.`
        : commandList(commands),
    })
    return 2
  }
  if (error instanceof CliError) {
    out.failure({ code: error.code, message: error.message, fix: error.fix, report: error.report })
    return error.exitCode
  }
  if (isAppError(error)) {
    out.failure({ code: error.code, message: error.message })
    return 1
  }
  // A programmer error. The operator owns this data, so the message helps more than it leaks;
  // no command puts a password into an error.
  out.failure({
    code: 'INTERNAL',
    message: `Something went wrong inside Keyhold: ${error instanceof Error ? error.message : String(error)}`,
  })
  return 1
}
