import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { devBindingPath, packagedBindingPath } from '../../../electron/main/native/better-sqlite3-binding'
import { afterPack } from '../../../build/after-pack.mjs'
import { checkBuilderConfig, optionalSources, referencedPaths } from '../../../scripts/check-builder.mjs'
import { bindingFileName, electronNativeDir } from '../../../scripts/postinstall.mjs'

const root = process.cwd()
const yml = readFileSync(join(root, 'electron-builder.yml'), 'utf8')

interface FileSet {
  from: string
  to: string
}
interface BuilderConfig {
  appId: string
  productName: string
  npmRebuild: boolean
  asar: boolean
  asarUnpack: string[]
  files: string[]
  extraResources: FileSet[]
  afterPack: string
  publish: null
  mac: { target: string[]; hardenedRuntime: boolean; entitlements: string; entitlementsInherit: string }
  win: { target: string[] }
  nsis: { oneClick: boolean; perMachine: boolean; allowElevation: boolean }
  linux: { target: string[]; executableName: string; extraResources: FileSet[] }
  deb: { afterInstall: string; afterRemove: string }
  rpm: { afterInstall: string; afterRemove: string; depends: string[] }
  [key: string]: unknown
}
const config = parse(yml) as BuilderConfig

describe('npm run check:builder on electron-builder.yml', () => {
  it("matches electron-builder's schema and names only files that exist, or optional ones", () => {
    const result = checkBuilderConfig({ root })
    expect(result.problems).toEqual([])
    for (const missing of result.optionalMissing) expect(Object.keys(optionalSources)).toContain(missing.path)
    const checked = [...result.present, ...result.optionalMissing].map((p) => p.path)
    for (const path of [
      './build/after-pack.mjs',
      'build/icon.png',
      'build/entitlements.mac.plist',
      'build/linux/keyhold',
      'build/linux/after-install.sh',
      'build/linux/after-remove.sh',
      '.native/electron/better_sqlite3.node',
      'keyhold-defaults.json',
    ]) {
      expect(checked, path).toContain(path)
    }
  })

  it('finds a schema violation: an unknown option, a wrong type, a misspelt target section', () => {
    const dir = mkdtempSync(join(tmpdir(), 'keyhold-builder-'))
    try {
      const file = join(dir, 'electron-builder.yml')
      writeFileSync(file, `${yml}\nAppImage:\n  license: x\nnsisx: {}\n`.replace('oneClick: false', 'oneClick: "no"'))
      const { problems } = checkBuilderConfig({ root, configFile: file })
      expect(problems).toContain('electron-builder.yml: (top level) must NOT have additional properties "AppImage"')
      expect(problems).toContain('electron-builder.yml: (top level) must NOT have additional properties "nsisx"')
      expect(problems.some((p) => p.startsWith('electron-builder.yml: /nsis/oneClick must be boolean'))).toBe(true)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('finds files that do not exist, and lets the optional ones be absent', () => {
    const dir = mkdtempSync(join(tmpdir(), 'keyhold-builder-'))
    try {
      const file = join(dir, 'electron-builder.yml')
      writeFileSync(
        file,
        yml
          .replace('icon: build/icon.png', 'icon: build/missing-icon.png')
          .replace('afterPack: ./build/after-pack.mjs', 'afterPack: ./build/missing-hook.mjs')
          .replace('afterInstall: build/linux/after-install.sh', 'afterInstall: build/linux/missing.sh'),
      )
      const { problems } = checkBuilderConfig({ root, configFile: file })
      expect(problems).toEqual([
        'electron-builder.yml: afterPack hook "./build/missing-hook.mjs" does not exist',
        'electron-builder.yml: mac.icon "build/missing-icon.png" does not exist',
        'electron-builder.yml: deb.afterInstall "build/linux/missing.sh" does not exist',
      ])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('reads the sources of extraResources given as strings or file sets, at every level', () => {
    const paths = referencedPaths({
      extraResources: ['a.txt', '!b', 'c/**', { from: 'd', to: 'e' }],
      win: { extraFiles: { from: 'f' } },
      nsis: { include: 'build/installer.nsh' },
      beforePack: 'some-published-module',
    })
    expect(paths).toEqual([
      { kind: 'extraResources source', path: 'a.txt' },
      { kind: 'extraResources source', path: 'd' },
      { kind: 'win.extraFiles source', path: 'f' },
      { kind: 'nsis.include', path: 'build/installer.nsh' },
    ])
  })
})

describe('what the installers are made of', () => {
  it('is Keyhold with its version from package.json', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { productName: string }
    expect(config.appId).toBe('org.keyhold.app')
    expect(config.productName).toBe('Keyhold')
    expect(config.productName).toBe(pkg.productName)
    // No version here: electron-builder takes package.json's.
    expect(config).not.toHaveProperty('version')
    expect(config).not.toHaveProperty('extraMetadata')
    expect(config.publish).toBeNull()
  })

  it('builds AppImage, deb and rpm on Linux, NSIS on Windows, a dmg on macOS', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb', 'rpm'])
    expect(config.win.target).toEqual(['nsis'])
    expect(config.mac.target).toEqual(['dmg'])
  })

  it('offers a per-machine install on Windows', () => {
    // oneClick off + perMachine off = the "only for me / anyone who uses this computer" page.
    expect(config.nsis).toMatchObject({ oneClick: false, perMachine: false, allowElevation: true })
  })

  it('signs macOS builds with the hardened runtime and entitlements that allow only JIT', () => {
    expect(config.mac.hardenedRuntime).toBe(true)
    const plist = readFileSync(join(root, config.mac.entitlements), 'utf8')
    expect(config.mac.entitlementsInherit).toBe(config.mac.entitlements)
    const keys = [...plist.matchAll(/<key>([^<]+)<\/key>/g)].map((m) => m[1])
    expect(keys).toEqual(['com.apple.security.cs.allow-jit'])
  })

  it('ships the built app without the browser preview, and never rebuilds node_modules', () => {
    expect(config.files).toContain('out/**')
    expect(config.files).toContain('!out/main/preview.js')
    expect(config.npmRebuild).toBe(false)
    expect(config.asar).toBe(true)
    expect(config.asarUnpack).toEqual(['**/*.node'])
  })

  it('puts the Electron build of better-sqlite3 where the app and the postinstall script say', () => {
    const native = config.extraResources.find((r) => r.from.endsWith('better_sqlite3.node'))
    expect(native).toEqual({ from: devBindingPath.join('/'), to: packagedBindingPath.join('/') })
    expect(native?.from).toBe([...electronNativeDir, bindingFileName].join('/'))
  })

  it('packages installer defaults when present', () => {
    expect(config.extraResources).toContainEqual({ from: 'keyhold-defaults.json', to: 'keyhold-defaults.json' })
    expect(optionalSources).toHaveProperty(['keyhold-defaults.json'])
  })

  it('runs the fuse hook after packing', () => {
    expect(config.afterPack).toBe('./build/after-pack.mjs')
    expect(typeof afterPack).toBe('function')
  })

  it('puts a keyhold CLI launcher on PATH from deb and rpm, for an executable named keyhold', () => {
    expect(config.linux.executableName).toBe('keyhold')
    expect(config.linux.extraResources).toEqual([{ from: 'build/linux/keyhold', to: 'bin/keyhold' }])
    for (const target of [config.deb, config.rpm]) {
      expect(target.afterInstall).toBe('build/linux/after-install.sh')
      expect(target.afterRemove).toBe('build/linux/after-remove.sh')
    }
    const launcher = readFileSync(join(root, 'build/linux/keyhold'), 'utf8')
    expect(launcher).toContain(`exec "$app_dir/${config.linux.executableName}" `)
    expect(config.rpm.depends).toContain('libsecret')
  })
})
