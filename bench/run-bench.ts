import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { format, resolveConfig } from 'prettier'
import { manualClock, memorySecretStore, openBenchKeyhold, type BenchKeyhold } from './bench-keyhold'
import { serveChildJob } from './child-worker'
import {
  machineLine,
  markdownReport,
  markdownTable,
  type BenchResults,
  type Figure,
  type Summary,
} from './figure-report'
import { openFloorDb } from './floor-db'
import { openSignInFloor } from './sign-in-floor'
import { cliChild, measureCli } from './cli-suite'
import { importSize, measureImport } from './import-suite'
import { machineInfo } from './machine-info'
import { defaultTaskTimeMs } from './measure-task'
import { measureColdOpen, measureMemory } from './open-suite'
import { measureRenderer } from './renderer-size'
import { measureAccountList } from './search-suite'
import { seedAccounts } from './seed-accounts'
import { enrollSignInAccount, measurePasswordChecks, measureSignInChecks } from './verify-suite'

/**
 * `npm run bench` (issue 7, "Proof under load"): every figure next to its
 * target and a floor measured in the same run, at 1,000, 10,000 and 100,000
 * accounts, printed as a Markdown table and written to bench/results.json and
 * bench/results.md. bench/bench.mjs builds this file with Vite and runs it;
 * the same built file serves the fresh processes for cold open and memory.
 *
 * KEYHOLD_BENCH_SIZES=1000,10000 (account counts), KEYHOLD_BENCH_IMPORT=1000
 * (import size), KEYHOLD_BENCH_TIME=500 (ms per timed task) and
 * KEYHOLD_BENCH_RENDERER=out/renderer (measure an existing build) shorten a run.
 * KEYHOLD_BENCH_PARTS=import,cli runs only those parts (core, import, cli,
 * renderer) and prints their figures without writing the results files.
 */
const sizes = (process.env.KEYHOLD_BENCH_SIZES ?? '1000,10000,100000')
  .split(',')
  .map((n) => Number(n.trim()))
  .filter((n) => Number.isInteger(n) && n > 0)
  .sort((a, b) => a - b)

const allParts = ['core', 'import', 'cli', 'renderer'] as const
const parts = new Set(
  (process.env.KEYHOLD_BENCH_PARTS ?? allParts.join(','))
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== ''),
)
const wholeRun = allParts.every((part) => parts.has(part))

const say = (line: string) => process.stderr.write(`bench: ${line}\n`)
const at = (size: number) => `@ ${size.toLocaleString('en-US')}`

async function timed<T>(what: string, work: () => Promise<T> | T): Promise<T> {
  say(`${what}…`)
  const start = performance.now()
  const result = await work()
  say(`${what}: ${((performance.now() - start) / 1000).toFixed(1)} s`)
  return result
}

function summaryOf(figures: readonly Figure[], largest: number): Summary {
  const find = (name: string) => figures.find((f) => f.name === name) ?? null
  return {
    totpVerifyRatio: find(`TOTP sign-in check, mean ${at(largest)}`)?.ratio ?? null,
    totpVerifyP99Ms: find(`TOTP sign-in check, p99 ${at(largest)}`)?.value ?? null,
    searchP95Ms: find(`account search, p95 ${at(largest)}`)?.value ?? null,
    coldOpenMs: find(`cold open (database, migrations, vault) ${at(largest)}`)?.value ?? null,
    rendererGzipKB: figures.find((f) => f.name.startsWith('renderer JavaScript, gzipped (all'))?.value ?? null,
    cliAuthMs: find('keyhold auth, password + TOTP (whole process), median')?.value ?? null,
    nodeStartMs: find('node -e 0 (whole process), median')?.value ?? null,
    pamOathMs: find('pam_oath through pamtester, TOTP (whole process), median')?.value ?? null,
    import100kS: find('import of 100,000 accounts (parse, check, setup codes, save), total')?.value ?? null,
  }
}

async function main(): Promise<void> {
  const root = process.env.KEYHOLD_BENCH_ROOT ?? process.cwd()
  const startedAt = new Date()
  const began = performance.now()
  const machine = machineInfo()
  say(machineLine(machine))
  const temp = mkdtempSync(join(tmpdir(), 'keyhold-bench-'))
  const figures: Figure[] = []
  try {
    if (parts.has('core')) {
      let fresh = 0
      figures.push(
        ...(await timed('cold open, first start', () =>
          measureColdOpen({
            name: 'cold open, first start (new data folder)',
            dataDir: () => join(temp, `first-${(fresh += 1)}`),
            secrets: () => ({}),
            floorDir: null,
          }),
        )),
      )

      // One data folder grows from empty to the largest count; the keychain is an in-memory map.
      const dataDir = join(temp, 'data')
      mkdirSync(dataDir)
      const secrets = memorySecretStore()
      const clock = manualClock(Date.UTC(2026, 0, 5, 9, 0, 0))
      const open = () => openBenchKeyhold({ dataDir, secrets, clock })
      let bench: BenchKeyhold = await open()
      bench.close()
      const closedState = async (size: number, name: string) => {
        figures.push(
          ...(await timed(`cold open ${name}`, () =>
            measureColdOpen({
              name: `cold open (database, migrations, vault) ${at(size)}`,
              dataDir: () => dataDir,
              secrets: () => secrets.entries(),
              floorDir: dataDir,
            }),
          )),
          ...(await timed(`memory ${name}`, () => measureMemory({ dataDir, secrets: secrets.entries(), size }))),
        )
      }
      await closedState(0, '(empty database)')

      bench = await open()
      const floor = openFloorDb(join(temp, 'floor.db'), clock.now())
      const signInFloor = openSignInFloor(floor)
      // ONE Argon2id hash for every seeded account (the cost of a hash is measured on its own).
      const sharedHash = await bench.deps.hasher.hash('seeded-accounts-share-this-password')
      const fixture = await timed('enrolling the sign-in account (TOTP, email, SMS)', () =>
        enrollSignInAccount(bench, clock),
      )
      let seeded = 0
      for (const size of sizes) {
        const current = bench
        await timed(`seeding accounts ${seeded} → ${size}`, () => {
          seedAccounts(current.deps, { from: seeded, to: size }, sharedHash)
          floor.grow(size)
          signInFloor.grow(size)
        })
        seeded = size
        figures.push(
          ...(await timed(`sign-in checks ${at(size)}`, () =>
            measureSignInChecks(current, fixture, clock, floor, signInFloor, size),
          )),
          ...(await timed(`account list ${at(size)}`, () => measureAccountList(current, size))),
        )
        current.close()
        await closedState(size, at(size))
        bench = await open()
      }
      const last = bench
      figures.push(...(await timed('password checks (Argon2id)', () => measurePasswordChecks(last))))
      last.close()
      floor.close()
    }
    if (parts.has('import')) {
      figures.push(...(await timed(`import of ${importSize} accounts`, () => measureImport(temp))))
    }
    if (parts.has('cli')) {
      const cli = await timed('keyhold auth, node -e 0 and pam_oath', () =>
        measureCli(root, temp, process.argv[1] ?? ''),
      )
      figures.push(...cli.figures)
      if (cli.missing !== null) say(cli.missing)
    }
    if (parts.has('renderer')) figures.push(...(await timed('renderer build and gzip', () => measureRenderer(root))))
  } finally {
    rmSync(temp, { recursive: true, force: true })
  }

  const results: BenchResults = {
    summary: summaryOf(figures, sizes[sizes.length - 1] ?? 0),
    figures,
    machine,
    run: {
      startedAt: startedAt.toISOString(),
      seconds: (performance.now() - began) / 1000,
      accountCounts: sizes,
      importSize,
      taskTimeMs: defaultTaskTimeMs,
    },
  }
  if (!wholeRun) {
    process.stdout.write(`\n${markdownTable(figures)}\n\nSummary: ${JSON.stringify(results.summary)}\n`)
    process.stdout.write(`Only ${[...parts].join(', ')}: bench/results.json and results.md left as they were.\n`)
    return
  }
  writeFileSync(join(root, 'bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`)
  // Formatted as `npm run lint` expects, so the generated file can be committed and pasted as it is.
  const markdownFile = join(root, 'bench', 'results.md')
  const style = (await resolveConfig(markdownFile)) ?? {}
  writeFileSync(markdownFile, await format(markdownReport(results), { ...style, parser: 'markdown' }))
  process.stdout.write(`\n${markdownTable(figures)}\n\n`)
  process.stdout.write(`Summary: ${JSON.stringify(results.summary)}\n`)
  process.stdout.write(`Machine: ${machineLine(machine)}\n`)
  process.stdout.write(
    `Whole run: ${Math.round(results.run.seconds)} s. Written: bench/results.json, bench/results.md\n`,
  )
}

if (process.argv[2] === 'child') {
  serveChildJob()
} else if (process.argv[2] === 'cli-child') {
  cliChild(process.env.KEYHOLD_BENCH_ROOT ?? process.cwd(), process.argv[3]!).catch((error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    process.exit(1)
  })
} else {
  main().catch((error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    process.exit(1)
  })
}
