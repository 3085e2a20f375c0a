import { fork } from 'node:child_process'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { openDatabase } from '../electron/main/adapters/sqlite/open-database'
import { databaseFileName } from '../electron/main/adapters/system/data-dir'
import { openKeyhold } from '../electron/main/composition/open-keyhold'
import { memorySecretStore, openBenchKeyhold } from './bench-keyhold'
import { pageOffsets, pageSize, searchMix } from './search-suite'

/**
 * What the bench measures in a fresh process: a cold open (nothing warmed
 * up but the loaded modules, as when the app starts) and the memory of a
 * process that opened a data folder and used the account list. The bench
 * forks its own built file with `child` and sends one job over the IPC channel.
 */
export type ChildJob =
  | { readonly kind: 'cold-open'; readonly dataDir: string; readonly secrets: Record<string, string> }
  | { readonly kind: 'cold-floor'; readonly dataDir: string }
  | {
      readonly kind: 'memory'
      readonly dataDir: string
      readonly secrets: Record<string, string>
      readonly size: number
    }

export type ChildResult =
  | { readonly kind: 'time'; readonly ms: number }
  | {
      readonly kind: 'memory'
      readonly baselineRssMB: number
      readonly baselineHeapMB: number
      readonly rssMB: number
      readonly heapUsedMB: number
    }

const mb = (bytes: number) => bytes / 2 ** 20

function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc
  if (!gc) throw new Error('run the bench with node --expose-gc (npm run bench does)')
  gc()
}

async function run(job: ChildJob): Promise<ChildResult> {
  switch (job.kind) {
    case 'cold-open': {
      const secretStore = memorySecretStore(job.secrets)
      const start = performance.now()
      const keyhold = await openKeyhold({ dataDir: job.dataDir, secretStore })
      const ms = performance.now() - start
      keyhold.close()
      return { kind: 'time', ms }
    }
    case 'cold-floor': {
      const start = performance.now()
      const db = openDatabase(join(job.dataDir, databaseFileName))
      db.pragma('user_version', { simple: true })
      const ms = performance.now() - start
      db.close()
      return { kind: 'time', ms }
    }
    case 'memory': {
      collectGarbage()
      const before = process.memoryUsage()
      const bench = await openBenchKeyhold({ dataDir: job.dataDir, secrets: memorySecretStore(job.secrets) })
      for (const search of searchMix(Math.max(job.size, 1))) {
        bench.services.admin.list({ search, limit: pageSize, offset: 0 })
      }
      for (const offset of pageOffsets(job.size)) bench.services.admin.list({ limit: pageSize, offset })
      collectGarbage()
      const after = process.memoryUsage()
      bench.close()
      return {
        kind: 'memory',
        baselineRssMB: mb(before.rss),
        baselineHeapMB: mb(before.heapUsed),
        rssMB: mb(after.rss),
        heapUsedMB: mb(after.heapUsed),
      }
    }
  }
}

/** In the child: take one job, answer, exit. */
export function serveChildJob(): void {
  process.once('message', (job: ChildJob) => {
    run(job).then(
      (result) => process.send!(result, () => process.exit(0)),
      (error: unknown) => {
        process.stderr.write(
          `bench child failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
        )
        process.exit(1)
      },
    )
  })
}

/** In the bench: run one job in a fresh process of this same built file. */
export function inChild(job: ChildJob): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = fork(process.argv[1]!, ['child'], {
      execArgv: ['--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    let answer: ChildResult | null = null
    child.once('message', (message) => void (answer = message as ChildResult))
    child.once('error', reject)
    child.once('exit', (code) => {
      if (code === 0 && answer !== null) resolve(answer)
      else reject(new Error(`bench child (${job.kind}) exited with ${code}`))
    })
    child.send(job)
  })
}
