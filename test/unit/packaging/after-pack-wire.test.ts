import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { getCurrentFuseWire } from '@electron/fuses'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { afterPack, fuseOff, fuseOn, fusesNotApplied } from '../../../build/after-pack.mjs'
import { fakeElectronBinary, fuseSentinel as sentinel } from './fake-electron-dist'

/**
 * The hook with the real @electron/fuses, on a file laid out like an Electron binary's fuse wire
 * (fake-electron-dist.ts). The real Electron binary cannot be downloaded here; these are the bytes
 * @electron/fuses looks for in it.
 */
const abi = readFileSync(join(process.cwd(), 'node_modules', 'electron', 'abi_version'), 'utf8').trim()

let appOutDir: string
beforeEach(() => {
  appOutDir = mkdtempSync(join(tmpdir(), 'keyhold-fuse-wire-'))
  mkdirSync(join(appOutDir, 'resources', 'native'), { recursive: true })
  writeFileSync(join(appOutDir, 'resources', 'native', 'better_sqlite3.node'), `node_register_module_v${abi}\0`)
})
afterEach(() => rmSync(appOutDir, { recursive: true, force: true }))

const context = () => ({
  appOutDir,
  electronPlatformName: 'linux',
  packager: { appInfo: { productFilename: 'Keyhold' }, executableName: 'keyhold', projectDir: process.cwd() },
})

describe('fuses on a fuse wire', () => {
  it('flips exactly the configured fuses and leaves the V8 snapshot fuse and the rest of the file alone', async () => {
    const binary = join(appOutDir, 'keyhold')
    const before = fakeElectronBinary()
    writeFileSync(binary, before)
    chmodSync(binary, 0o755)
    await afterPack(context())
    const after = readFileSync(binary)
    const wireAt = after.indexOf(sentinel) + sentinel.length + 2
    // RunAsNode 0, cookies 1, NODE_OPTIONS 0, --inspect 0, asar integrity 1, asar only 1, V8 snapshot 0 (default), file:// 0.
    expect(after.subarray(wireAt, wireAt + 8).toString()).toBe('01001100')
    expect(after.length).toBe(before.length)
    expect(after.subarray(0, wireAt).equals(before.subarray(0, wireAt))).toBe(true)
    expect(after.subarray(wireAt + 8).equals(before.subarray(wireAt + 8))).toBe(true)
    expect(fusesNotApplied(await getCurrentFuseWire(binary))).toEqual([])
  })

  it('reports every fuse that is not as wanted', async () => {
    const binary = join(appOutDir, 'untouched')
    writeFileSync(binary, fakeElectronBinary())
    expect(fusesNotApplied(await getCurrentFuseWire(binary))).toEqual([
      'RunAsNode',
      'EnableCookieEncryption',
      'EnableNodeOptionsEnvironmentVariable',
      'EnableNodeCliInspectArguments',
      'EnableEmbeddedAsarIntegrityValidation',
      'OnlyLoadAppFromAsar',
      'GrantFileProtocolExtraPrivileges',
    ])
    expect(fuseOn).toBe('1'.charCodeAt(0))
    expect(fuseOff).toBe('0'.charCodeAt(0))
  })

  it('fails on a binary without a fuse wire', async () => {
    writeFileSync(join(appOutDir, 'keyhold'), 'not electron')
    await expect(afterPack(context())).rejects.toThrow(/sentinel/)
  })
})
