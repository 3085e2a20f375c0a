import type { ErrorCode } from '../../shared/errors'
import type { AppProblem } from '../../shared/schemas'
import type { Output } from './output'

/**
 * What every CLI command is made of: the words that name it, its positional
 * arguments and options (for node:util parseArgs), its one-line usage, and the
 * function that runs it. Commands throw; the entry turns errors into exit codes.
 */
export interface OptionSpec {
  readonly type: 'string' | 'boolean'
  readonly short?: string
  /** May be given more than once (`--header A --header B`); its value is then a list. */
  readonly multiple?: boolean
}

export type OptionValues = Readonly<Record<string, string | boolean | readonly string[] | undefined>>

export interface CommandContext {
  /** Positional arguments after the command words, as many as `args` names. */
  readonly args: readonly string[]
  readonly options: OptionValues
  /** Absolute: from --data-dir, KEYHOLD_DATA_DIR, or the app's own default. */
  readonly dataDir: string
  /** S15: the CLI needs no step-up, and every change is audited as `cli:<os user>`. */
  readonly actor: string
  readonly output: Output
  /** The password from stdin (or a hidden prompt on a terminal); never from argv. */
  readonly readPassword: () => Promise<string>
}

export interface CommandDefinition {
  readonly words: readonly string[]
  readonly args: readonly string[]
  readonly options: Readonly<Record<string, OptionSpec>>
  /** After `keyhold `, e.g. `account show NAME`. */
  readonly usage: string
  readonly summary: string
  run(context: CommandContext): Promise<void>
}

/** Codes the CLI prints: the contract's, the startup problems', and its own. */
export type CliErrorCode =
  | ErrorCode
  | AppProblem['code']
  | 'USAGE'
  | 'AUDIT_CHAIN_BROKEN'
  | 'CANCELLED'
  | 'MFA_NOT_SET_UP'
  | 'DATA_DIR_IN_USE'
  | 'BACKUP_INVALID'
  | 'WRONG_PASSPHRASE'
  | 'INVALID_DEFAULTS'

/** An expected failure (exit 1), with an optional line that says how to fix it. */
export class CliError extends Error {
  constructor(
    readonly code: CliErrorCode,
    message: string,
    readonly fix?: string,
    /** Printed with the error in --json mode (e.g. the partial `vault status`). */
    readonly report?: Readonly<Record<string, unknown>>,
    /** Another exit status than 1, for commands that promise more (`keyhold auth`: 3 locked, 4 no MFA). */
    readonly exitCode: number = 1,
  ) {
    super(message)
    this.name = 'CliError'
  }
}

/** A malformed command line (exit 2); the entry prints the command's usage with it. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: CommandDefinition,
  ) {
    super(message)
    this.name = 'UsageError'
  }
}

export function stringOption(options: OptionValues, name: string): string | undefined {
  const value = options[name]
  return typeof value === 'string' ? value : undefined
}

/** Every value of an option declared with `multiple: true`, in command-line order. */
export function stringsOption(options: OptionValues, name: string): readonly string[] {
  const value = options[name]
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string')
  return typeof value === 'string' ? [value] : []
}

export function flagOption(options: OptionValues, name: string): boolean {
  return options[name] === true
}
