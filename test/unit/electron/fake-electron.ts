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

type PermissionRequestHandler = (contents: unknown, permission: string, callback: (granted: boolean) => void) => void
type PermissionCheckHandler = (contents: unknown, permission: string, origin: string, details: unknown) => boolean
type DevicePermissionHandler = (details: unknown) => boolean

export class FakeSession {
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
  readonly loadURL = vi.fn(async (_url: string) => {})
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
  minimized = false
  constructor(readonly options: Record<string, unknown>) {
    super()
    FakeBrowserWindow.created.push(this)
  }
  isMinimized(): boolean {
    return this.minimized
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
})

export const protocol = {
  registerSchemesAsPrivileged: vi.fn(),
  handle: vi.fn(),
}

export const shell = {
  openExternal: vi.fn(async (_url: string) => {}),
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
  protocol,
  shell,
}
