import { chmodSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/**
 * Stand-ins for the Electron binary, which cannot be downloaded here (ENVIRONMENT.md). @electron/fuses
 * finds a binary's fuses by a sentinel followed by the wire (version, length, one byte per fuse); these
 * files carry that wire, so the real @electron/fuses and the real electron-builder work on them.
 */
export const fuseSentinel = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'
/** Electron's defaults: RunAsNode, NODE_OPTIONS, --inspect and file:// privileges on; the rest off. */
export const electronDefaultFuses = '10110001'

/** A file with a fuse wire between some bytes. `prefix` may make it a runnable script (see below). */
export function fakeElectronBinary(states = electronDefaultFuses, prefix = '\x7fELF…code before the wire…'): Buffer {
  return Buffer.concat([
    Buffer.from(prefix),
    Buffer.from(fuseSentinel),
    Buffer.from([1, states.length]),
    Buffer.from(states),
    Buffer.from('…code after the wire'),
  ])
}

/** The wire's fuse bytes in a binary, as a string of '0'/'1'. */
export function fuseStates(binary: Buffer, count = electronDefaultFuses.length): string {
  const at = binary.indexOf(fuseSentinel) + fuseSentinel.length + 2
  return binary.subarray(at, at + count).toString()
}

/**
 * An unpacked "Electron" for electron-builder's `electronDist` option (Linux layout). Its `electron`
 * is a shell script that prints its arguments one per line and exits before reaching the wire, so the
 * packaged app's launcher can be run too.
 */
export function writeFakeElectronDist(dir: string): void {
  mkdirSync(join(dir, 'resources'), { recursive: true })
  const executable = join(dir, 'electron')
  writeFileSync(executable, fakeElectronBinary(electronDefaultFuses, '#!/bin/sh\nprintf "%s\\n" "$@"\nexit 0\n'))
  chmodSync(executable, 0o755)
  writeFileSync(join(dir, 'chrome-sandbox'), '')
  writeFileSync(join(dir, 'LICENSE'), 'fake Electron for tests')
  writeFileSync(join(dir, 'version'), '41.7.1')
}
