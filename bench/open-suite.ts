import { inChild } from './child-worker'
import { figure, targets, type Figure } from './figure-report'
import { quantile } from './measure-task'

/**
 * Cold open and memory, each in fresh processes (a process that has already
 * opened the file once is no longer cold). Cold open is openKeyhold with the
 * keychain replaced by an in-memory map: open the database, migrate, unlock
 * the vault (key id check, audit key decrypt), wire the repositories and
 * services, purge expired enrollments. The keychain call itself is not timed.
 */
const coldRuns = 5

async function times(job: () => ReturnType<typeof inChild>): Promise<number[]> {
  const result: number[] = []
  for (let run = 0; run < coldRuns; run += 1) {
    const answer = await job()
    if (answer.kind !== 'time') throw new Error('expected a time from the bench child')
    result.push(answer.ms)
  }
  return result.sort((a, b) => a - b)
}

const coldNote = `Cold open: median of ${coldRuns} fresh processes, each timing openKeyhold once with an in-memory stand-in for the keychain. Floor: the product's openDatabase (WAL, synchronous=FULL, foreign keys) + PRAGMA user_version on the same file, also in fresh processes.`

export async function measureColdOpen(options: {
  readonly name: string
  readonly dataDir: () => string
  readonly secrets: () => Record<string, string>
  /** The floor's file; null for a first start, when there is no file to open yet. */
  readonly floorDir: string | null
}): Promise<Figure[]> {
  const open = await times(() => inChild({ kind: 'cold-open', dataDir: options.dataDir(), secrets: options.secrets() }))
  const floorDir = options.floorDir
  const floor = floorDir === null ? null : await times(() => inChild({ kind: 'cold-floor', dataDir: floorDir }))
  return [
    figure({
      name: options.name,
      value: quantile(open, 0.5),
      unit: 'ms',
      target: targets.below(200, 'ms'),
      floor: floor === null ? null : quantile(floor, 0.5),
      note:
        floor === null
          ? 'First start: creates the file, runs every migration and makes the vault key; no floor (there is no file to open yet).'
          : coldNote,
    }),
  ]
}

const memoryNote =
  'Memory: a fresh Node process opens the data folder (openKeyhold), runs the search mix and the page offsets through services.admin.list, then collects garbage; floor = the same process before opening (Node + the loaded modules). The Electron main process adds its own runtime on top.'

export async function measureMemory(options: {
  readonly dataDir: string
  readonly secrets: Record<string, string>
  readonly size: number
}): Promise<Figure[]> {
  const answer = await inChild({ kind: 'memory', ...options })
  if (answer.kind !== 'memory') throw new Error('expected memory figures from the bench child')
  const label = `@ ${options.size.toLocaleString('en-US')}`
  return [
    figure({
      name: `main-process memory, RSS ${label}`,
      value: answer.rssMB,
      unit: 'MB',
      floor: answer.baselineRssMB,
      note: memoryNote,
    }),
    figure({
      name: `main-process memory, heapUsed ${label}`,
      value: answer.heapUsedMB,
      unit: 'MB',
      floor: answer.baselineHeapMB,
      note: memoryNote,
    }),
  ]
}
