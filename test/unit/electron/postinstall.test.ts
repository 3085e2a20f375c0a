import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  binaryTargetsAbi,
  buildStamp,
  electronBuildEnv,
  findElectron,
  isUpToDate,
  runPostinstall,
} from '../../../scripts/postinstall.mjs'

/**
 * The decisions of scripts/postinstall.mjs over a throwaway project folder: is
 * the Electron binary there, is the Electron copy of better-sqlite3 current, and
 * does a failure leave `npm install` alone. (The build itself needs the
 * internet and the Electron headers; it is not run here.)
 */
describe('postinstall', () => {
  let root: string
  const lines: string[] = []
  const capture = { log: (line: string) => void lines.push(line), warn: (line: string) => void lines.push(line) }

  function installElectron(options: { binary: boolean }): void {
    const dir = join(root, 'node_modules', 'electron')
    mkdirSync(join(dir, 'dist'), { recursive: true })
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'electron', version: '41.7.1' }))
    writeFileSync(join(dir, 'abi_version'), '145')
    writeFileSync(join(dir, 'path.txt'), 'electron')
    if (options.binary) writeFileSync(join(dir, 'dist', 'electron'), 'ELF')
  }

  function installBetterSqlite3(version = '12.11.1'): void {
    const dir = join(root, 'node_modules', 'better-sqlite3')
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'better-sqlite3', version }))
  }

  function writeElectronCopy(stamp: object): void {
    const dir = join(root, '.native', 'electron')
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'better_sqlite3.node'), 'binary')
    writeFileSync(join(dir, 'build.json'), JSON.stringify(stamp))
  }

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'keyhold-postinstall-'))
    lines.length = 0
  })
  afterEach(() => rmSync(root, { recursive: true, force: true }))

  it('finds no Electron when the binary download was skipped', () => {
    expect(findElectron(root, {})).toBeNull()
    // ELECTRON_SKIP_BINARY_DOWNLOAD=1: the package is there, path.txt is not.
    mkdirSync(join(root, 'node_modules', 'electron'), { recursive: true })
    writeFileSync(join(root, 'node_modules', 'electron', 'package.json'), '{"version":"41.7.1"}')
    expect(findElectron(root, {})).toBeNull()
    // path.txt names a file that is not there.
    installElectron({ binary: false })
    expect(findElectron(root, {})).toBeNull()
  })

  it('finds the installed Electron with its version and module ABI', () => {
    installElectron({ binary: true })
    expect(findElectron(root, {})).toEqual({
      version: '41.7.1',
      abi: '145',
      executable: join(root, 'node_modules', 'electron', 'dist', 'electron'),
    })
  })

  it('skips in one line and succeeds when there is no Electron binary', () => {
    installElectron({ binary: false })
    expect(runPostinstall({ root, env: {}, argv: [], ...capture })).toBe('skipped')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/skipping the Electron copy of better-sqlite3/)
  })

  it('is up to date only for the same Electron, better-sqlite3, platform and arch', () => {
    const stamp = buildStamp({
      electronVersion: '41.7.1',
      betterSqlite3Version: '12.11.1',
      platform: 'linux',
      arch: 'x64',
    })
    expect(isUpToDate(root, stamp)).toBe(false)
    writeElectronCopy(stamp)
    expect(isUpToDate(root, stamp)).toBe(true)
    expect(isUpToDate(root, { ...stamp, electron: '41.8.0' })).toBe(false)
    expect(isUpToDate(root, { ...stamp, betterSqlite3: '12.12.0' })).toBe(false)
    expect(isUpToDate(root, { ...stamp, arch: 'arm64' })).toBe(false)
    rmSync(join(root, '.native', 'electron', 'better_sqlite3.node'))
    expect(isUpToDate(root, stamp)).toBe(false)
    writeElectronCopy(stamp)
    writeFileSync(join(root, '.native', 'electron', 'build.json'), 'not json')
    expect(isUpToDate(root, stamp)).toBe(false)
  })

  it('does nothing when the Electron copy is current', () => {
    installElectron({ binary: true })
    installBetterSqlite3()
    writeElectronCopy(buildStamp({ electronVersion: '41.7.1', betterSqlite3Version: '12.11.1', arch: 'x64' }))
    expect(runPostinstall({ root, env: {}, argv: [], arch: 'x64', ...capture })).toBe('up-to-date')
    expect(readFileSync(join(root, '.native', 'electron', 'better_sqlite3.node'), 'utf8')).toBe('binary')
  })

  it('warns instead of failing the install when the build cannot run', () => {
    // The copy is for another better-sqlite3, and the package to build from is missing.
    installElectron({ binary: true })
    installBetterSqlite3('12.11.1')
    writeElectronCopy(buildStamp({ electronVersion: '41.7.1', betterSqlite3Version: '12.10.0', arch: 'x64' }))
    rmSync(join(root, 'node_modules', 'better-sqlite3', 'package.json'))
    expect(runPostinstall({ root, env: {}, argv: [], arch: 'x64', ...capture })).toBe('failed')
    expect(lines.join('\n')).toMatch(/WARNING: could not build better-sqlite3 for Electron[\s\S]*npm run postinstall/)
  })

  it('builds without nodedir, which would target Node again', () => {
    const env = electronBuildEnv({
      npm_config_nodedir: '/usr',
      NPM_CONFIG_NODEDIR: '/usr',
      npm_config_cache: '/c',
      PATH: '/bin',
    })
    expect(env).toEqual({ npm_config_cache: '/c', PATH: '/bin' })
  })

  it('tells which module ABI a compiled binary is for', () => {
    // ENVIRONMENT.md: `nm -D … | grep node_register_module_v` (v115 = Node 20). Checked on npm's real build.
    const require = createRequire(import.meta.url)
    const binary = readFileSync(
      join(require.resolve('better-sqlite3/package.json'), '..', 'build', 'Release', 'better_sqlite3.node'),
    )
    expect(binaryTargetsAbi(binary, process.versions.modules)).toBe(true)
    expect(binaryTargetsAbi(binary, '145')).toBe(false)
    expect(binaryTargetsAbi(Buffer.from('xx node_register_module_v145\0'), '14')).toBe(false)
    expect(binaryTargetsAbi(Buffer.from('xx node_register_module_v145\0'), '145')).toBe(true)
  })
})
