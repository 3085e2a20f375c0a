/**
 * Progress of a long command on stderr, so stdout stays the result alone.
 * On a terminal: one bar redrawn in place. Otherwise (a pipe, a log file): a
 * plain line at every tenth, and only for large jobs, so scripts and logs are
 * not flooded. Nothing at all in --json mode.
 */
export interface Progress {
  update(label: string, done: number, total: number): void
  end(): void
}

export interface ProgressTarget {
  readonly isTTY?: boolean
  readonly columns?: number
  write(text: string): unknown
}

/** Jobs below this size finish in a moment: no plain progress lines for them. */
export const plainProgressThreshold = 1000

export function createProgress(
  options: { readonly json: boolean; readonly total: number },
  target: ProgressTarget = process.stderr,
): Progress {
  if (options.json) return { update: () => {}, end: () => {} }
  if (target.isTTY) {
    let drawn = false
    let last = ''
    return {
      update(label, done, total) {
        const ratio = total === 0 ? 1 : done / total
        const width = Math.max(10, Math.min(40, (target.columns ?? 80) - 50))
        const filled = Math.round(ratio * width)
        const text = `${label.padEnd(18)} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.floor(ratio * 100)).padStart(3)}%  ${done}/${total}`
        if (text === last) return
        last = text
        drawn = true
        // \r and "erase to end of line" redraw the same line.
        target.write(`\r${text}\u001b[K`)
      },
      end() {
        if (drawn) target.write('\n')
        drawn = false
      },
    }
  }
  if (options.total < plainProgressThreshold) return { update: () => {}, end: () => {} }
  const printed = new Set<string>()
  return {
    update(label, done, total) {
      const tenth = total === 0 ? 10 : Math.floor((done / total) * 10)
      const key = `${label}:${tenth}`
      if (printed.has(key) || (tenth === 0 && done !== 0)) return
      printed.add(key)
      target.write(`${label}: ${done} of ${total}\n`)
    },
    end() {},
  }
}
