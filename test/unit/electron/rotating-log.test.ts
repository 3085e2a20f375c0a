import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createRotatingLog, formatLogLine, logFileName } from '../../../electron/main/app/rotating-log'

const clock = { now: () => Date.UTC(2026, 10, 28, 9, 30, 0) }

describe('log lines', () => {
  it('are one timestamped line per entry', () => {
    expect(formatLogLine(clock.now(), 'info', 'Keyhold 0.1.0 starting')).toBe(
      '2026-11-28T09:30:00.000Z INFO  Keyhold 0.1.0 starting\n',
    )
  })

  it('escape newlines and control characters, so no message can forge another entry', () => {
    const line = formatLogLine(clock.now(), 'warn', 'a\n2026-11-28T00:00:00.000Z INFO  forged\r\u001b[31m\tend')
    expect(line.split('\n')).toHaveLength(2)
    expect(line).toContain('a\\n2026-11-28T00:00:00.000Z INFO  forged\\u000d\\u001b[31m\\tend')
  })

  it('cut a very long message', () => {
    const line = formatLogLine(clock.now(), 'error', 'x'.repeat(20_000))
    expect(line.length).toBeLessThan(8_300)
    expect(line.trimEnd().endsWith('…')).toBe(true)
  })
})

describe('rotating log file', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'keyhold-log-'))
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  const read = (name: string) => readFileSync(join(dir, name), 'utf8')

  it('appends entries to keyhold.log in the data folder, errors with their stack', () => {
    const log = createRotatingLog({ dir, clock })
    log.info('started')
    log.warn('careful')
    log.error('internal error on account:list', new TypeError('boom'))
    const lines = read(logFileName).trimEnd().split('\n')
    expect(lines[0]).toBe('2026-11-28T09:30:00.000Z INFO  started')
    expect(lines[1]).toBe('2026-11-28T09:30:00.000Z WARN  careful')
    expect(lines[2]).toMatch(
      /^2026-11-28T09:30:00\.000Z ERROR internal error on account:list: TypeError: boom\\n {4}at /,
    )
    expect(lines).toHaveLength(3)
  })

  it('keeps appending to the file of an earlier run', () => {
    createRotatingLog({ dir, clock }).info('first run')
    createRotatingLog({ dir, clock }).info('second run')
    expect(read(logFileName)).toMatch(/first run\n.*second run\n$/)
  })

  it('rotates by size and keeps maxFiles files, dropping the oldest', () => {
    const line = (n: number) => `entry ${String(n).padStart(3, '0')} ${'x'.repeat(60)}`
    const lineBytes = Buffer.byteLength(formatLogLine(clock.now(), 'info', line(0)))
    // Room for exactly three entries per file.
    const log = createRotatingLog({ dir, clock, maxBytes: lineBytes * 3, maxFiles: 3 })
    for (let n = 1; n <= 14; n += 1) log.info(line(n))
    expect(readdirSync(dir).sort()).toEqual([logFileName, `${logFileName}.1`, `${logFileName}.2`])
    const entries = (name: string) => read(name).match(/entry \d{3}/g)
    expect(entries(`${logFileName}.2`)).toEqual(['entry 007', 'entry 008', 'entry 009'])
    expect(entries(`${logFileName}.1`)).toEqual(['entry 010', 'entry 011', 'entry 012'])
    expect(entries(logFileName)).toEqual(['entry 013', 'entry 014'])
    for (const name of readdirSync(dir)) expect(statSync(join(dir, name)).size).toBeLessThanOrEqual(lineBytes * 3)
  })

  it('defaults to 1 MiB per file and three files', () => {
    const log = createRotatingLog({ dir, clock })
    const big = 'y'.repeat(8000)
    // About 3.2 MiB in all: enough to fill every generation and drop some.
    for (let n = 0; n < 420; n += 1) log.info(big)
    expect(readdirSync(dir).sort()).toEqual([logFileName, `${logFileName}.1`, `${logFileName}.2`])
    expect(statSync(join(dir, `${logFileName}.1`)).size).toBeLessThanOrEqual(1024 * 1024)
    expect(statSync(join(dir, `${logFileName}.1`)).size).toBeGreaterThan(1024 * 1024 - 8100)
  })

  it('takes an existing file size into account after a restart', () => {
    writeFileSync(join(dir, logFileName), 'z'.repeat(990))
    createRotatingLog({ dir, clock, maxBytes: 1000 }).info('does not fit')
    expect(read(`${logFileName}.1`)).toBe('z'.repeat(990))
    expect(read(logFileName)).toMatch(/does not fit\n$/)
  })

  it('never throws when the file cannot be written, and says so once', () => {
    const notAFolder = join(dir, 'file')
    writeFileSync(notAFolder, 'x')
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {})
    try {
      const log = createRotatingLog({ dir: notAFolder, clock })
      expect(() => {
        log.info('one')
        log.error('two', new Error('x'))
      }).not.toThrow()
      expect(consoleError).toHaveBeenCalledTimes(1)
    } finally {
      consoleError.mockRestore()
    }
  })

  it('echoes each entry when asked (development)', () => {
    const echoed: string[] = []
    createRotatingLog({ dir, clock, echo: (line) => echoed.push(line) }).info('hello')
    expect(echoed).toEqual(['2026-11-28T09:30:00.000Z INFO  hello'])
    expect(existsSync(join(dir, logFileName))).toBe(true)
  })
})
