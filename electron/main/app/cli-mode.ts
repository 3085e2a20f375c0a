/**
 * `Keyhold --cli <command> …`: the operator CLI inside an installed app.
 *
 * A packaged Keyhold has no Node to run out/main/cli.js with (the RunAsNode fuse is off, S24), so the
 * app answers the CLI itself: same commands, same output, same exit status as `npm run cli`, and no
 * window, no single-instance lock, no protocol, no IPC. The Linux launcher (/usr/bin/keyhold) runs
 * `keyhold --ozone-platform=headless --disable-gpu --cli -- "$@"`.
 */
export const cliSwitch = '--cli'

/**
 * The CLI's arguments when this process was started with `--cli`, else null. `argv[0]` is the
 * executable; in development `argv[1]` is the app folder (`electron . --cli …`), which is not a switch
 * and is skipped like any other argument before `--cli`. Chromium stops reading switches at `--`, and
 * so does this: a `--cli` after it is an argument, not the mode. One `--` right after `--cli` (the
 * launcher's) ends Chromium's switches and is not passed on.
 */
export function cliArguments(argv: readonly string[]): string[] | null {
  for (let i = 1; i < argv.length; i += 1) {
    const arg = argv[i]
    if (arg === '--') return null
    if (arg === cliSwitch) {
      const rest = argv.slice(i + 1)
      return rest[0] === '--' ? rest.slice(1) : rest
    }
  }
  return null
}

/** A stream the CLI writes to; `write('', done)` calls back once everything written before it is out. */
export interface FlushableStream {
  write(chunk: string, callback: (error?: Error | null) => void): boolean
}

export interface CliModeOptions {
  readonly args: readonly string[]
  /** The CLI's entry: runs one command and resolves to its exit status (0, 1 or 2). */
  readonly run: (args: readonly string[]) => Promise<number>
  /** `app.exit`: ends the process at once, without 'before-quit' or windows. */
  readonly exit: (code: number) => void
  readonly stdout: FlushableStream
  readonly stderr: FlushableStream
}

function flush(stream: FlushableStream): Promise<void> {
  return new Promise((resolve) => {
    try {
      stream.write('', () => resolve())
    } catch {
      // A closed stream has nothing left to flush.
      resolve()
    }
  })
}

/**
 * Runs the CLI and exits with its status. Output is flushed first: on macOS and Windows a pipe is
 * written asynchronously, and `app.exit` would cut off whatever is still queued (`keyhold … --json | jq`).
 * A CLI that throws (it should not: it turns errors into statuses) exits 1 with the error on stderr.
 */
export async function runCliMode(options: CliModeOptions): Promise<number> {
  let code: number
  try {
    code = await options.run(options.args)
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error)
    options.stderr.write(`error: INTERNAL: Keyhold could not run the command: ${text}\n`, () => {})
    code = 1
  }
  await Promise.all([flush(options.stdout), flush(options.stderr)])
  options.exit(code)
  return code
}
