/**
 * electron-builder `afterPack` hook (electron-builder.yml: `afterPack: ./build/after-pack.mjs`).
 *
 * S24: flips Electron's fuses in the packaged binary, before electron-builder signs it, so the
 * signature covers the flipped bits. electron-builder resolves the hook by its name, so the
 * export is `afterPack`.
 *
 * The fuses are compile-time switches in the Electron binary itself; no command-line flag or
 * environment variable of the user can turn them back. After flipping, the hook reads the fuse
 * wire back and fails the build if any fuse is not in the wanted state.
 */
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { binaryTargetsAbi } from '../scripts/postinstall.mjs'
import { FuseV1Options, FuseVersion, flipFuses, getCurrentFuseWire } from '@electron/fuses'

/** A fuse's byte in the wire: ASCII '1' on, '0' off (@electron/fuses' FuseState, which its index does not export). */
export const fuseOn = 0x31
export const fuseOff = 0x30

/**
 * S24, by fuse name (FuseV1Options). LoadBrowserProcessSpecificV8Snapshot is left out on purpose:
 * it stays at Electron's default (off), since Keyhold ships no custom V8 snapshot.
 */
export const fuseSettings = Object.freeze({
  // `ELECTRON_RUN_AS_NODE=1 Keyhold script.js` would turn the signed app into a general-purpose,
  // trusted Node (and bypass everything below). The operator CLI runs as `Keyhold --cli` instead.
  RunAsNode: false,
  // Cookies and other Chromium storage encrypted at rest with an OS-held key.
  EnableCookieEncryption: true,
  // NODE_OPTIONS could preload arbitrary code (`--require`) into the main process.
  EnableNodeOptionsEnvironmentVariable: false,
  // `--inspect` / `--inspect-brk` would open a debugger port into the main process.
  EnableNodeCliInspectArguments: false,
  // Electron refuses an app.asar whose header hash differs from the one embedded at build time.
  // Takes effect on macOS and Windows only: Electron has no embedded-integrity support on Linux yet.
  EnableEmbeddedAsarIntegrityValidation: true,
  // Only resources/app.asar is loaded, never a loose resources/app folder dropped beside it.
  OnlyLoadAppFromAsar: true,
  // Keyhold serves its pages from app://, never file://, so file: URLs get no extra privileges.
  GrantFileProtocolExtraPrivileges: false,
})

/** What @electron/fuses' flipFuses takes: fuse index → state, plus the wire version. */
export function fuseConfigFor(electronPlatformName) {
  const config = {
    version: FuseVersion.V1,
    // Flipping bits breaks the ad-hoc signature of an unsigned macOS build, which Apple silicon then
    // refuses to run; this re-signs it ad hoc. A real identity signs afterwards anyway.
    resetAdHocDarwinSignature: electronPlatformName === 'darwin' || electronPlatformName === 'mas',
  }
  for (const [name, value] of Object.entries(fuseSettings)) {
    const index = FuseV1Options[name]
    if (typeof index !== 'number') throw new Error(`@electron/fuses does not know the fuse ${name}`)
    config[index] = value
  }
  return config
}

/**
 * The file flipFuses edits, as electron-builder lays out `appOutDir`: the .app bundle on macOS
 * (flipFuses finds the Electron Framework inside), `<productFilename>.exe` on Windows, and the
 * executable (`linux.executableName`) on Linux.
 */
export function electronBinaryPath(context) {
  const { appOutDir, electronPlatformName, packager } = context
  switch (electronPlatformName) {
    case 'darwin':
    case 'mas':
      return join(appOutDir, `${packager.appInfo.productFilename}.app`)
    case 'win32':
      return join(appOutDir, `${packager.appInfo.productFilename}.exe`)
    case 'linux':
      return join(appOutDir, packager.executableName)
    default:
      throw new Error(`after-pack: no fuse layout known for platform ${electronPlatformName}`)
  }
}

/** Fuse names whose state in `wire` (from getCurrentFuseWire) is not the wanted one. */
export function fusesNotApplied(wire) {
  return Object.entries(fuseSettings)
    .filter(([name, wanted]) => wire[FuseV1Options[name]] !== (wanted ? fuseOn : fuseOff))
    .map(([name]) => name)
}

/** Where extraResources land: Contents/Resources in the .app bundle, resources/ elsewhere. */
export function resourcesDir(context) {
  const { appOutDir, electronPlatformName, packager } = context
  return electronPlatformName === 'darwin' || electronPlatformName === 'mas'
    ? join(appOutDir, `${packager.appInfo.productFilename}.app`, 'Contents', 'Resources')
    : join(appOutDir, 'resources')
}

/** Electron's module ABI (node_modules/electron/abi_version), or null when the package does not say. */
function electronAbi(projectDir) {
  try {
    const packageJson = createRequire(join(projectDir, 'package.json')).resolve('electron/package.json')
    const file = join(dirname(packageJson), 'abi_version')
    return existsSync(file) ? readFileSync(file, 'utf8').trim() || null : null
  } catch {
    return null
  }
}

/**
 * The packaged app opens SQLite with <resources>/native/better_sqlite3.node (extraResources). electron-builder
 * only warns when a source is missing, and a binary built for Node would fail only at run time with an
 * opaque NODE_MODULE_VERSION error: both end the build here instead, with the fix.
 */
export function checkNativeBinding(context) {
  const binding = join(resourcesDir(context), 'native', 'better_sqlite3.node')
  const fix = 'run `npm run postinstall` with the Electron binary installed (not ELECTRON_SKIP_BINARY_DOWNLOAD)'
  if (!existsSync(binding)) throw new Error(`after-pack: ${binding} is missing; ${fix}`)
  const abi = electronAbi(context.packager.projectDir)
  if (abi !== null && !binaryTargetsAbi(readFileSync(binding), abi)) {
    throw new Error(`after-pack: ${binding} is not built for Electron's module ABI ${abi}; ${fix}`)
  }
}

export async function afterPack(context) {
  checkNativeBinding(context)
  const binary = electronBinaryPath(context)
  await flipFuses(binary, fuseConfigFor(context.electronPlatformName))
  const wrong = fusesNotApplied(await getCurrentFuseWire(binary))
  if (wrong.length > 0) {
    throw new Error(`after-pack: fuses not in the wanted state in ${binary}: ${wrong.join(', ')} (S24)`)
  }
  console.log(`  • keyhold: fuses set (S24)  binary=${binary}`)
}
