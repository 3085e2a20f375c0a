import { CliError, UsageError } from './command'
import { promptHidden, stripOneNewline } from './read-stdin'

/**
 * stdin for the commands that read more than one password: `keyhold auth`
 * (a password, then a code), `backup` and `restore` (a passphrase), and
 * `policy set` (a JSON document). Secrets never come from argv (ps, shell
 * history). From a pipe, lines are split on `\n` (a `\r` before it is dropped);
 * nothing else is trimmed from a password. On a terminal, each secret is asked
 * for without echo.
 */
export interface LineInput {
  readonly stdin: NodeJS.ReadStream
  readonly stderr: NodeJS.WriteStream
}

const processInput = (): LineInput => ({ stdin: process.stdin, stderr: process.stderr })

/** All of stdin as UTF-8 text (a pipe or a file; a terminal is read to Ctrl-D). */
export async function readStdinText(io: LineInput = processInput(), what = 'the input'): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of io.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer))
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks))
  } catch {
    throw new UsageError(`${what} on stdin is not valid UTF-8`)
  }
}

/**
 * Up to `prompts.length` lines: on a terminal, one hidden prompt each; from a
 * pipe, the lines of stdin. Lines after the last wanted one must be empty, so
 * a mistake in what is piped in is refused, not half used.
 */
export async function readSecretLines(prompts: readonly string[], io: LineInput = processInput()): Promise<string[]> {
  if (io.stdin.isTTY) {
    const answers: string[] = []
    for (const prompt of prompts) answers.push(await promptHidden(io, prompt))
    return answers
  }
  const lines = stripOneNewline(await readStdinText(io, 'the input')).split('\n')
  const wanted = lines.slice(0, prompts.length).map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l))
  if (lines.slice(prompts.length).some((l) => l.replace(/\r$/, '') !== '')) {
    throw new UsageError(`expected at most ${prompts.length} lines on stdin`)
  }
  return wanted
}

/** A passphrase: on a terminal asked for (twice when `confirm`); from a pipe the whole input minus one newline. */
export async function readPassphrase(
  options: { readonly confirm: boolean },
  io: LineInput = processInput(),
): Promise<string> {
  if (io.stdin.isTTY) {
    const first = await promptHidden(io, 'Backup passphrase: ')
    if (first === '') throw new UsageError('no passphrase given')
    if (options.confirm && (await promptHidden(io, 'Repeat the passphrase: ')) !== first) {
      throw new CliError('VALIDATION', 'The two passphrases do not match')
    }
    return first
  }
  const passphrase = stripOneNewline(await readStdinText(io, 'the passphrase'))
  if (passphrase === '') throw new UsageError('no passphrase on stdin (pipe it in, e.g. from a password manager)')
  return passphrase
}
