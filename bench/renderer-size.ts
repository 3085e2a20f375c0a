import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { gzipSync } from 'node:zlib'
import { figure, targets, type Figure } from './figure-report'

/**
 * The built renderer's JavaScript, gzipped (zlib's default level 6, what a web
 * server would send; Electron reads the files from disk, so this is a
 * measure of how much code the window parses, not of a download).
 * `npx electron-vite build` runs into a temp folder, so the figure is for the
 * sources as they are and the shared out/ folder is left alone;
 * KEYHOLD_BENCH_RENDERER=out/renderer measures an existing build instead.
 */
function jsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return jsFiles(path)
    return entry.name.endsWith('.js') ? [path] : []
  })
}

const kb = (bytes: number) => bytes / 1024

function buildRenderer(root: string): { dir: string; remove: () => void } {
  const outDir = mkdtempSync(join(tmpdir(), 'keyhold-bench-build-'))
  // --no: the project's own electron-vite, never one fetched from the registry.
  const build = spawnSync('npx', ['--no', 'electron-vite', 'build', '--outDir', outDir], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  if (build.status !== 0) {
    throw new Error(`npx electron-vite build failed:\n${build.stdout ?? ''}${build.stderr ?? ''}`)
  }
  return { dir: join(outDir, 'renderer'), remove: () => rmSync(outDir, { recursive: true, force: true }) }
}

/** The entry script and what it preloads: the JavaScript of the first screen. */
function initialFiles(rendererDir: string): Set<string> {
  const html = readFileSync(join(rendererDir, 'index.html'), 'utf8')
  const referenced = [...html.matchAll(/(?:src|href)="\.?\/?([^"]+\.js)"/g)].map((m) => join(rendererDir, m[1]!))
  return new Set(referenced)
}

export function measureRenderer(root: string): Figure[] {
  const existing = process.env.KEYHOLD_BENCH_RENDERER
  const built = existing ? { dir: join(root, existing), remove: () => {} } : buildRenderer(root)
  try {
    if (!existsSync(join(built.dir, 'index.html'))) throw new Error(`no renderer build in ${built.dir}`)
    const files = jsFiles(built.dir)
    const initial = initialFiles(built.dir)
    let all = 0
    let first = 0
    for (const file of files) {
      const size = gzipSync(readFileSync(file)).length
      all += size
      if (initial.has(file)) first += size
    }
    const source = existing ? relative(root, built.dir) : 'a fresh `npx electron-vite build`'
    const note = `Renderer: every .js file of ${source}, each gzipped at zlib's default level; no floor (there is no smaller build to compare with).`
    return [
      figure({
        name: `renderer JavaScript, gzipped (all ${files.length} files)`,
        value: kb(all),
        unit: 'KB',
        target: targets.atMost(250, 'KB'),
        note,
      }),
      figure({
        name: 'renderer JavaScript, gzipped, loaded by index.html (first screen)',
        value: kb(first),
        unit: 'KB',
        note,
      }),
    ]
  } finally {
    built.remove()
  }
}
