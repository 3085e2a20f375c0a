import { renameSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { appendPrivateFile, ensurePrivateDir } from '../adapters/system/private-files'
import type { Clock } from '../services/ports'

/**
 * The app's log file in the data folder (keyhold.log, then keyhold.log.1 … when it grows), for an
 * administrator looking into a problem on a machine without a console.
 *
 * What it holds: start-up and shutdown, problems opening the data folder, internal errors by channel,
 * and failures of the desktop glue. What it never holds: anything a user typed or received — passwords,
 * codes, recovery codes, otpauth URIs, request payloads. Callers pass a fixed message and, at most, an
 * error; nothing here ever sees an IPC input. Each entry is one line: newlines and other control
 * characters are escaped, so no message can forge a line of its own.
 */
export const logFileName = 'keyhold.log'

export type LogLevel = 'info' | 'warn' | 'error'

export interface Logger {
  info(message: string): void
  warn(message: string): void
  error(message: string, error?: unknown): void
}

export interface RotatingLogOptions {
  readonly dir: string
  readonly clock: Clock
  /** Rotate before a line would take the file past this size. Default 1 MiB. */
  readonly maxBytes?: number
  /** Files kept, the current one included (keyhold.log, .1, .2). Default 3. */
  readonly maxFiles?: number
  /** Also written here (the terminal in development); default: nowhere. */
  readonly echo?: (line: string) => void
}

/** The longest entry; a longer one (a huge stack) is cut, so one error cannot flush the history. */
const maxLineLength = 8 * 1024

/** One log line: escaped control characters, bounded length, newline-terminated. */
export function formatLogLine(time: number, level: LogLevel, message: string): string {
  // eslint-disable-next-line no-control-regex -- the point is to find control characters
  const escaped = message.replace(/[\u0000-\u001f\u007f]/g, (c) =>
    c === '\n' ? '\\n' : c === '\t' ? '\\t' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  )
  const text = escaped.length > maxLineLength ? `${escaped.slice(0, maxLineLength)}…` : escaped
  return `${new Date(time).toISOString()} ${level.toUpperCase().padEnd(5)} ${text}\n`
}

/** An error as text: its stack (which names its type and message) or its string form. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`
  return String(error)
}

export function createRotatingLog(options: RotatingLogOptions): Logger {
  const maxBytes = options.maxBytes ?? 1024 * 1024
  const maxFiles = options.maxFiles ?? 3
  const file = join(options.dir, logFileName)
  const numbered = (n: number): string => (n === 0 ? file : `${file}.${n}`)
  let size: number | null = null
  let broken = false

  function currentSize(): number {
    if (size === null) {
      try {
        size = statSync(file).size
      } catch {
        size = 0
      }
    }
    return size
  }

  /** keyhold.log → .1 → .2 …; the oldest falls off the end. */
  function rotate(): void {
    rmSync(numbered(maxFiles - 1), { force: true })
    for (let n = maxFiles - 2; n >= 0; n -= 1) {
      try {
        renameSync(numbered(n), numbered(n + 1))
      } catch {
        // That generation does not exist yet.
      }
    }
    size = 0
  }

  function write(level: LogLevel, message: string): void {
    const line = formatLogLine(options.clock.now(), level, message)
    options.echo?.(line.trimEnd())
    if (broken) return
    try {
      const bytes = Buffer.byteLength(line)
      if (currentSize() > 0 && currentSize() + bytes > maxBytes) rotate()
      // S31: the data folder 0700, the log 0600 whatever an earlier run left, never written through a link.
      ensurePrivateDir(options.dir)
      appendPrivateFile(file, line)
      size = currentSize() + bytes
    } catch (error) {
      // Logging must never take the app down; say so once where a developer can see it, then stop trying.
      broken = true
      console.error(`Keyhold: the log file ${file} cannot be written: ${describeError(error)}`)
    }
  }

  return {
    info: (message) => write('info', message),
    warn: (message) => write('warn', message),
    error: (message, error) => write('error', error === undefined ? message : `${message}: ${describeError(error)}`),
  }
}
