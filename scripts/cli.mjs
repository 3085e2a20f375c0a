// `npm run cli -- <command>`: runs the operator CLI (out/main/cli.js) with the given arguments,
// building first only when the build is missing or older than a source under electron/ or db/.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { constants } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = dirname(dirname(fileURLToPath(import.meta.url)))
const entry = join(root, 'out', 'main', 'cli.js')

function newestChange(dir) {
  let newest = 0
  for (const item of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, item.name)
    newest = Math.max(newest, item.isDirectory() ? newestChange(path) : statSync(path).mtimeMs)
  }
  return newest
}

function isStale() {
  if (!existsSync(entry)) return true
  const built = statSync(entry).mtimeMs
  return ['electron', 'db'].some((dir) => existsSync(join(root, dir)) && newestChange(join(root, dir)) > built)
}

if (isStale()) {
  // Progress on stderr, so stdout stays the CLI's own (`--json` output can be piped).
  process.stderr.write('keyhold: building (npx electron-vite build)…\n')
  // --no: use the project's own electron-vite, never fetch one from the registry.
  const build = spawnSync('npx', ['--no', 'electron-vite', 'build'], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    shell: process.platform === 'win32',
  })
  if (build.status !== 0) {
    process.stderr.write(`${build.stdout ?? ''}${build.stderr ?? ''}`)
    process.stderr.write(`error: the build failed${build.error ? `: ${build.error.message}` : ''}; see above\n`)
    process.exit(1)
  }
  process.stderr.write('keyhold: built\n')
}

const child = spawn(process.execPath, [entry, ...process.argv.slice(2)], { stdio: 'inherit' })
// Ctrl-C reaches the CLI directly (same process group); wait for it to report its own status.
process.on('SIGINT', () => {})
for (const signal of ['SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal))
child.on('error', (error) => {
  process.stderr.write(`error: could not start the CLI: ${error.message}\n`)
  process.exit(1)
})
child.on('exit', (code, signal) => process.exit(code ?? 128 + (signal ? constants.signals[signal] : 0)))
