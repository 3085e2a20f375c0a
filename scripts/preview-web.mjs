#!/usr/bin/env node
// `npm run preview:web -- [--port N] [--data-dir DIR]`: the browser preview (DESIGN.md,
// "One contract, several transports"). Builds with electron-vite when out/ is missing or older
// than the sources, then runs out/main/preview.js on this Node, forwarding SIGINT/SIGTERM and the
// exit code. The server prints the one stdout line (`Keyhold preview: URL`); build output goes to
// stderr so that line stays the only one. `--quiet-build` (used by `npm start`) replaces the build's
// output with one line, and shows it only when the build fails. Development and tests only: packaged
// builds leave it out.
import { spawn } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..')
const entry = join(root, 'out/main/preview.js')
const outputs = [entry, join(root, 'out/renderer/index.html')]
const sourceDirs = ['renderer', 'electron', 'db'].map((dir) => join(root, dir))
const sourceFiles = ['electron.vite.config.ts', 'package.json', 'package-lock.json'].map((file) => join(root, file))

function newestMtime(path) {
  let stats
  try {
    stats = statSync(path)
  } catch {
    return 0
  }
  if (!stats.isDirectory()) return stats.mtimeMs
  let newest = stats.mtimeMs
  for (const name of readdirSync(path)) {
    if (name === 'node_modules' || name.startsWith('.')) continue
    newest = Math.max(newest, newestMtime(join(path, name)))
  }
  return newest
}

function needsBuild() {
  if (!outputs.every((file) => existsSync(file))) return true
  const built = Math.min(...outputs.map((file) => statSync(file).mtimeMs))
  const sources = Math.max(...[...sourceDirs, ...sourceFiles].map(newestMtime))
  return sources > built
}

function run(command, args, stdio) {
  return spawn(command, args, { cwd: root, stdio, shell: process.platform === 'win32' && command === 'npx' })
}

function waitFor(child) {
  return new Promise((resolveExit) => {
    child.on('exit', (code, signal) => resolveExit({ code, signal }))
    child.on('error', (error) => {
      console.error(`error: ${error.message}`)
      resolveExit({ code: 1, signal: null })
    })
  })
}

// Signals are forwarded to whichever child runs (the build, then the server), and we stay alive until
// it has ended: the server closes its database first. A signal during the build stops the build and
// the server is never started.
let current = null
let stopSignal = null
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    stopSignal ??= signal
    if (current && current.exitCode === null && current.signalCode === null) current.kill(signal)
  })
}

const quietBuild = process.argv.includes('--quiet-build')
const serverArgs = process.argv.slice(2).filter((arg) => arg !== '--quiet-build')

if (needsBuild()) {
  console.error(
    quietBuild
      ? 'Keyhold preview: building the app first (under a minute)…'
      : 'Keyhold preview: building with electron-vite…',
  )
  // stdout of the build goes to our stderr: the server's line must be the only one on stdout.
  current = run('npx', ['electron-vite', 'build'], quietBuild ? ['ignore', 'pipe', 'pipe'] : ['ignore', 2, 2])
  let output = ''
  if (quietBuild) {
    current.stdout.setEncoding('utf8').on('data', (chunk) => (output += chunk))
    current.stderr.setEncoding('utf8').on('data', (chunk) => (output += chunk))
  }
  const build = await waitFor(current)
  if (stopSignal) process.exit(stopSignal === 'SIGINT' ? 130 : 143)
  if (build.code !== 0) {
    if (quietBuild) process.stderr.write(output)
    console.error('error: the build failed; see the output above')
    process.exit(build.code ?? 1)
  }
}

current = run(process.execPath, [entry, ...serverArgs], 'inherit')
const { code, signal } = await waitFor(current)
if (signal) {
  // Re-raise the signal on ourselves so the caller sees how the server ended.
  process.removeAllListeners(signal)
  process.kill(process.pid, signal)
} else {
  process.exit(code ?? 1)
}
