import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  afterPack,
  electronBinaryPath,
  fuseConfigFor,
  fuseOff,
  fuseOn,
  fuseSettings,
  resourcesDir,
  type AfterPackContextLike,
} from '../../../build/after-pack.mjs'

/**
 * build/after-pack.mjs with @electron/fuses mocked: which fuses, which file, per platform. The same hook
 * runs against a real fuse wire in after-pack-wire.test.ts and inside electron-builder in package-layout.test.ts.
 */
const fuses = vi.hoisted(() => ({
  flipped: [] as { path: string; config: Record<string, unknown> }[],
  /** The wire getCurrentFuseWire reports back; by default what was flipped. */
  wire: null as Record<number, number> | null,
}))

vi.mock('@electron/fuses', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@electron/fuses')>()
  return {
    ...actual,
    flipFuses: vi.fn(async (path: string, config: Record<string, unknown>) => {
      fuses.flipped.push({ path, config })
      return 1
    }),
    getCurrentFuseWire: vi.fn(async () => {
      if (fuses.wire) return { version: '1', ...fuses.wire }
      const last = fuses.flipped.at(-1)!.config
      const wire: Record<number, number> = {}
      for (let i = 0; i < 9; i += 1) wire[i] = last[i] === true ? fuseOn : last[i] === false ? fuseOff : 144
      return { version: '1', ...wire }
    }),
  }
})

// Electron's own ABI, so the fake binding below passes the hook's ABI check.
const abi = readFileSync(join(process.cwd(), 'node_modules', 'electron', 'abi_version'), 'utf8').trim()

let appOutDir: string
beforeEach(() => {
  appOutDir = mkdtempSync(join(tmpdir(), 'keyhold-after-pack-'))
  fuses.flipped.length = 0
  fuses.wire = null
})
afterEach(() => rmSync(appOutDir, { recursive: true, force: true }))

function context(electronPlatformName: string): AfterPackContextLike {
  return {
    appOutDir,
    electronPlatformName,
    packager: { appInfo: { productFilename: 'Keyhold' }, executableName: 'keyhold', projectDir: process.cwd() },
  }
}

/** Puts the Electron build of better-sqlite3 where extraResources would have. */
function placeBinding(electronPlatformName: string, contents = `\0node_register_module_v${abi}\0`): void {
  const dir = join(resourcesDir(context(electronPlatformName)), 'native')
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'better_sqlite3.node'), contents)
}

describe('fuse configuration (S24)', () => {
  it('turns off RunAsNode, NODE_OPTIONS, --inspect and file:// privileges; turns on cookie encryption, asar-only and asar integrity', () => {
    expect(fuseSettings).toEqual({
      RunAsNode: false,
      EnableCookieEncryption: true,
      EnableNodeOptionsEnvironmentVariable: false,
      EnableNodeCliInspectArguments: false,
      EnableEmbeddedAsarIntegrityValidation: true,
      OnlyLoadAppFromAsar: true,
      GrantFileProtocolExtraPrivileges: false,
    })
    // Left at Electron's default: Keyhold has no custom V8 snapshot.
    expect(fuseSettings).not.toHaveProperty('LoadBrowserProcessSpecificV8Snapshot')
    expect(Object.isFrozen(fuseSettings)).toBe(true)
  })

  it('maps the names to @electron/fuses wire positions', async () => {
    const { FuseV1Options, FuseVersion } = await import('@electron/fuses')
    expect(fuseConfigFor('linux')).toEqual({
      version: FuseVersion.V1,
      resetAdHocDarwinSignature: false,
      [FuseV1Options.RunAsNode]: false,
      [FuseV1Options.EnableCookieEncryption]: true,
      [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
      [FuseV1Options.EnableNodeCliInspectArguments]: false,
      [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
      [FuseV1Options.OnlyLoadAppFromAsar]: true,
      [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
    })
    expect(fuseConfigFor('linux')).not.toHaveProperty(String(FuseV1Options.LoadBrowserProcessSpecificV8Snapshot))
  })

  it('re-signs ad hoc only on macOS, where flipping breaks the signature', () => {
    expect(fuseConfigFor('darwin').resetAdHocDarwinSignature).toBe(true)
    expect(fuseConfigFor('mas').resetAdHocDarwinSignature).toBe(true)
    expect(fuseConfigFor('win32').resetAdHocDarwinSignature).toBe(false)
  })

  it('uses the wire bytes @electron/fuses uses', async () => {
    const { createRequire } = await import('node:module')
    const constants = createRequire(import.meta.url)('@electron/fuses/dist/constants.js') as {
      FuseState: { ENABLE: number; DISABLE: number }
    }
    expect(fuseOn).toBe(constants.FuseState.ENABLE)
    expect(fuseOff).toBe(constants.FuseState.DISABLE)
  })
})

describe('the afterPack hook', () => {
  it.each([
    ['linux', ['keyhold']],
    ['win32', ['Keyhold.exe']],
    ['darwin', ['Keyhold.app']],
    ['mas', ['Keyhold.app']],
  ])('flips the fuses of the %s binary', async (platform, relative) => {
    placeBinding(platform)
    await afterPack(context(platform))
    const binary = join(appOutDir, ...relative)
    expect(electronBinaryPath(context(platform))).toBe(binary)
    expect(fuses.flipped).toEqual([{ path: binary, config: fuseConfigFor(platform) }])
  })

  it('puts resources inside the bundle on macOS and beside the binary elsewhere', () => {
    expect(resourcesDir(context('darwin'))).toBe(join(appOutDir, 'Keyhold.app', 'Contents', 'Resources'))
    expect(resourcesDir(context('linux'))).toBe(join(appOutDir, 'resources'))
    expect(resourcesDir(context('win32'))).toBe(join(appOutDir, 'resources'))
  })

  it('refuses a platform it has no layout for', () => {
    expect(() => electronBinaryPath(context('freebsd'))).toThrow(/no fuse layout/)
  })

  it('fails the build when a fuse did not take', async () => {
    placeBinding('linux')
    const { FuseV1Options } = await import('@electron/fuses')
    // RunAsNode still on, as if the binary ignored the flip.
    fuses.wire = Object.fromEntries(
      Object.entries(fuseConfigFor('linux'))
        .filter(([key]) => /^\d+$/.test(key))
        .map(([key, on]) => [Number(key), on ? fuseOn : fuseOff]),
    )
    fuses.wire[FuseV1Options.RunAsNode] = fuseOn
    await expect(afterPack(context('linux'))).rejects.toThrow(/RunAsNode/)
  })

  it('fails the build, before touching the binary, when the Electron build of better-sqlite3 is missing', async () => {
    await expect(afterPack(context('linux'))).rejects.toThrow(
      /better_sqlite3\.node is missing; run `npm run postinstall`/,
    )
    expect(fuses.flipped).toEqual([])
  })

  it('fails the build when that binary was built for Node instead of Electron', async () => {
    // Node 20's ABI is 115; Electron 41's is not.
    expect(abi).not.toBe('115')
    placeBinding('win32', '\0node_register_module_v115\0')
    await expect(afterPack(context('win32'))).rejects.toThrow(new RegExp(`not built for Electron's module ABI ${abi}`))
  })
})
