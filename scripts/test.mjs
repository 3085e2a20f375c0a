// `npm test`: the one test command (README, .ci/run).
//   1. makes sure the system packages the tests use are installed (scripts/system-deps.mjs);
//   2. builds the app, because the CLI and end-to-end tests run the built output in out/;
//   3. runs every vitest project inside a private D-Bus session with an unlocked gnome-keyring
//      (scripts/with-keyring.sh), so the keychain tests use a real Secret Service;
//   4. ends with one plain line `N passed, N failed` (`, N skipped` when some were), counted from
//      vitest's JSON report, and exits 1 if a test failed, if none ran, or if vitest itself failed.
// Extra arguments go to vitest: `npm test -- --project unit`, `npm test -- test/unit/domain`.
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { ensureSystemDeps } from './system-deps.mjs'

const root = resolve(import.meta.dirname, '..')
const resultsDir = join(root, 'test-results')
const reportFile = join(resultsDir, 'vitest.json')
// .ci/run prints this file's line last, after npm's own output.
const summaryFile = join(resultsDir, 'summary.txt')
const bin = (name) => join(root, 'node_modules', '.bin', name)

// Each step runs in a process group of its own, and a SIGINT or SIGTERM is passed to the whole group:
// killing only the direct child would orphan vitest (dbus-run-session does not pass signals on) and
// leave the browser, preview server and keyring running. We then report and exit.
let current = null
let stopped = null
function stop(signal) {
  stopped = signal
  if (current === null) return
  try {
    process.kill(-current.pid, signal)
  } catch {
    // The group is already gone.
  }
}
process.on('SIGINT', () => stop('SIGINT'))
process.on('SIGTERM', () => stop('SIGTERM'))

/** Runs a command with inherited stdio; resolves to its exit status (1 when killed by a signal). */
function run(command, args) {
  return new Promise((resolvePromise) => {
    const child = spawn(command, args, { cwd: root, stdio: 'inherit', detached: true })
    current = child
    child.on('error', (error) => {
      current = null
      console.error(`error: could not start ${command}: ${error.message}`)
      resolvePromise(1)
    })
    child.on('exit', (code, signal) => {
      current = null
      resolvePromise(code ?? (signal ? 1 : 0))
    })
  })
}

function finish(summary, ok, reason) {
  if (reason) console.error(`error: ${reason}`)
  writeFileSync(summaryFile, `${summary}\n`)
  console.log(summary)
  process.exit(ok ? 0 : 1)
}

function section(title) {
  console.log(`\n=== ${title} ===`)
}

mkdirSync(resultsDir, { recursive: true })
rmSync(summaryFile, { force: true })
// A report from an earlier run must never be counted as this run's.
rmSync(reportFile, { force: true })

section('System packages')
if (!ensureSystemDeps({ install: true })) {
  // The last line stays the exact apt-get command printed above: that is what the user needs.
  process.exit(1)
}

section('Build (electron-vite build)')
if ((await run(bin('electron-vite'), ['build'])) !== 0 || stopped) {
  finish('0 passed, 0 failed', false, stopped ? `stopped by ${stopped}` : 'the build failed, so no test ran')
}

section('Tests (vitest, inside a private D-Bus session with an unlocked keyring)')
const vitestStatus = await run(join(root, 'scripts', 'with-keyring.sh'), [
  bin('vitest'),
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${reportFile}`,
  ...process.argv.slice(2),
])

if (!existsSync(reportFile)) {
  const why = stopped ? `stopped by ${stopped}` : `exit status ${vitestStatus}`
  finish('0 passed, 0 failed', false, `vitest wrote no report (${why})`)
}

let report
try {
  report = JSON.parse(readFileSync(reportFile, 'utf8'))
} catch (error) {
  finish('0 passed, 0 failed', false, `cannot read ${reportFile}: ${error.message}`)
}

const count = (value) => (Number.isInteger(value) ? value : 0)
const passed = count(report.numPassedTests)
const failed = count(report.numFailedTests)
const skipped = count(report.numPendingTests) + count(report.numTodoTests)
const summary = `${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`

// A test file that fails to load, or an error outside any test, fails the run without failing a
// test: say so, since the counts alone would not show it.
const brokenFiles = (report.testResults ?? []).filter(
  (file) => file.status === 'failed' && (file.assertionResults ?? []).every((test) => test.status !== 'failed'),
)
for (const file of brokenFiles) {
  console.error(`error: ${file.name.replace(`${root}/`, '')} failed outside its tests: ${file.message ?? 'see above'}`)
}

if (stopped) finish(summary, false, `stopped by ${stopped}`)
if (failed > 0) finish(summary, false)
if (passed === 0) finish(summary, false, 'no test passed (none ran?)')
if (brokenFiles.length > 0) finish(summary, false, `${brokenFiles.length} test file(s) failed to run`)
if (vitestStatus !== 0) finish(summary, false, `vitest exited with status ${vitestStatus}`)
finish(summary, true)
