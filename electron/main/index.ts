import { app, screen, session } from 'electron'
import { join } from 'node:path'
import type { AppProblem } from '../shared/schemas'
import { createKeytarSecretStore } from './adapters/keychain/keytar-secret-store'
import { systemClock } from './adapters/system/system-clock'
import { installAboutPanel } from './app/about-panel'
import { installAppMenu } from './app/app-menu'
import { cliArguments, runCliMode } from './app/cli-mode'
import { loadCliRunner } from './app/cli-runner'
import { openDataFolder } from './app/open-data-folder'
import { createRotatingLog, type Logger } from './app/rotating-log'
import { createShutdown } from './app/shutdown'
import { createWindowStateStore, defaultWindowState, fitToDisplays } from './app/window-state'
import { describeStartupError, openKeyhold, type Keyhold } from './composition/open-keyhold'
import {
  applyInstallerDefaults,
  describeDefaultsError,
  installerDefaultsFileName,
  InstallerDefaultsError,
} from './composition/installer-defaults'
import { registerElectronTransport } from './ipc/electron-transport'
import { createHandlers } from './ipc/handlers'
import { createRouter, createUnavailableRouter, type Router } from './ipc/router'
import { NativeBindingMissingError, resolveBetterSqlite3Binding } from './native/better-sqlite3-binding'
import { installAppProtocol, registerAppSchemePrivileges } from './window/app-protocol'
import { createWindowManager } from './window/create-main-window'
import { claimSingleInstance } from './window/single-instance'
import { resolveRendererTarget } from './window/trusted-origin'
import { blockRemoteRequests, guardPermissions, installWebContentsGuards } from './window/web-contents-guards'

/**
 * The Electron composition root: lifecycle and wiring only. Everything it
 * wires is tested on its own (test/unit/electron, the router and service tests),
 * and test/unit/electron/composition-root.test.ts runs this file against a fake Electron.
 */

// The name decides `userData`, which is the data dir the CLI and the preview compute too.
app.setName('Keyhold')

function nativeBinding(): string | undefined {
  return resolveBetterSqlite3Binding({
    electronVersion: process.versions.electron,
    isPackaged: app.isPackaged,
    appPath: app.getAppPath(),
    resourcesPath: process.resourcesPath,
  })
}

/**
 * `Keyhold --cli …` (app/cli-mode.ts): the operator CLI, before and instead of everything else —
 * no single-instance lock (an open window must not swallow the command), no protocol, no window.
 */
function runAsCli(args: readonly string[]): void {
  // macOS: a command must not bounce an icon in the Dock.
  app.dock?.hide()
  void runCliMode({
    args,
    run: async (cliArgs) => {
      const runner = loadCliRunner(nativeBinding())
      if (runner === null) {
        throw new Error('this build of Keyhold cannot run the operator CLI yet; use `npm run cli` from a checkout')
      }
      return runner(cliArgs)
    },
    exit: (code) => app.exit(code),
    stdout: process.stdout,
    stderr: process.stderr,
  })
}

function runAsDesktopApp(): void {
  // Chromium fixes its scheme list at startup: this must run before 'ready'.
  registerAppSchemePrivileges()
  const dataDir = app.getPath('userData')
  const logger: Logger = createRotatingLog({
    dir: dataDir,
    clock: systemClock,
    // In development the log is also on the terminal that ran `npm run dev`.
    ...(app.isPackaged ? {} : { echo: (line: string) => console.log(line) }),
  })
  const target = resolveRendererTarget({ isPackaged: app.isPackaged, devServerUrl: process.env.ELECTRON_RENDERER_URL })
  const windowStates = createWindowStateStore(dataDir, (message) => logger.warn(message))
  // electron-vite emits main to out/main and the (CommonJS, sandbox-loadable) preload to out/preload.
  const windows = createWindowManager({
    preloadPath: join(__dirname, '../preload/index.js'),
    target,
    developerTools: !app.isPackaged,
    logger,
    windowState: {
      // A stored position is used only if it is still on a screen (window-state.ts).
      initial: () =>
        fitToDisplays(
          windowStates.load() ?? defaultWindowState,
          screen.getAllDisplays().map((display) => display.workArea),
        ),
      remember: (state) => windowStates.save(state),
    },
  })

  let keyhold: Keyhold | null = null
  let disposeTransport: (() => void) | null = null
  const shutdown = createShutdown(
    [
      {
        name: 'removing the IPC handlers',
        run: () => {
          disposeTransport?.()
          disposeTransport = null
        },
      },
      {
        // keyhold.close() checkpoints the WAL into keyhold.db and closes it.
        name: 'closing the database',
        run: () => {
          keyhold?.close()
          keyhold = null
        },
      },
    ],
    logger,
  )

  function explainStartupError(error: unknown): AppProblem {
    const problem = describeStartupError(error, dataDir)
    if (error instanceof NativeBindingMissingError) {
      return {
        ...problem,
        fix: 'Run `npm run postinstall` on a machine with internet access, then start Keyhold again.',
      }
    }
    return problem
  }

  /** Opens the data dir; on failure the window still opens and explains what is wrong (S19: fail closed). */
  async function openRouter(): Promise<Router> {
    try {
      const binding = nativeBinding()
      const opened = await openKeyhold({
        dataDir,
        secretStore: createKeytarSecretStore(),
        ...(binding === undefined ? {} : { nativeBinding: binding }),
      })
      if (shutdown.done) {
        // Quit while the data dir was opening: nothing will close it later.
        opened.close()
        return createUnavailableRouter({ status: 'unavailable', problem: explainStartupError(new Error('quitting')) })
      }
      if (app.isPackaged) {
        // An administrator's keyhold-defaults.json, shipped as a resource, is applied on the first run only;
        // invalid defaults stop that run with the field named.
        try {
          applyInstallerDefaults(opened, join(process.resourcesPath, installerDefaultsFileName))
        } catch (error) {
          opened.close()
          if (!(error instanceof InstallerDefaultsError)) throw error
          const problem = describeDefaultsError(error)
          logger.error(`${problem.code}: ${problem.message}`)
          return createUnavailableRouter({ status: 'unavailable', problem })
        }
      }
      keyhold = opened
      return createRouter({
        handlers: createHandlers(opened),
        sessions: opened.auth,
        // Never the input: it may hold a password or a code.
        onInternalError: (channel, error) => logger.error(`internal error on ${channel}`, error),
      })
    } catch (error) {
      const problem = explainStartupError(error)
      logger.error(`cannot open ${dataDir}: ${problem.code}: ${problem.message}`)
      return createUnavailableRouter({ status: 'unavailable', problem })
    }
  }

  async function start(): Promise<void> {
    guardPermissions(session.defaultSession, target.origin)
    blockRemoteRequests(session.defaultSession, target.origin)
    installAppProtocol(join(__dirname, '../renderer'))
    installAboutPanel()
    installAppMenu({
      platform: process.platform,
      developerTools: !app.isPackaged,
      openDataFolder: () => void openDataFolder(dataDir, logger),
    })
    const router = await openRouter()
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
    return
  }
  logger.info(
    `Keyhold ${app.getVersion()} starting (Electron ${process.versions.electron}, ${process.platform} ${process.arch}, ${app.isPackaged ? 'packaged' : 'development'})`,
  )
  installWebContentsGuards({ trustedOrigin: target.origin })
  app.on('window-all-closed', () => app.quit())
  app.on('will-quit', () => shutdown.run('quit'))
  // A fallback for a way out that skips 'will-quit' (app.exit() after a failed start, for one): the
  // database is still closed and checkpointed if the process gets to its 'exit' event.
  process.once('exit', () => shutdown.run('exit'))
  app
    .whenReady()
    .then(start)
    .catch((error: unknown) => {
      logger.error('could not start', error)
      app.exit(1)
    })
}

const cliArgs = cliArguments(process.argv)
if (cliArgs === null) runAsDesktopApp()
else runAsCli(cliArgs)
