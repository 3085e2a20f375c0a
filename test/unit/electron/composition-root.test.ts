import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { CliRunner } from '../../../electron/main/app/cli-runner'
import type { electronModule, FakeSession } from './fake-electron'

/**
 * electron/main/index.ts run for real against the fake Electron: which path it takes for `--cli` and
 * for a normal launch, and what it wires. The data dir's services are replaced (they have their own
 * tests); the log and window-state files are real, in a temp folder.
 */
const fakes = vi.hoisted(() => ({
  runner: null as CliRunner | null,
  keyhold: { close: () => {}, auth: {} },
  openFailure: null as Error | null,
}))

vi.mock('electron', async () => (await import('./fake-electron')).electronModule)
vi.mock('../../../electron/main/app/cli-runner', () => ({ loadCliRunner: vi.fn(() => fakes.runner) }))
vi.mock('../../../electron/main/composition/open-keyhold', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../../electron/main/composition/open-keyhold')>()),
  openKeyhold: vi.fn(async () => {
    if (fakes.openFailure) throw fakes.openFailure
    return fakes.keyhold
  }),
}))
vi.mock('../../../electron/main/ipc/handlers', () => ({ createHandlers: vi.fn(() => ({})) }))
vi.mock('../../../electron/main/ipc/router', () => ({
  createRouter: vi.fn(() => ({ dispatch: vi.fn() })),
  createUnavailableRouter: vi.fn(() => ({ dispatch: vi.fn() })),
}))

type Fake = typeof electronModule

let dir: string
let savedArgv: string[]
let exitHandlers: (() => void)[]

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'keyhold-root-'))
  savedArgv = process.argv
  exitHandlers = []
  fakes.runner = null
  fakes.openFailure = null
  fakes.keyhold = { close: vi.fn(), auth: {} }
  // The root registers a process 'exit' hook; keep it here instead of on the test worker.
  vi.spyOn(process, 'once').mockImplementation(((event: string, handler: () => void) => {
    if (event === 'exit') exitHandlers.push(handler)
    return process
  }) as typeof process.once)
})

afterEach(() => {
  process.argv = savedArgv
  vi.restoreAllMocks()
  rmSync(dir, { recursive: true, force: true })
})

/** The fake Electron as a fresh process would find it. (Mocked modules survive vi.resetModules, so it is reset by hand.) */
function resetFakeElectron(fake: Fake): void {
  vi.clearAllMocks()
  fake.BrowserWindow.created.length = 0
  fake.app.removeAllListeners()
  fake.app.requestSingleInstanceLock.mockReset().mockReturnValue(true)
  fake.app.whenReady.mockReset().mockResolvedValue(undefined)
  fake.app.paths.clear()
  fake.app.isPackaged = false
  fake.ipcMain.handlers.clear()
  fake.session.defaultSession = new (fake.session.defaultSession.constructor as typeof FakeSession)()
  fake.screen.displays = [{ workArea: { x: 0, y: 0, width: 1920, height: 1040 } }]
}

/** Imports a fresh copy of the composition root (it runs on import) with `argv`. */
async function boot(argv: string[], prepare: (fake: Fake) => void = () => {}): Promise<Fake> {
  vi.resetModules()
  // The same module the root will import, whether vitest re-ran the mock factory or kept it.
  const fake = (await import('electron')) as unknown as Fake
  resetFakeElectron(fake)
  fake.app.paths.set('userData', dir)
  prepare(fake)
  process.argv = argv
  await import('../../../electron/main/index')
  return fake
}

/** Captures process.stderr/stdout writes (and calls their callbacks, as a drained pipe would). */
function captureOutput(stream: NodeJS.WriteStream): string[] {
  const written: string[] = []
  vi.spyOn(stream, 'write').mockImplementation(((chunk: string, ...rest: unknown[]) => {
    written.push(String(chunk))
    const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined
    callback?.()
    return true
  }) as typeof stream.write)
  return written
}

describe('Keyhold --cli', () => {
  it('runs the CLI with the words after `--cli --` and exits with its status, opening nothing', async () => {
    const run = vi.fn(async () => 3)
    fakes.runner = run
    const fake = await boot([
      '/opt/Keyhold/keyhold',
      '--ozone-platform=headless',
      '--disable-gpu',
      '--cli',
      '--',
      'account',
      'list',
      '--json',
    ])
    await vi.waitFor(() => expect(fake.app.exit).toHaveBeenCalledWith(3))
    expect(run).toHaveBeenCalledWith(['account', 'list', '--json'])
    expect(fake.BrowserWindow.created).toHaveLength(0)
    // Not the desktop app at all: no lock (a running window must not take the command), no protocol, no ready.
    expect(fake.app.requestSingleInstanceLock).not.toHaveBeenCalled()
    expect(fake.protocol.registerSchemesAsPrivileged).not.toHaveBeenCalled()
    expect(fake.app.whenReady).not.toHaveBeenCalled()
    expect(fake.ipcMain.handle).not.toHaveBeenCalled()
    expect(fake.app.dock.hide).toHaveBeenCalled()
    expect(exitHandlers).toHaveLength(0)
  })

  it('exits 1 with an explanation while the CLI is not connected to this build', async () => {
    const stderr = captureOutput(process.stderr)
    const fake = await boot(['/opt/Keyhold/keyhold', '--cli', 'vault', 'status'])
    await vi.waitFor(() => expect(fake.app.exit).toHaveBeenCalledWith(1))
    expect(stderr.join('')).toMatch(/^error: INTERNAL: .*cannot run the operator CLI/)
    expect(fake.BrowserWindow.created).toHaveLength(0)
  })
})

describe('desktop launch', () => {
  it('registers the scheme before ready, then opens the data dir, the menu, IPC and one window', async () => {
    const fake = await boot(['/opt/Keyhold/keyhold'], (f) => {
      f.app.isPackaged = true
    })
    expect(fake.app.setName).toHaveBeenCalledWith('Keyhold')
    expect(fake.protocol.registerSchemesAsPrivileged).toHaveBeenCalledTimes(1)
    expect(fake.app.requestSingleInstanceLock).toHaveBeenCalledTimes(1)
    await vi.waitFor(() => expect(fake.BrowserWindow.created).toHaveLength(1))
    const window = fake.BrowserWindow.created[0]!
    expect(window.webContents.loadURL).toHaveBeenCalledWith('app://keyhold/index.html')
    expect(window.options.webPreferences).toMatchObject({ devTools: false, sandbox: true, contextIsolation: true })
    expect(fake.protocol.handle).toHaveBeenCalledWith('app', expect.any(Function))
    expect(fake.Menu.setApplicationMenu).toHaveBeenCalledTimes(1)
    expect(JSON.stringify(fake.Menu.buildFromTemplate.mock.calls[0])).not.toContain('toggleDevTools')
    expect(fake.app.setAboutPanelOptions).toHaveBeenCalledTimes(1)
    expect(fake.ipcMain.handlers.size).toBeGreaterThan(0)
    // S23: the default session refuses permissions and remote requests too; the app's page may write the clipboard.
    const session = fake.session.defaultSession
    const page = { isMainFrame: true, requestingUrl: 'app://keyhold/index.html' }
    expect(session.permissionCheckHandler?.(null, 'media', 'app://keyhold', page)).toBe(false)
    expect(session.permissionCheckHandler?.(null, 'clipboard-sanitized-write', 'app://keyhold', page)).toBe(true)
    expect(session.permissionCheckHandler?.(null, 'clipboard-sanitized-write', 'https://evil.example', page)).toBe(
      false,
    )
    expect(session.webRequest.beforeRequest).not.toBeNull()
    expect(readFileSync(join(dir, 'keyhold.log'), 'utf8')).toMatch(/INFO {2}Keyhold 9\.8\.7 starting/)
  })

  it('gives a development build developer tools', async () => {
    const fake = await boot(['/node_modules/electron/dist/electron', '.'])
    await vi.waitFor(() => expect(fake.BrowserWindow.created).toHaveLength(1))
    expect(fake.BrowserWindow.created[0]!.options.webPreferences).toMatchObject({ devTools: true, sandbox: true })
    expect(JSON.stringify(fake.Menu.buildFromTemplate.mock.calls[0])).toContain('toggleDevTools')
  })

  it('closes the database exactly once on quit, after removing the IPC handlers', async () => {
    const fake = await boot(['/opt/Keyhold/keyhold'])
    await vi.waitFor(() => expect(fake.BrowserWindow.created).toHaveLength(1))
    const close = vi.mocked(fakes.keyhold.close)
    close.mockImplementation(() => {
      expect(fake.ipcMain.handlers.size).toBe(0)
    })
    fake.app.emit('will-quit')
    expect(exitHandlers).toHaveLength(1)
    exitHandlers[0]!()
    expect(close).toHaveBeenCalledTimes(1)
    expect(readFileSync(join(dir, 'keyhold.log'), 'utf8')).toMatch(/INFO {2}stopped \(quit\)/)
  })

  it('closes the database on process exit when will-quit never came (app.exit)', async () => {
    const fake = await boot(['/opt/Keyhold/keyhold'])
    await vi.waitFor(() => expect(fake.BrowserWindow.created).toHaveLength(1))
    exitHandlers[0]!()
    expect(fakes.keyhold.close).toHaveBeenCalledTimes(1)
    fake.app.emit('will-quit')
    expect(fakes.keyhold.close).toHaveBeenCalledTimes(1)
  })

  it('still opens the window, and logs why, when the data dir cannot be opened (S19: fail closed)', async () => {
    fakes.openFailure = new Error('disk on fire')
    const fake = await boot(['/opt/Keyhold/keyhold'])
    await vi.waitFor(() => expect(fake.BrowserWindow.created).toHaveLength(1))
    expect(readFileSync(join(dir, 'keyhold.log'), 'utf8')).toMatch(/ERROR cannot open .*disk on fire/)
  })

  it('restores the stored window bounds on a screen that still has them, and stores them on close', async () => {
    writeFileSync(join(dir, 'window-state.json'), JSON.stringify({ x: 50, y: 60, width: 1000, height: 700 }))
    const fake = await boot(['/opt/Keyhold/keyhold'])
    await vi.waitFor(() => expect(fake.BrowserWindow.created).toHaveLength(1))
    const window = fake.BrowserWindow.created[0]!
    expect(window.options).toMatchObject({ x: 50, y: 60, width: 1000, height: 700 })
    window.normalBounds = { x: 70, y: 80, width: 1100, height: 750 }
    window.emit('close', {})
    expect(JSON.parse(readFileSync(join(dir, 'window-state.json'), 'utf8'))).toEqual({
      x: 70,
      y: 80,
      width: 1100,
      height: 750,
      maximized: false,
    })
  })

  it('drops a stored position that is off every screen', async () => {
    writeFileSync(join(dir, 'window-state.json'), JSON.stringify({ x: 5000, y: 60, width: 1000, height: 700 }))
    const fake = await boot(['/opt/Keyhold/keyhold'], (f) => {
      f.screen.displays = [{ workArea: { x: 0, y: 0, width: 1920, height: 1040 } }]
    })
    await vi.waitFor(() => expect(fake.BrowserWindow.created).toHaveLength(1))
    expect(fake.BrowserWindow.created[0]!.options).not.toHaveProperty('x')
    expect(fake.screen.getAllDisplays).toHaveBeenCalled()
  })

  it('quits at once when another Keyhold holds the lock', async () => {
    const fake = await boot(['/opt/Keyhold/keyhold'], (f) => {
      f.app.requestSingleInstanceLock.mockReturnValue(false)
    })
    expect(fake.app.quit).toHaveBeenCalledTimes(1)
    expect(fake.app.whenReady).not.toHaveBeenCalled()
    expect(fake.BrowserWindow.created).toHaveLength(0)
  })
})
