import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  judgeFindings,
  pinnedElectronVersion,
  projectPath,
  readScanConfig,
  scanElectron,
  type ScanConfig,
} from '../../../scripts/scan-electron.mjs'

/**
 * npm run scan:electron: its rules (what fails, what a suppression covers), its configuration, and the
 * real scanner run offline on a small app with a deliberately unsafe window, to show the scan can fail.
 */
const root = process.cwd()

const config: ScanConfig = {
  sources: [
    { from: 'electron/main', as: 'main' },
    { from: 'out/renderer', as: 'renderer' },
  ],
  failOn: ['HIGH', 'MEDIUM'],
  excludedChecks: [],
  suppressions: [
    { check: 'OPEN_EXTERNAL_JS_CHECK', file: 'electron/main/window/guards.ts', justification: 'allow-list' },
  ],
}

describe('judging findings', () => {
  it('fails on HIGH and MEDIUM, accepts a suppression only for its check in its file, and notes the rest', () => {
    const judged = judgeFindings(config, [
      { check: 'OPEN_EXTERNAL_JS_CHECK', severity: 'MEDIUM', file: 'electron/main/window/guards.ts' },
      { check: 'OPEN_EXTERNAL_JS_CHECK', severity: 'MEDIUM', file: 'electron/main/other.ts' },
      { check: 'CONTEXT_ISOLATION_JS_CHECK', severity: 'HIGH', file: 'electron/main/window/guards.ts' },
      { check: 'CSP_GLOBAL_CHECK', severity: 'LOW', file: 'out/renderer/index.html' },
    ])
    expect(judged.accepted.map((f) => f.file)).toEqual(['electron/main/window/guards.ts'])
    expect(judged.failures.map((f) => `${f.check} ${f.file}`)).toEqual([
      'OPEN_EXTERNAL_JS_CHECK electron/main/other.ts',
      'CONTEXT_ISOLATION_JS_CHECK electron/main/window/guards.ts',
    ])
    expect(judged.informational.map((f) => f.check)).toEqual(['CSP_GLOBAL_CHECK'])
    expect(judged.unusedSuppressions).toEqual([])
  })

  it('reports a suppression that no longer matches anything', () => {
    expect(judgeFindings(config, []).unusedSuppressions).toEqual(config.suppressions)
  })

  it('maps scanned files back to the project', () => {
    expect(projectPath(config, 'main/window/x.ts')).toBe('electron/main/window/x.ts')
    expect(projectPath(config, 'renderer/index.html')).toBe('out/renderer/index.html')
  })

  it('needs the exact Electron version, never a range', () => {
    expect(pinnedElectronVersion({ devDependencies: { electron: '41.7.1' } })).toBe('41.7.1')
    expect(() => pinnedElectronVersion({ devDependencies: { electron: '^41.7.1' } })).toThrow(/exact/)
    expect(() => pinnedElectronVersion({})).toThrow(/exact/)
  })
})

describe('the project configuration (.electronegativity.json)', () => {
  const project = readScanConfig(root)

  it('gives a justification for every excluded check and every suppression', () => {
    for (const entry of [...project.excludedChecks, ...project.suppressions]) {
      expect(entry.justification.length, entry.check).toBeGreaterThan(80)
    }
    // Suppressions name a check and a file: never a whole check everywhere.
    for (const s of project.suppressions) expect(s.file).toMatch(/^electron\/.+\.ts$/)
  })

  it('fails on HIGH and MEDIUM, scans main, preload, contract and the built renderer, and not the preview', () => {
    expect(project.failOn).toEqual(['HIGH', 'MEDIUM'])
    expect(project.sources.map((s) => s.from)).toEqual([
      'electron/main',
      'electron/preload',
      'electron/shared',
      'out/renderer',
    ])
    expect(project.sources[0]?.skip).toEqual(['preview'])
  })

  it('excludes only the check that needs the internet', () => {
    expect(project.excludedChecks.map((c) => c.check)).toEqual(['AvailableSecurityFixesGlobalCheck'])
  })
})

describe('the scanner, offline', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'keyhold-scan-'))
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ devDependencies: { electron: '41.7.1' } }))
    mkdirSync(join(dir, 'src'))
    mkdirSync(join(dir, 'page'))
    writeFileSync(
      join(dir, 'page', 'index.html'),
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'self'">`,
    )
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  function writeConfig(suppressions: ScanConfig['suppressions'] = []): void {
    const scan: ScanConfig = {
      sources: [
        { from: 'src', as: 'main' },
        { from: 'page', as: 'renderer' },
      ],
      failOn: ['HIGH', 'MEDIUM'],
      excludedChecks: [{ check: 'AvailableSecurityFixesGlobalCheck', justification: 'needs the internet' }],
      suppressions,
    }
    writeFileSync(join(dir, '.electronegativity.json'), JSON.stringify(scan))
  }

  it('fails a window without context isolation and sandbox', async () => {
    writeConfig()
    writeFileSync(
      join(dir, 'src', 'window.ts'),
      `import { BrowserWindow } from 'electron'\n` +
        `export const w = new BrowserWindow({ webPreferences: { contextIsolation: false, sandbox: false, nodeIntegration: true } })\n`,
    )
    const { problems } = await scanElectron({ root: dir, scannerRoot: root, log: () => {} })
    expect(problems.some((p) => p.startsWith('HIGH CONTEXT_ISOLATION_JS_CHECK at src/window.ts:2'))).toBe(true)
    expect(problems.some((p) => p.startsWith('MEDIUM SANDBOX_JS_CHECK at src/window.ts:2'))).toBe(true)
  }, 60_000)

  it("passes Keyhold's window settings", async () => {
    writeConfig()
    writeFileSync(
      join(dir, 'src', 'window.ts'),
      `import { BrowserWindow, session } from 'electron'\n` +
        `session.defaultSession.setPermissionRequestHandler((_c, _p, cb) => cb(false))\n` +
        `export const w = new BrowserWindow({ webPreferences: { contextIsolation: true, sandbox: true, nodeIntegration: false, disableBlinkFeatures: 'Auxclick' } })\n` +
        `w.webContents.on('will-navigate', (e) => e.preventDefault())\n` +
        `w.webContents.setWindowOpenHandler(() => ({ action: 'deny' }))\n`,
    )
    const { problems } = await scanElectron({ root: dir, scannerRoot: root, log: () => {} })
    expect(problems).toEqual([])
  }, 60_000)

  it('says what to build when a source is missing', async () => {
    writeConfig()
    rmSync(join(dir, 'page'), { recursive: true })
    const { problems } = await scanElectron({ root: dir, scannerRoot: root, log: () => {} })
    expect(problems).toEqual(['not found: page'])
  })
})
