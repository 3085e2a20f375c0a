#!/usr/bin/env node
// `npm start [-- --preview] [-- --port N --data-dir DIR]`: the desktop app where the Electron binary is
// installed (`electron-vite preview`: build, then open the window), otherwise the browser preview
// (scripts/preview-web.mjs, which builds first when out/ is missing or stale). Without Electron it says
// so in one line on stdout, with the address to open; `--preview` asks for the preview even where
// Electron is installed. `--port` and `--data-dir` are the preview's options.
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { findElectron } from './postinstall.mjs'

const root = resolve(import.meta.dirname, '..')
const args = process.argv.slice(2)
const askedForPreview = args.includes('--preview')
const previewArgs = args.filter((arg) => arg !== '--preview')
const electron = askedForPreview ? null : findElectron(root)

/** The line preview-web.mjs prints once the server listens (README, "The browser preview"). */
const previewLine = /^Keyhold preview: (http:\/\/\S+)$/

function startApp() {
  if (previewArgs.length > 0) {
    console.error(`error: ${previewArgs.join(' ')}: only the browser preview takes options; add --preview`)
    process.exit(2)
  }
  // electron-vite's `exports` hide its bin; its package.json is exported and names it.
  const manifest = createRequire(join(root, 'package.json')).resolve('electron-vite/package.json')
  const { bin } = JSON.parse(readFileSync(manifest, 'utf8'))
  const electronVite = join(dirname(manifest), typeof bin === 'string' ? bin : bin['electron-vite'])
  return spawn(process.execPath, [electronVite, 'preview'], { cwd: root, stdio: 'inherit' })
}

function startPreview() {
  const why = askedForPreview
    ? 'as asked (--preview)'
    : 'because no Electron binary is installed here (`npm run postinstall` tries its download again)'
  const child = spawn(process.execPath, [join(root, 'scripts', 'preview-web.mjs'), '--quiet-build', ...previewArgs], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  createInterface({ input: child.stdout }).on('line', (line) => {
    const match = previewLine.exec(line)
    // Other stdout lines (--help) pass through as they are.
    process.stdout.write(
      match ? `Keyhold runs as a browser preview ${why}: open ${match[1]} (Ctrl-C stops it)\n` : `${line}\n`,
    )
  })
  return child
}

const child = electron ? startApp() : startPreview()
// A terminal's Ctrl-C reaches the child too; forwarding covers a plain `kill` of this process. The child
// decides when to end (the preview closes its database first), and we end with it.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal)
  })
}
child.on('error', (error) => {
  console.error(`error: ${error.message}`)
  process.exit(1)
})
child.on('exit', (code, signal) => {
  if (signal) {
    process.removeAllListeners(signal)
    process.kill(process.pid, signal)
  } else {
    process.exit(code ?? 1)
  }
})
