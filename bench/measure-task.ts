import { Bench, type Fn } from 'tinybench'

/**
 * tinybench tasks with their samples kept, so the report can give
 * percentiles tinybench does not compute (p95). Every latency figure of the
 * bench comes from here, so all of them share one method: a short warm-up,
 * then at least `iterations` calls and `time` milliseconds per task, with a
 * figure and its floor measured in alternating rounds.
 */
export interface Timing {
  readonly mean: number
  readonly p50: number
  readonly p95: number
  readonly p99: number
  readonly max: number
  readonly samples: number
}

export interface MeasureOptions {
  /** Untimed preparation before each call (a fresh session, a new code, the clock moved on). */
  readonly beforeEach?: (mode?: 'run' | 'warmup') => void | Promise<void>
  /** Time budget in ms (tinybench keeps going until both this and `iterations` are reached). */
  readonly time?: number
  readonly iterations?: number
  /** Whether the task returns a promise; stated, so tinybench makes no exploratory call. */
  readonly async?: boolean
}

/** The time budget per task; `KEYHOLD_BENCH_TIME` shortens or lengthens every task at once. */
export const defaultTaskTimeMs = Number(process.env.KEYHOLD_BENCH_TIME ?? 1000)

/** Linear interpolation between order statistics (the same rule tinybench uses for its own percentiles). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN
  const position = (sorted.length - 1) * q
  const below = Math.floor(position)
  const above = Math.ceil(position)
  const low = sorted[below]!
  const high = sorted[above]!
  return low + (high - low) * (position - below)
}

export function timingOf(samples: readonly number[]): Timing {
  const sorted = [...samples].sort((a, b) => a - b)
  const mean = sorted.reduce((sum, value) => sum + value, 0) / sorted.length
  return {
    mean,
    p50: quantile(sorted, 0.5),
    p95: quantile(sorted, 0.95),
    p99: quantile(sorted, 0.99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
    samples: sorted.length,
  }
}

export interface TaskSpec {
  readonly name: string
  readonly fn: Fn
  readonly options?: MeasureOptions
}

/** One tinybench run of one task: its latency samples (ms), warm-up excluded. */
async function samplesOf(spec: TaskSpec, time: number, iterations: number): Promise<number[]> {
  const bench = new Bench({
    name: spec.name,
    time,
    iterations,
    warmupTime: 100,
    warmupIterations: 8,
    retainSamples: true,
    // A task that fails (a refused code, a broken setup) must stop the bench, not report a fast error path.
    throws: true,
  })
  const before = spec.options?.beforeEach
  bench.add(spec.name, spec.fn, { async: spec.options?.async ?? false, ...(before ? { beforeEach: before } : {}) })
  const [task] = await bench.run()
  const result = task?.result
  if (!result || result.state !== 'completed' || !result.latency.samples) {
    throw new Error(`benchmark "${spec.name}" did not complete (${result?.state ?? 'no result'})`)
  }
  return [...result.latency.samples]
}

/**
 * Measures tasks in turns (A B C, then C B A, …), each round a slice of every
 * task's budget, so that load from elsewhere on the machine (two cores shared
 * with other work) falls on a figure and its floor alike and their ratio
 * stays meaningful. Each task gets its whole `time` and `iterations` in all.
 */
export async function measureTogether<const S extends readonly TaskSpec[]>(
  specs: S,
  rounds = 4,
): Promise<{ [K in keyof S]: Timing }> {
  const samples = specs.map(() => [] as number[])
  for (let round = 0; round < rounds; round += 1) {
    const order = specs.map((_, i) => i)
    if (round % 2 === 1) order.reverse()
    for (const i of order) {
      const spec = specs[i]!
      const time = (spec.options?.time ?? defaultTaskTimeMs) / rounds
      const iterations = Math.ceil((spec.options?.iterations ?? 64) / rounds)
      samples[i]!.push(...(await samplesOf(spec, time, iterations)))
    }
  }
  // One Timing per task, in the order given (a tuple for a tuple, so callers can destructure it).
  return samples.map(timingOf) as { [K in keyof S]: Timing }
}

export async function measure(name: string, fn: Fn, options: MeasureOptions = {}): Promise<Timing> {
  const [timing] = await measureTogether([{ name, fn, options }] as const)
  return timing
}
