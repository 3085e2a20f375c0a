import type { CommandDefinition } from './command'

/** Help and usage text. Every usage error prints the usage of the command it concerns. */
export const programName = 'keyhold'

export const globalOptionsHelp = [
  'Options for every command:',
  '  --data-dir DIR  the data folder (default: $KEYHOLD_DATA_DIR, else the one the app uses)',
  '  --json          print the result as one JSON document on stdout',
  '  -h, --help      show help for the command',
].join('\n')

const passwordHelp = [
  'Passwords and other secrets (an SMTP or Kannel password, a Twilio auth token, a secret header) are read',
  'from stdin, never from the command line (a terminal asks for them without echo):',
  `  printf '%s\\n' "$NEW_PASSWORD" | ${programName} account passwd alice --password-stdin`,
].join('\n')

export function usageLine(command: CommandDefinition): string {
  return `usage: ${programName} ${command.usage}`
}

export function commandHelp(command: CommandDefinition): string {
  return groupHelp([command])
}

/** Several commands (`keyhold help account`): each usage and summary, then the shared options once. */
export function groupHelp(commands: readonly CommandDefinition[]): string {
  return [...commands.flatMap((c) => [usageLine(c), `  ${c.summary}`]), '', globalOptionsHelp].join('\n')
}

export function generalHelp(commands: readonly CommandDefinition[], version: string): string {
  return [
    `Keyhold ${version}: the operator command line`,
    '',
    `usage: ${programName} COMMAND [OPTIONS]`,
    '',
    'Commands:',
    ...commands.flatMap((c) => [`  ${c.usage}`, `      ${c.summary}`]),
    `  help [COMMAND]`,
    `      Show this help, or the help of one command`,
    '',
    globalOptionsHelp,
    '  --version       print the version',
    '',
    passwordHelp,
    '',
    'Exit status: 0 on success, 1 on failure, 2 on a usage error;',
    `"${programName} auth" also exits 3 when the account is locked out and 4 when MFA is required but not set up.`,
  ].join('\n')
}

/** The short list printed after an unknown or missing command. */
export function commandList(commands: readonly CommandDefinition[]): string {
  return [
    `usage: ${programName} COMMAND [OPTIONS]; commands:`,
    ...commands.map((c) => `  ${programName} ${c.usage}`),
    `Run "${programName} help" for details.`,
  ].join('\n')
}
