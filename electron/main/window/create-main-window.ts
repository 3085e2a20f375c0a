import { BrowserWindow, type WebContents } from 'electron'
import { captureWindowState, defaultWindowState, minimumWindowSize, type WindowState } from '../app/window-state'
import type { Logger } from '../app/rotating-log'
import { keepDownloadsPrivate } from './private-downloads'
import { blockRemoteRequests, guardPermissions, guardWebContents } from './web-contents-guards'
import type { RendererTarget } from './trusted-origin'

export interface WindowStateSource {
  /** Where and how large the next window opens (already fitted to the current displays). */
  initial(): WindowState
  /** Called as a window closes, with its last normal bounds. */
  remember(state: WindowState): void
}

export interface WindowManagerOptions {
  readonly preloadPath: string
  readonly target: RendererTarget
  /** Developer tools in the window: development only; a packaged build has none. */
  readonly developerTools?: boolean
  /** Restores and remembers the window's size and position; without it every window opens at the default. */
  readonly windowState?: WindowStateSource
  /** Where problems go; without it, stderr. */
  readonly logger?: Pick<Logger, 'error'>
}

export interface WindowManager {
  /** Creates a window, guards it, and loads the renderer. */
  open(): BrowserWindow
  /** True for the web contents of a window this manager created and that is still open (IPC sender check). */
  isOwnWebContents(contents: WebContents): boolean
  /** Brings the first open window to the front; false when there is none. */
  focusExisting(): boolean
}

export function createWindowManager(options: WindowManagerOptions): WindowManager {
  const windows = new Map<number, BrowserWindow>()

  function open(): BrowserWindow {
    const state = options.windowState?.initial() ?? defaultWindowState
    const position = state.x !== undefined && state.y !== undefined ? { x: state.x, y: state.y } : {}
    const window = new BrowserWindow({
      title: 'Keyhold',
      ...position,
      width: state.width,
      height: state.height,
      minWidth: minimumWindowSize.width,
      minHeight: minimumWindowSize.height,
      // Shown once painted, so the user never sees a blank white frame.
      show: false,
      autoHideMenuBar: true,
      // S23: the renderer gets no Node, runs in Chromium's sandbox, and sees the preload's API only
      // through the context bridge. Every value is spelled out here, in the constructor call, even
      // where it is Electron's default: a changed default cannot loosen it, and
      // `npm run scan:electron` (electronegativity) can read each one where the window is made.
      webPreferences: {
        preload: options.preloadPath,
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        nodeIntegrationInSubFrames: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        webviewTag: false,
        experimentalFeatures: false,
        navigateOnDragDrop: false,
        safeDialogs: true,
        // A middle click (auxclick) on a link would otherwise ask for a new window; those are denied
        // anyway (web-contents-guards.ts), this stops the event at the source.
        disableBlinkFeatures: 'Auxclick',
        devTools: options.developerTools ?? false,
        // The spellchecker downloads dictionaries from a Google CDN: Keyhold makes no network call it does not need.
        spellcheck: false,
      },
    })
    const contents = window.webContents
    // The id is read now: after 'closed' the web contents are destroyed and cannot be asked.
    const id = contents.id
    windows.set(id, window)
    guardWebContents(contents, { trustedOrigin: options.target.origin })
    guardPermissions(contents.session, options.target.origin)
    blockRemoteRequests(contents.session, options.target.origin)
    keepDownloadsPrivate(contents.session, (message, error) => {
      if (options.logger) options.logger.error(message, error)
      else console.error(`Keyhold: ${message}:`, error instanceof Error ? error.message : error)
    })
    window.once('ready-to-show', () => {
      if (state.maximized) window.maximize()
      window.show()
    })
    // 'close' comes while the window still has its bounds ('closed' is too late to ask).
    window.on('close', () => options.windowState?.remember(captureWindowState(window)))
    window.on('closed', () => windows.delete(id))
    contents.loadURL(options.target.url).catch((error: unknown) => {
      const message = 'the window could not load its page'
      if (options.logger) options.logger.error(message, error)
      else console.error(`Keyhold: ${message}:`, error instanceof Error ? error.message : error)
    })
    return window
  }

  return {
    open,
    isOwnWebContents: (contents) => windows.has(contents.id),
    focusExisting: () => {
      const first = windows.values().next()
      if (first.done) return false
      const window = first.value
      if (window.isMinimized()) window.restore()
      window.show()
      window.focus()
      return true
    },
  }
}
