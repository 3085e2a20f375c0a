import type { MachineInfo } from './machine-info'

/**
 * The figures of one bench run and the files they go to. Each figure stands
 * next to its target and next to a floor measured in the same run (the least
 * work the same job could possibly take on this machine), so a slow machine
 * shows in both columns and the ratio stays comparable between runs.
 */
export interface Figure {
  readonly name: string
  readonly value: number
  readonly unit: string
  /** The target in words ("≤ 2× floor", "< 10 ms"); null when the issue sets none (reported only). */
  readonly target: string | null
  readonly floor: number | null
  /** value / floor. */
  readonly ratio: number | null
  /** Whether the target is met; null without a target. */
  readonly met: boolean | null
  /** What the floor is, or why there is none. */
  readonly note?: string
}

export interface Target {
  readonly text: string
  readonly met: (value: number, ratio: number | null) => boolean
}

/** Targets used more than once. */
export const targets = {
  below: (limit: number, unit: string): Target => ({ text: `< ${limit} ${unit}`, met: (value) => value < limit }),
  atMost: (limit: number, unit: string): Target => ({ text: `≤ ${limit} ${unit}`, met: (value) => value <= limit }),
  ratioAtMost: (limit: number): Target => ({
    text: `≤ ${limit}× floor`,
    met: (_value, ratio) => ratio !== null && ratio <= limit,
  }),
}

export interface FigureInput {
  readonly name: string
  readonly value: number
  readonly unit: string
  readonly target?: Target | null
  readonly floor?: number | null
  readonly note?: string
}

export function figure(input: FigureInput): Figure {
  const floor = input.floor ?? null
  const ratio = floor !== null && floor > 0 ? input.value / floor : null
  const target = input.target ?? null
  return {
    name: input.name,
    value: input.value,
    unit: input.unit,
    target: target?.text ?? null,
    floor,
    ratio,
    met: target === null ? null : target.met(input.value, ratio),
    ...(input.note === undefined ? {} : { note: input.note }),
  }
}

export interface Summary {
  readonly totpVerifyRatio: number | null
  readonly totpVerifyP99Ms: number | null
  readonly searchP95Ms: number | null
  readonly coldOpenMs: number | null
  readonly rendererGzipKB: number | null
  /** Issue 15: `keyhold auth` (bin/keyhold.js on Node, password + TOTP), median ms of a whole process. */
  readonly cliAuthMs: number | null
  /** `node -e 0` in the same interleaved loop, median ms. */
  readonly nodeStartMs: number | null
  /** pam_oath through pamtester in the same loop, median ms; null where it cannot run (the bench says why). */
  readonly pamOathMs: number | null
  /** Issue 15: `keyhold account import` of 100,000 accounts with setup codes, seconds. */
  readonly import100kS: number | null
}

export interface BenchResults {
  readonly summary: Summary
  readonly figures: readonly Figure[]
  readonly machine: MachineInfo
  /** Wall time of the whole run, and what it ran (sizes, import size, task budget). */
  readonly run: {
    readonly startedAt: string
    readonly seconds: number
    readonly accountCounts: readonly number[]
    readonly importSize: number
    readonly taskTimeMs: number
  }
}

/** Three significant digits, without exponent notation. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value)
  if (value === 0) return '0'
  const magnitude = Math.floor(Math.log10(Math.abs(value)))
  const decimals = Math.max(0, 2 - magnitude)
  return value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals })
}

function cell(value: number | null, unit = ''): string {
  if (value === null) return '—'
  return unit === '' ? formatNumber(value) : `${formatNumber(value)} ${unit}`
}

function metCell(met: boolean | null): string {
  if (met === null) return '—'
  return met ? 'yes' : '**no**'
}

/** Markdown pipes inside a cell would split it. */
function escape(text: string): string {
  return text.replace(/\|/g, '\\|')
}

export function markdownTable(figures: readonly Figure[]): string {
  const header = ['Figure', 'Value', 'Target', 'Floor', 'Ratio', 'Met']
  const rows = figures.map((f) => [
    escape(f.name),
    cell(f.value, f.unit),
    escape(f.target ?? '—'),
    cell(f.floor, f.unit),
    f.ratio === null ? '—' : `${formatNumber(f.ratio)}×`,
    metCell(f.met),
  ])
  const lines = [header, header.map(() => '---'), ...rows].map((row) => `| ${row.join(' | ')} |`)
  return lines.join('\n')
}

/** "… @ 10,000" → the figure's base name and its account count. */
export function splitSize(name: string): { base: string; size: number } | null {
  const match = /^(.*) @ ([\d,]+)$/.exec(name)
  return match ? { base: match[1]!, size: Number(match[2]!.replace(/,/g, '')) } : null
}

/** One row per figure that was measured at several account counts, one column per count. */
export function growthTable(figures: readonly Figure[]): string {
  const sizes = [...new Set(figures.map((f) => splitSize(f.name)?.size).filter((n) => n !== undefined))].sort(
    (a, b) => a - b,
  )
  const rows = new Map<string, { cells: Map<number, Figure>; target: string | null }>()
  for (const f of figures) {
    const split = splitSize(f.name)
    if (!split) continue
    const row = rows.get(split.base) ?? { cells: new Map<number, Figure>(), target: f.target }
    row.cells.set(split.size, f)
    rows.set(split.base, row)
  }
  const header = ['Figure', ...sizes.map((n) => `${n.toLocaleString('en-US')} accounts`), 'Target']
  const lines = [header, header.map(() => '---')]
  for (const [base, row] of rows) {
    const cells = sizes.map((n) => {
      const f = row.cells.get(n)
      if (!f) return '—'
      const text = f.ratio === null ? cell(f.value, f.unit) : `${cell(f.value, f.unit)} (${formatNumber(f.ratio)}×)`
      return f.met === false ? `**${text}**` : text
    })
    lines.push([escape(base), ...cells, escape(row.target ?? '—')])
  }
  return lines.map((row) => `| ${row.join(' | ')} |`).join('\n')
}

/** The floors in words, once each, under the table. */
export function notesList(figures: readonly Figure[]): string {
  const seen = new Set<string>()
  const notes: string[] = []
  for (const f of figures) {
    if (f.note === undefined || seen.has(f.note)) continue
    seen.add(f.note)
    notes.push(`- ${f.note}`)
  }
  return notes.join('\n')
}

export function machineLine(machine: MachineInfo): string {
  return (
    `${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB RAM; Node ${machine.node} on ${machine.os}; ` +
    `temp files on ${machine.tempFilesystem}; SQLite ${machine.sqlite}; load average ${machine.loadAverage} at the start`
  )
}

export function markdownReport(results: BenchResults): string {
  const { run, machine } = results
  return [
    `Measured ${run.startedAt.slice(0, 10)} on ${machineLine(machine)}.`,
    `Accounts: ${run.accountCounts.map((n) => n.toLocaleString('en-US')).join(' → ')}; ` +
      `import of ${run.importSize.toLocaleString('en-US')} accounts; ${run.taskTimeMs} ms per timed task; ` +
      `whole run ${Math.round(run.seconds)} s (\`npm run bench\`).`,
    '',
    markdownTable(results.figures),
    '',
    'Growth with the number of accounts (value, and its ratio to the floor; a target missed in bold):',
    '',
    growthTable(results.figures),
    '',
    'Floors:',
    '',
    notesList(results.figures),
    '',
  ].join('\n')
}
