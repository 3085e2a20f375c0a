import { describe, expect, it, vi } from 'vitest'
import { cliArguments, runCliMode, type FlushableStream } from '../../../electron/main/app/cli-mode'

/** A stream that records what was written and calls back only when the test flushes it. */
function stream() {
  const written: string[] = []
  const pending: (() => void)[] = []
  const s: FlushableStream & { written: string[]; drain(): void } = {
    written,
    write: (chunk, callback) => {
      written.push(chunk)
      pending.push(() => callback())
      return true
    },
    drain: () => {
      for (const done of pending.splice(0)) done()
    },
  }
  return s
}

describe('--cli on the command line', () => {
  it.each([
    [['/opt/Keyhold/keyhold'], null],
    [['/opt/Keyhold/keyhold', '--no-sandbox'], null],
    [['/opt/Keyhold/keyhold', '--cli'], []],
    [
      ['/opt/Keyhold/keyhold', '--cli', 'account', 'list', '--json'],
      ['account', 'list', '--json'],
    ],
    // The Linux launcher: Chromium switches first, then `--cli --`, then the operator's words.
    [
      ['/opt/Keyhold/keyhold', '--ozone-platform=headless', '--disable-gpu', '--cli', '--', 'vault', 'status'],
      ['vault', 'status'],
    ],
    // Only the launcher's `--` is removed; the operator's own `--` reaches the CLI.
    [
      ['keyhold', '--cli', '--', '--', 'x'],
      ['--', 'x'],
    ],
    // Development: `electron . --cli …`.
    [['/node_modules/electron/dist/electron', '.', '--cli', 'help'], ['help']],
    // After Chromium's `--`, `--cli` is an argument, not the mode.
    [['keyhold', '--', '--cli', 'x'], null],
    // argv[0] is the executable, never the switch.
    [['--cli'], null],
  ])('%j → %j', (argv, expected) => {
    expect(cliArguments(argv)).toEqual(expected)
  })
})

describe('running the CLI inside the app', () => {
  it('forwards the arguments and exits with the CLI status once the output is flushed', async () => {
    const stdout = stream()
    const stderr = stream()
    const exit = vi.fn()
    const run = vi.fn(async (args: readonly string[]) => {
      stdout.written.push(`ran ${args.join(' ')}`)
      return 2
    })
    const done = runCliMode({ args: ['account', 'show', 'bob'], run, exit, stdout, stderr })
    await vi.waitFor(() => expect(run).toHaveBeenCalledWith(['account', 'show', 'bob']))
    // It asks both streams to flush, and waits: app.exit before the pipes drain would cut off queued output.
    await vi.waitFor(() => {
      expect(stdout.written).toContain('')
      expect(stderr.written).toContain('')
    })
    expect(exit).not.toHaveBeenCalled()
    stdout.drain()
    stderr.drain()
    expect(await done).toBe(2)
    expect(exit).toHaveBeenCalledWith(2)
    expect(exit).toHaveBeenCalledTimes(1)
  })

  it('exits 1 with the reason on stderr when the CLI cannot run at all', async () => {
    const stdout = stream()
    const stderr = stream()
    const exit = vi.fn()
    const done = runCliMode({
      args: ['vault', 'status'],
      run: async () => {
        throw new Error('The better-sqlite3 binary built for Electron is missing')
      },
      exit,
      stdout,
      stderr,
    })
    await vi.waitFor(() => expect(stderr.written.length).toBeGreaterThan(0))
    stdout.drain()
    stderr.drain()
    expect(await done).toBe(1)
    expect(exit).toHaveBeenCalledWith(1)
    expect(stderr.written[0]).toBe(
      'error: INTERNAL: Keyhold could not run the command: The better-sqlite3 binary built for Electron is missing\n',
    )
  })

  it('still exits when a stream is already closed', async () => {
    const broken: FlushableStream = {
      write: () => {
        throw new Error('write after end')
      },
    }
    const exit = vi.fn()
    expect(await runCliMode({ args: [], run: async () => 0, exit, stdout: broken, stderr: broken })).toBe(0)
    expect(exit).toHaveBeenCalledWith(0)
  })
})
