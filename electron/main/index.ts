import { app, session } from 'electron'
import { join } from 'node:path'
import type { AppProblem } from '../shared/schemas'
import { createKeytarSecretStore } from './adapters/keychain/keytar-secret-store'
import { describeStartupError, openKeyhold, type Keyhold } from './composition/open-keyhold'
import { registerElectronTransport } from './ipc/electron-transport'
import { createHandlers } from './ipc/handlers'
import { createRouter, createUnavailableRouter, type Router } from './ipc/router'
import { NativeBindingMissingError, resolveBetterSqlite3Binding } from './native/better-sqlite3-binding'
import { installAppProtocol, registerAppSchemePrivileges } from './window/app-protocol'
import { createWindowManager } from './window/create-main-window'
import { claimSingleInstance } from './window/single-instance'
import { resolveRendererTarget } from './window/trusted-origin'
import { denyAllPermissions, installWebContentsGuards } from './window/web-contents-guards'

/**
 * The Electron composition root: lifecycle and wiring only. Everything it
 * wires is tested on its own (test/unit/electron, the router and service tests).
 */

// The name decides `userData`, which is the data dir the CLI and the preview compute too.
app.setName('Keyhold')
// Chromium fixes its scheme list at startup: this must run before 'ready'.
registerAppSchemePrivileges()

const target = resolveRendererTarget({ isPackaged: app.isPackaged, devServerUrl: process.env.ELECTRON_RENDERER_URL })
// electron-vite emits main to out/main and the (CommonJS, sandbox-loadable) preload to out/preload.
const windows = createWindowManager({ preloadPath: join(__dirname, '../preload/index.js'), target })

let keyhold: Keyhold | null = null
let disposeTransport: (() => void) | null = null

function logInternalError(channel: string, error: unknown): void {
  // Never the input: it may hold a password or a code.
  console.error(
    `Keyhold: internal error on ${channel}:`,
    error instanceof Error ? (error.stack ?? error.message) : error,
  )
}

function explainStartupError(error: unknown, dataDir: string): AppProblem {
  const problem = describeStartupError(error, dataDir)
  if (error instanceof NativeBindingMissingError) {
    return { ...problem, fix: 'Run `npm run postinstall` on a machine with internet access, then start Keyhold again.' }
  }
  return problem
}

/** Opens the data dir; on failure the window still opens and explains what is wrong (S19: fail closed). */
async function openRouter(dataDir: string): Promise<Router> {
  try {
    const nativeBinding = resolveBetterSqlite3Binding({
      electronVersion: process.versions.electron,
      isPackaged: app.isPackaged,
      appPath: app.getAppPath(),
      resourcesPath: process.resourcesPath,
    })
    keyhold = await openKeyhold({
      dataDir,
      secretStore: createKeytarSecretStore(),
      ...(nativeBinding === undefined ? {} : { nativeBinding }),
    })
    return createRouter({
      handlers: createHandlers(keyhold),
      sessions: keyhold.auth,
      onInternalError: logInternalError,
    })
  } catch (error) {
    const problem = explainStartupError(error, dataDir)
    console.error(`Keyhold: cannot open ${dataDir}: ${problem.code}: ${problem.message}`)
    return createUnavailableRouter({ status: 'unavailable', problem })
  }
}

async function start(): Promise<void> {
  denyAllPermissions(session.defaultSession)
  installAppProtocol(join(__dirname, '../renderer'))
  const router = await openRouter(app.getPath('userData'))
  // Handlers first, so the page's first call finds them.
  disposeTransport = registerElectronTransport({
    router,
    trustedOrigin: target.origin,
    isOwnWebContents: windows.isOwnWebContents,
  })
  windows.open()
}

if (!claimSingleInstance(() => windows.focusExisting() || windows.open())) {
  app.quit()
} else {
  installWebContentsGuards({ trustedOrigin: target.origin })
  app.on('window-all-closed', () => app.quit())
  app.on('will-quit', () => {
    disposeTransport?.()
    disposeTransport = null
    try {
      keyhold?.close()
    } catch (error) {
      console.error('Keyhold: closing the database failed:', error instanceof Error ? error.message : error)
    }
    keyhold = null
  })
  app
    .whenReady()
    .then(start)
    .catch((error: unknown) => {
      console.error('Keyhold: could not start:', error instanceof Error ? (error.stack ?? error.message) : error)
      app.exit(1)
    })
}
