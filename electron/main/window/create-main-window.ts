import { BrowserWindow, type WebContents, type WebPreferences } from 'electron'
import { denyAllPermissions, guardWebContents } from './web-contents-guards'
import type { RendererTarget } from './trusted-origin'

/**
 * S23: the renderer gets no Node, runs in Chromium's sandbox, and sees the
 * preload's API only through the context bridge. Every value here is spelled
 * out, even where it is Electron's default, so a changed default cannot loosen it.
 */
export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
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
    // The spellchecker downloads dictionaries from a Google CDN: Keyhold makes no network call it does not need.
    spellcheck: false,
  }
}

export interface WindowManagerOptions {
  readonly preloadPath: string
  readonly target: RendererTarget
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
    const window = new BrowserWindow({
      title: 'Keyhold',
      width: 1024,
      height: 720,
      minWidth: 640,
      minHeight: 520,
      // Shown once painted, so the user never sees a blank white frame.
      show: false,
      autoHideMenuBar: true,
      webPreferences: secureWebPreferences(options.preloadPath),
    })
    const contents = window.webContents
    // The id is read now: after 'closed' the web contents are destroyed and cannot be asked.
    const id = contents.id
    windows.set(id, window)
    guardWebContents(contents, { trustedOrigin: options.target.origin })
    denyAllPermissions(contents.session)
    window.once('ready-to-show', () => window.show())
    window.on('closed', () => windows.delete(id))
    contents.loadURL(options.target.url).catch((error: unknown) => {
      console.error('Keyhold: the window could not load its page:', error instanceof Error ? error.message : error)
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
