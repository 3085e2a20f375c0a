import { CliError, UsageError } from './command'

/**
 * Passwords reach the CLI only through stdin, never argv: argv is visible to
 * every local user in `ps` and lands in shell history. From a pipe or a file the
 * whole input is the password, minus ONE trailing newline (`\n` or `\r\n`) that
 * `echo` or a text editor adds; nothing else is trimmed, so a password may
 * begin or end with spaces. On a terminal it is asked for twice, without echo.
 */
export interface PasswordInput {
  readonly stdin: NodeJS.ReadStream
  readonly stderr: NodeJS.WriteStream
}

export async function readPassword(
  io: PasswordInput = { stdin: process.stdin, stderr: process.stderr },
): Promise<string> {
  if (io.stdin.isTTY) {
    const first = await promptHidden(io, 'New password: ')
    if (first === '') throw new UsageError('no password given')
    const second = await promptHidden(io, 'Repeat the password: ')
    if (first !== second) throw new CliError('VALIDATION', 'The two passwords do not match')
    return first
  }
  const chunks: Buffer[] = []
  for await (const chunk of io.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer))
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks))
  } catch {
    throw new UsageError('the password on stdin is not valid UTF-8')
  }
  const password = stripOneNewline(text)
  if (password === '') throw new UsageError('no password on stdin (pipe it in, e.g. from a password manager)')
  return password
}

export function stripOneNewline(text: string): string {
  if (text.endsWith('\r\n')) return text.slice(0, -2)
  if (text.endsWith('\n')) return text.slice(0, -1)
  return text
}

/** Reads one line from the terminal in raw mode, so nothing typed is echoed. */
export function promptHidden({ stdin, stderr }: PasswordInput, question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let typed = ''
    const finish = () => {
      stdin.off('data', onData)
      stdin.setRawMode(false)
      stdin.pause()
      stderr.write('\n')
    }
    const onData = (chunk: Buffer | string) => {
      for (const char of chunk.toString()) {
        if (char === '\r' || char === '\n' || char === '\u0004') {
          finish()
          resolve(typed)
          return
        }
        if (char === '\u0003') {
          finish()
          reject(new CliError('CANCELLED', 'Cancelled; nothing was changed'))
          return
        }
        if (char === '\u007f' || char === '\b') typed = [...typed].slice(0, -1).join('')
        else typed += char
      }
    }
    stderr.write(question)
    stdin.setRawMode(true)
    stdin.on('data', onData)
    stdin.resume()
  })
}
