import { EventEmitter } from 'node:events'
import { vi } from 'vitest'

/**
 * A stand-in for the `electron` module, the one fake the Electron glue tests
 * use (ENVIRONMENT.md: there is no Electron binary here). It records what the
 * code under test asks of Electron and lets a test play Electron's part
 * (emit 'will-navigate', call the permission handler, invoke an IPC channel).
 * Each test file installs it with
 * `vi.mock('electron', async () => (await import('./fake-electron')).electronModule)`.
 */

/** What Electron passes about the asking frame (PermissionRequest, PermissionCheckHandlerHandlerDetails). */
export interface FakePermissionDetails {
  readonly isMainFrame: boolean
  readonly requestingUrl?: string
  readonly embeddingOrigin?: string
}
type PermissionRequestHandler = (
  contents: unknown,
  permission: string,
  callback: (granted: boolean) => void,
  details: FakePermissionDetails,
) => void
type PermissionCheckHandler = (
  contents: unknown,
  permission: string,
  origin: string,
  details: FakePermissionDetails,
) => boolean
type DevicePermissionHandler = (details: unknown) => boolean

type BeforeRequestListener = (
  details: { url: string },
  callback: (response: { cancel?: boolean; redirectURL?: string }) => void,
) => void

export class FakeSession extends EventEmitter {
  /** session.webRequest: one onBeforeRequest listener with its URL filter, as Electron keeps it. */
  readonly webRequest = {
    filter: null as { urls: string[] } | null,
    beforeRequest: null as BeforeRequestListener | null,
    onBeforeRequest: (filter: { urls: string[] }, listener: BeforeRequestListener) => {
      this.webRequest.filter = filter
      this.webRequest.beforeRequest = listener
    },
  }
  permissionRequestHandler: PermissionRequestHandler | null = null
  permissionCheckHandler: PermissionCheckHandler | null = null
  devicePermissionHandler: DevicePermissionHandler | null = null
  setPermissionRequestHandler(handler: PermissionRequestHandler | null): void {
    this.permissionRequestHandler = handler
  }
  setPermissionCheckHandler(handler: PermissionCheckHandler | null): void {
    this.permissionCheckHandler = handler
  }
  setDevicePermissionHandler(handler: DevicePermissionHandler | null): void {
    this.devicePermissionHandler = handler
  }
}

export interface FakeFrame {
  url: string
  processId: number
  routingId: number
  parent: FakeFrame | null
}

let nextId = 1

export class FakeWebContents extends EventEmitter {
  readonly id = nextId++
  readonly session = new FakeSession()
  readonly mainFrame: FakeFrame
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null
  /** The next loadURL of any web contents rejects with this (a page that fails to load). */
  static failNextLoad: Error | null = null
  readonly loadURL = vi.fn(async (_url: string) => {
    const failure = FakeWebContents.failNextLoad
    FakeWebContents.failNextLoad = null
    if (failure) throw failure
  })
  constructor(url = 'app://keyhold/index.html') {
    super()
    this.mainFrame = { url, processId: 4, routingId: this.id, parent: null }
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler
  }
  /** A child frame (an iframe) inside this page. */
  subframe(url: string): FakeFrame {
    return { url, processId: 4, routingId: this.id + 1000, parent: this.mainFrame }
  }
}

export class FakeBrowserWindow extends EventEmitter {
  static readonly created: FakeBrowserWindow[] = []
  readonly webContents = new FakeWebContents()
  readonly show = vi.fn()
  readonly focus = vi.fn()
  readonly restore = vi.fn()
  readonly maximize = vi.fn(() => {
    this.maximized = true
  })
  minimized = false
  maximized = false
  /** What getNormalBounds() answers: the constructor's bounds until a test moves the window. */
  normalBounds: { x: number; y: number; width: number; height: number }
  constructor(readonly options: Record<string, unknown>) {
    super()
    const number = (key: string, fallback: number) => (typeof options[key] === 'number' ? options[key] : fallback)
    this.normalBounds = {
      x: number('x', 0),
      y: number('y', 0),
      width: number('width', 800),
      height: number('height', 600),
    }
    FakeBrowserWindow.created.push(this)
  }
  isMinimized(): boolean {
    return this.minimized
  }
  isMaximized(): boolean {
    return this.maximized
  }
  getNormalBounds(): { x: number; y: number; width: number; height: number } {
    return { ...this.normalBounds }
  }
}

type InvokeHandler = (event: unknown, ...args: unknown[]) => unknown

export const ipcMain = {
  handlers: new Map<string, InvokeHandler>(),
  handle: vi.fn((channel: string, handler: InvokeHandler) => {
    // Electron refuses a second handler for one channel; so does the fake.
    if (ipcMain.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`)
    ipcMain.handlers.set(channel, handler)
  }),
  removeHandler: vi.fn((channel: string) => {
    ipcMain.handlers.delete(channel)
  }),
}

export const app = Object.assign(new EventEmitter(), {
  requestSingleInstanceLock: vi.fn(() => true),
  isPackaged: false,
  setName: vi.fn(),
  /** userData etc.; a test points it at a temp folder. */
  paths: new Map<string, string>(),
  getPath: vi.fn((name: string) => {
    const path = app.paths.get(name)
    if (path === undefined) throw new Error(`fake app.getPath: no path set for ${name}`)
    return path
  }),
  getAppPath: vi.fn(() => '/fake/app'),
  getVersion: vi.fn(() => '9.8.7'),
  whenReady: vi.fn(() => Promise.resolve()),
  quit: vi.fn(),
  exit: vi.fn(),
  setAboutPanelOptions: vi.fn(),
  dock: { hide: vi.fn() },
})

export const session = {
  defaultSession: new FakeSession(),
}

export const screen = {
  /** Work areas of the attached displays; a test sets them. */
  displays: [{ workArea: { x: 0, y: 0, width: 1920, height: 1040 } }] as { workArea: Rectangle }[],
  getAllDisplays: vi.fn(() => screen.displays),
}

interface Rectangle {
  x: number
  y: number
  width: number
  height: number
}

export const Menu = {
  buildFromTemplate: vi.fn((template: unknown[]) => ({ template })),
  setApplicationMenu: vi.fn(),
}

export const protocol = {
  registerSchemesAsPrivileged: vi.fn(),
  handle: vi.fn(),
}

export const shell = {
  openExternal: vi.fn(async (_url: string) => {}),
  /** Resolves to '' on success or an error message, like Electron's. */
  openPath: vi.fn(async (_path: string) => ''),
}

export const contextBridge = {
  exposeInMainWorld: vi.fn(),
}

export const ipcRenderer = {
  invoke: vi.fn(async (channel: string, ...args: unknown[]) => ({ channel, args })),
}

export const electronModule = {
  app,
  BrowserWindow: FakeBrowserWindow,
  contextBridge,
  ipcMain,
  ipcRenderer,
  Menu,
  protocol,
  screen,
  session,
  shell,
}
