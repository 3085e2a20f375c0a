import { hash as argon2Hash } from '@node-rs/argon2'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { argon2Params } from '../electron/main/adapters/crypto/argon2-password-hasher'
import { openDatabase } from '../electron/main/adapters/sqlite/open-database'
import { parseAccountFile } from '../electron/main/cli/account-file'
import { createImportService } from '../electron/main/services/import-service'
import { manualClock, memorySecretStore, openBenchKeyhold } from './bench-keyhold'
import { figure, type Figure } from './figure-report'
import { seedAccountAt } from './seed-accounts'

/**
 * `keyhold account import` of N accounts into a new data folder, through the
 * CLI's file parser and the real import service: check every row, make one
 * Argon2id setup code per account in parallel batches of 32 (libuv's pool),
 * then write every account, its setup code and audit rows in one
 * transaction. One run: it takes over a minute per 10,000 accounts here, so
 * it is timed once, not sampled. The floor does only the unavoidable part:
 * Argon2id hashes in the same batches (a sample, scaled), and one plain
 * INSERT per account in one transaction on the same kind of file.
 */
export const importSize = Number(process.env.KEYHOLD_BENCH_IMPORT ?? 10_000)

function csvFor(count: number): string {
  const lines = ['username,display_name,email,phone,role']
  for (let index = 0; index < count; index += 1) {
    // Other names than the seeded sets' (which start at 0), so a file could go into either.
    const seed = seedAccountAt(5_000_000 + index)
    const phone = index % 4 === 0 ? `+44 7400 123${String(index % 1000).padStart(3, '0')}` : ''
    lines.push([seed.username, seed.displayName, seed.email, phone, seed.role].join(','))
  }
  return `${lines.join('\n')}\n`
}

/**
 * Hashing is linear in the row count, so the floor times a sample of this many hashes just
 * before the import and another just after, and scales their mean (two cores shared with
 * other work make any single window noisy, and the import runs for minutes). CPU
 * time is reported beside wall time: the process's own CPU seconds (its libuv threads
 * included) hardly change with the load of other processes, so that ratio holds up best.
 */
const floorHashSample = 1_000

interface HashRate {
  readonly msPerHash: number
  readonly cpuMsPerHash: number
  readonly hashes: string[]
}

/** CPU milliseconds (user + system, every thread of this process) since `since`. */
function cpuMs(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since)
  return (used.user + used.system) / 1000
}

/** Raw Argon2id in batches of 32, as the import makes its codes: wall and CPU ms per hash. */
async function floorHashRate(count: number): Promise<HashRate> {
  const start = performance.now()
  const cpu = process.cpuUsage()
  const hashes: string[] = []
  for (let offset = 0; offset < count; offset += 32) {
    const batch = Array.from({ length: Math.min(32, count - offset) }, (_, i) => `floor-code-${offset + i}`)
    hashes.push(...(await Promise.all(batch.map((code) => argon2Hash(code, { algorithm: 2, ...argon2Params })))))
  }
  return { msPerHash: (performance.now() - start) / count, cpuMsPerHash: cpuMs(cpu) / count, hashes }
}

/** One plain INSERT per account in one transaction, on a file opened like the product's. */
function floorSave(dir: string, usernames: readonly string[], hashes: readonly string[]): number {
  const db = openDatabase(join(dir, 'floor-import.db'))
  db.exec('CREATE TABLE floor_import (username TEXT PRIMARY KEY, code_hash TEXT NOT NULL) STRICT')
  const insert = db.prepare<[string, string]>('INSERT INTO floor_import (username, code_hash) VALUES (?, ?)')
  const start = performance.now()
  db.transaction(() => usernames.forEach((name, i) => insert.run(name, hashes[i % hashes.length]!))).immediate()
  const ms = performance.now() - start
  db.close()
  return ms
}

export async function measureImport(workDir: string, size = importSize): Promise<Figure[]> {
  const dataDir = join(workDir, 'import')
  mkdirSync(dataDir, { recursive: true })
  const bench = await openBenchKeyhold({
    dataDir,
    secrets: memorySecretStore(),
    clock: manualClock(Date.UTC(2026, 0, 5, 9, 0, 0)),
  })
  const text = csvFor(size)
  const service = createImportService(bench.deps, { setupCodes: bench.services.setupCodes })

  const sample = Math.min(size, floorHashSample)
  const before = await floorHashRate(sample)

  const start = performance.now()
  let savingStarted = start
  const { valid, problems } = service.validate(parseAccountFile(text, 'csv'))
  if (problems.length > 0) throw new Error(`the bench's import file has bad rows: ${problems[0]!.message}`)
  const checked = performance.now()
  const hashingCpu = process.cpuUsage()
  let hashingCpuMs = 0
  const result = await service.importRows(valid, 'cli:bench', {
    skipInvalid: false,
    onProgress: ({ phase, done }) => {
      if (phase === 'saving' && done === 0) {
        savingStarted = performance.now()
        hashingCpuMs = cpuMs(hashingCpu)
      }
    },
  })
  const end = performance.now()
  if (result.imported.length !== size) throw new Error(`imported ${result.imported.length} of ${size} accounts`)
  bench.close()

  const after = await floorHashRate(sample)
  const floor = {
    hashMs: ((before.msPerHash + after.msPerHash) / 2) * size,
    hashCpuMs: ((before.cpuMsPerHash + after.cpuMsPerHash) / 2) * size,
    saveMs: floorSave(
      workDir,
      valid.map((row) => row.username),
      after.hashes,
    ),
  }
  const label = `import of ${size.toLocaleString('en-US')} accounts`
  const note = `Import: one run, timed once (not sampled). Floor: raw Argon2id hashes (@node-rs/argon2, same parameters, batches of 32; ${sample.toLocaleString('en-US')} timed just before and just after the import, the mean rate scaled to ${size.toLocaleString('en-US')}) + one plain INSERT per account in one transaction on the same kind of file.`
  return [
    figure({
      name: `${label} (parse, check, setup codes, save), total`,
      value: (end - start) / 1000,
      unit: 's',
      floor: (floor.hashMs + floor.saveMs) / 1000,
      note,
    }),
    figure({
      name: `${label}, checking the file (parse, validate every row)`,
      value: (checked - start) / 1000,
      unit: 's',
      note,
    }),
    figure({
      name: `${label}, setup codes phase (Argon2id each)`,
      value: (savingStarted - checked) / 1000,
      unit: 's',
      floor: floor.hashMs / 1000,
      note,
    }),
    figure({
      name: `${label}, setup codes phase, CPU time (all threads)`,
      value: hashingCpuMs / 1000,
      unit: 's',
      floor: floor.hashCpuMs / 1000,
      note,
    }),
    figure({
      name: `${label}, saving phase (one transaction)`,
      value: (end - savingStarted) / 1000,
      unit: 's',
      floor: floor.saveMs / 1000,
      note,
    }),
  ]
}
