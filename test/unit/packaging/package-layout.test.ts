import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { fuseStates, writeFakeElectronDist } from './fake-electron-dist'

/**
 * The real electron-builder packages the real build (out/) with electron-builder.yml, for Linux as an
 * unpacked folder (`--linux dir`), with one substitution: the Electron it wraps is a stand-in
 * (fake-electron-dist.ts, via the `electronDist` option), because the Electron zip cannot be downloaded
 * here. Everything else is the product's: files and exclusions, asar and unpacking, extraResources, the
 * afterPack hook flipping fuses. Installers (AppImage, deb, rpm, NSIS, dmg) need the real Electron and
 * tools electron-builder downloads, so they are built only by the CI workflow.
 *
 * Needs `npx electron-vite build` first (npm test builds before it runs the tests).
 */
const root = process.cwd()
const builderCli = join(
  dirname(createRequire(join(root, 'package.json')).resolve('electron-builder/package.json')),
  'cli.js',
)
const abi = readFileSync(join(root, 'node_modules', 'electron', 'abi_version'), 'utf8').trim()

let work: string

beforeAll(() => {
  if (!existsSync(join(root, 'out', 'main', 'index.js'))) {
    throw new Error('out/ is missing: run `npx electron-vite build` before this test')
  }
  work = mkdtempSync(join(tmpdir(), 'keyhold-package-'))
  writeFakeElectronDist(join(work, 'electron'))
})
afterAll(() => rmSync(work, { recursive: true, force: true }))

interface Packaged {
  readonly status: number | null
  readonly output: string
  readonly appOutDir: string
}

/** Runs electron-builder with electron-builder.yml, redirected to temp folders. */
function packageApp(name: string, options: { nativeBinding: boolean }): Packaged {
  const dir = join(work, name)
  const config = parse(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as {
    directories: Record<string, string>
    extraResources: { from: string; to: string }[]
    [key: string]: unknown
  }
  config.directories.output = join(dir, 'dist')
  config.electronDist = join(work, 'electron')
  const native = join(dir, 'better_sqlite3.node')
  const defaults = join(dir, 'keyhold-defaults.json')
  config.extraResources = config.extraResources.map((r) =>
    r.from === '.native/electron/better_sqlite3.node'
      ? { ...r, from: native }
      : r.from === 'keyhold-defaults.json'
        ? { ...r, from: defaults }
        : r,
  )
  const configFile = join(dir, 'electron-builder.json')
  mkdirSync(dir, { recursive: true })
  // A binary that registers itself for Electron's ABI, as the postinstall build would.
  if (options.nativeBinding) writeFileSync(native, `\x7fELF\0node_register_module_v${abi}\0`)
  writeFileSync(defaults, JSON.stringify({ siteName: 'Example Site' }))
  writeFileSync(configFile, JSON.stringify(config))
  const result = spawnSync(
    process.execPath,
    [builderCli, '--linux', 'dir', '--publish', 'never', '--config', configFile],
    {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, CI: 'true' },
    },
  )
  return {
    status: result.status,
    output: `${result.stdout}${result.stderr}`,
    appOutDir: join(dir, 'dist', 'linux-unpacked'),
  }
}

/** The file list of an asar archive, read from its header (a JSON tree after two size fields). */
function asarFiles(archive: string): string[] {
  const bytes = readFileSync(archive)
  const length = bytes.readUInt32LE(12)
  interface Entry {
    files?: Record<string, Entry>
    unpacked?: boolean
  }
  const header = JSON.parse(bytes.toString('utf8', 16, 16 + length)) as Entry
  const list: string[] = []
  const walk = (entry: Entry, path: string) => {
    if (!entry.files) {
      list.push(`${path}${entry.unpacked ? ' (unpacked)' : ''}`)
      return
    }
    for (const [name, child] of Object.entries(entry.files)) walk(child, `${path}/${name}`)
  }
  walk(header, '')
  return list
}

describe('the packaged app (Linux folder, stand-in Electron)', () => {
  let packaged: Packaged
  let files: string[]

  beforeAll(() => {
    packaged = packageApp('complete', { nativeBinding: true })
    if (packaged.status !== 0) throw new Error(`electron-builder failed:\n${packaged.output}`)
    files = asarFiles(join(packaged.appOutDir, 'resources', 'app.asar'))
  }, 180_000)

  it('holds the built app in app.asar, without the browser preview', () => {
    for (const file of [
      '/out/main/index.js',
      '/out/main/cli.js',
      '/out/preload/index.js',
      '/out/renderer/index.html',
    ]) {
      expect(files).toContain(file)
    }
    expect(files.filter((f) => f.includes('preview'))).toEqual([])
    expect(files).toContain('/package.json')
    // No sources, tests, scripts or build tooling.
    expect(files.filter((f) => /^\/(electron|renderer|test|scripts|build|db)\//.test(f))).toEqual([])
  })

  it('unpacks the N-API add-ons and leaves out npm’s Node build of better-sqlite3', () => {
    const unpacked = files.filter((f) => f.endsWith('.node (unpacked)'))
    expect(unpacked.some((f) => f.startsWith('/node_modules/keytar/'))).toBe(true)
    expect(unpacked.some((f) => f.startsWith('/node_modules/@node-rs/argon2-'))).toBe(true)
    expect(files.filter((f) => f.includes('better_sqlite3.node'))).toEqual([])
    expect(files).toContain('/node_modules/better-sqlite3/lib/database.js')
    // Development tools are not production dependencies.
    expect(files.some((f) => f.startsWith('/node_modules/electron/'))).toBe(false)
    expect(files.some((f) => f.startsWith('/node_modules/vitest/'))).toBe(false)
    for (const file of unpacked) {
      expect(
        existsSync(join(packaged.appOutDir, 'resources', 'app.asar.unpacked', file.replace(' (unpacked)', ''))),
      ).toBe(true)
    }
  })

  it('puts the Electron build of better-sqlite3, installer defaults and the CLI launcher in resources', () => {
    const resources = join(packaged.appOutDir, 'resources')
    expect(readFileSync(join(resources, 'native', 'better_sqlite3.node'), 'utf8')).toContain(
      `node_register_module_v${abi}`,
    )
    expect(JSON.parse(readFileSync(join(resources, 'keyhold-defaults.json'), 'utf8'))).toEqual({
      siteName: 'Example Site',
    })
    expect(statSync(join(resources, 'bin', 'keyhold')).mode & 0o111).not.toBe(0)
  })

  it('has flipped the fuses of the executable, named keyhold (S24)', () => {
    const executable = readFileSync(join(packaged.appOutDir, 'keyhold'))
    // RunAsNode 0, cookies 1, NODE_OPTIONS 0, --inspect 0, asar integrity 1, asar only 1, V8 snapshot 0, file:// 0.
    expect(fuseStates(executable)).toBe('01001100')
    expect(packaged.output).toContain('keyhold: fuses set (S24)')
  })

  it('answers `keyhold …` through the launcher with the app in CLI mode', () => {
    const link = join(work, 'keyhold-on-path')
    symlinkSync(join(packaged.appOutDir, 'resources', 'bin', 'keyhold'), link)
    const result = spawnSync(link, ['vault', 'status', '--json'], { encoding: 'utf8' })
    expect(result.status).toBe(0)
    // The stand-in Electron prints its arguments.
    expect(result.stdout.split('\n').slice(0, -1)).toEqual([
      '--ozone-platform=headless',
      '--disable-gpu',
      '--cli',
      '--',
      'vault',
      'status',
      '--json',
    ])
  })
})

describe('a build without the Electron build of better-sqlite3', () => {
  it('fails in the afterPack hook, with the fix', () => {
    const packaged = packageApp('no-native', { nativeBinding: false })
    expect(packaged.status).not.toBe(0)
    expect(packaged.output).toMatch(/better_sqlite3\.node is missing; run `npm run postinstall`/)
    // Not left half-done: the fuses were never flipped on this one.
    expect(fuseStates(readFileSync(join(packaged.appOutDir, 'keyhold')))).toBe('10110001')
  }, 180_000)
})
