import { existsSync } from 'node:fs'
import { join } from 'node:path'

/**
 * better-sqlite3 is not N-API: one compiled binary loads in either Node or
 * Electron, never both. npm builds node_modules/better-sqlite3 for Node (the
 * tests, the CLI and the browser preview use it as is); `scripts/postinstall.mjs`
 * builds a second copy for Electron when the Electron binary is installed, and
 * the app passes that file to better-sqlite3's `nativeBinding` option. Keep
 * these paths in step with the script (a unit test checks they agree).
 */

/** Under the project root, in development (`npm start`, `npm run dev`). */
export const devBindingPath = ['.native', 'electron', 'better_sqlite3.node'] as const
/**
 * Under `process.resourcesPath`, in a packaged app. electron-builder ships it with
 * `extraResources: [{ from: ".native/electron/better_sqlite3.node", to: "native/better_sqlite3.node" }]`.
 */
export const packagedBindingPath = ['native', 'better_sqlite3.node'] as const

export interface BindingEnvironment {
  /** `process.versions.electron`: undefined on plain Node. */
  readonly electronVersion: string | undefined
  /** `app.isPackaged`. */
  readonly isPackaged: boolean
  /** `app.getAppPath()`: the project root in development. */
  readonly appPath: string
  /** `process.resourcesPath`: where extraResources land in a packaged app. */
  readonly resourcesPath: string
}

export class NativeBindingMissingError extends Error {
  constructor(readonly path: string) {
    super(
      `The better-sqlite3 binary built for Electron is missing (${path}). ` +
        'Run `npm run postinstall` with the Electron binary installed (not ELECTRON_SKIP_BINARY_DOWNLOAD) to build it.',
    )
    this.name = 'NativeBindingMissingError'
  }
}

/**
 * The file to give better-sqlite3 as `nativeBinding`, or undefined on plain
 * Node (npm's own build is the right one there). Inside Electron it never falls
 * back to npm's Node build: that would fail later with an opaque
 * NODE_MODULE_VERSION error instead of this message.
 */
export function resolveBetterSqlite3Binding(
  env: BindingEnvironment,
  exists: (path: string) => boolean = existsSync,
): string | undefined {
  if (env.electronVersion === undefined) return undefined
  const path = env.isPackaged ? join(env.resourcesPath, ...packagedBindingPath) : join(env.appPath, ...devBindingPath)
  if (!exists(path)) throw new NativeBindingMissingError(path)
  return path
}
