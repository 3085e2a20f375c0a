import type { MenuItemConstructorOptions } from 'electron'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { aboutPanelOptions, installAboutPanel } from '../../../electron/main/app/about-panel'
import { buildMenuTemplate, installAppMenu } from '../../../electron/main/app/app-menu'
import { openDataFolder } from '../../../electron/main/app/open-data-folder'
import { createShutdown } from '../../../electron/main/app/shutdown'
import { app, Menu, shell } from './fake-electron'

vi.mock('electron', async () => (await import('./fake-electron')).electronModule)

const logger = () => ({ info: vi.fn(), warn: vi.fn(), error: vi.fn() })

/** Every role in a template, submenus included, in order. */
function roles(template: readonly MenuItemConstructorOptions[]): string[] {
  return template.flatMap((item) => [
    ...(item.role ? [item.role] : []),
    ...(Array.isArray(item.submenu) ? roles(item.submenu) : []),
  ])
}

function findItem(template: readonly MenuItemConstructorOptions[], id: string): MenuItemConstructorOptions | undefined {
  for (const item of template) {
    if (item.id === id) return item
    if (Array.isArray(item.submenu)) {
      const found = findItem(item.submenu, id)
      if (found) return found
    }
  }
  return undefined
}

beforeEach(() => {
  Menu.setApplicationMenu.mockClear()
  Menu.buildFromTemplate.mockClear()
  shell.openPath.mockReset().mockResolvedValue('')
  shell.openExternal.mockClear()
  app.setAboutPanelOptions.mockClear()
})

describe('application menu', () => {
  it('uses the standard roles on Windows and Linux, with About under Help and Quit under File', () => {
    for (const platform of ['win32', 'linux'] as const) {
      const template = buildMenuTemplate({ platform, developerTools: false, openDataFolder: () => {} })
      expect(template.map((item) => item.label ?? item.role)).toEqual([
        'File',
        'editMenu',
        'View',
        'windowMenu',
        'help',
      ])
      expect(roles(template)).toEqual([
        'quit',
        'editMenu',
        'resetZoom',
        'zoomIn',
        'zoomOut',
        'togglefullscreen',
        'windowMenu',
        'help',
        'about',
      ])
    }
  })

  it('starts with the app menu on macOS (About, Hide, Quit) and closes windows from File', () => {
    const template = buildMenuTemplate({ platform: 'darwin', developerTools: false, openDataFolder: () => {} })
    expect(template[0]).toEqual({ role: 'appMenu' })
    expect(roles(template)).toEqual([
      'appMenu',
      'close',
      'editMenu',
      'resetZoom',
      'zoomIn',
      'zoomOut',
      'togglefullscreen',
      'windowMenu',
    ])
  })

  it('has Reload and the developer tools only in development', () => {
    const development = roles(buildMenuTemplate({ platform: 'linux', developerTools: true, openDataFolder: () => {} }))
    expect(development).toEqual(expect.arrayContaining(['reload', 'forceReload', 'toggleDevTools']))
    const packaged = roles(buildMenuTemplate({ platform: 'linux', developerTools: false, openDataFolder: () => {} }))
    for (const role of ['reload', 'forceReload', 'toggleDevTools']) expect(packaged).not.toContain(role)
  })

  it('opens the data folder from File › Open Data Folder', () => {
    const open = vi.fn()
    const template = buildMenuTemplate({ platform: 'linux', developerTools: false, openDataFolder: open })
    const item = findItem(template, 'open-data-folder')
    expect(item?.label).toBe('Open Data Folder')
    expect(template[0]?.label).toBe('File')
    item?.click?.({} as never, undefined, {} as never)
    expect(open).toHaveBeenCalledTimes(1)
  })

  it('installs the menu as the application menu', () => {
    installAppMenu({ platform: 'linux', developerTools: false, openDataFolder: () => {} })
    expect(Menu.buildFromTemplate).toHaveBeenCalledTimes(1)
    expect(Menu.setApplicationMenu).toHaveBeenCalledWith(Menu.buildFromTemplate.mock.results[0]?.value)
  })
})

describe('About', () => {
  it('shows the app version and the runtime versions', () => {
    const options = aboutPanelOptions({
      appVersion: '1.2.3',
      versions: { electron: '41.7.1', chrome: '146.0', node: '24.1.0' },
    })
    expect(options.applicationName).toBe('Keyhold')
    expect(options.applicationVersion).toBe('1.2.3')
    expect(options.version).toBe('Electron 41.7.1, Chromium 146.0, Node 24.1.0')
    expect(options.credits).toContain('Electron 41.7.1')
  })

  it('leaves out runtimes it does not know (plain Node)', () => {
    expect(aboutPanelOptions({ appVersion: '1.2.3', versions: { node: '20.20.2' } }).version).toBe('Node 20.20.2')
  })

  it('sets the panel from app.getVersion()', () => {
    installAboutPanel()
    expect(app.setAboutPanelOptions).toHaveBeenCalledWith(expect.objectContaining({ applicationVersion: '9.8.7' }))
  })
})

describe('Open Data Folder', () => {
  it('opens the folder with shell.openPath, never openExternal', async () => {
    // S23: openExternal stays reserved for allow-listed URLs.
    const log = logger()
    await openDataFolder('/home/alice/.config/Keyhold', log)
    expect(shell.openPath).toHaveBeenCalledWith('/home/alice/.config/Keyhold')
    expect(shell.openExternal).not.toHaveBeenCalled()
    expect(log.warn).not.toHaveBeenCalled()
  })

  it('logs the reason when the file manager cannot open it', async () => {
    shell.openPath.mockResolvedValue('No application is registered as handling this file')
    const log = logger()
    await openDataFolder('/data', log)
    expect(log.warn).toHaveBeenCalledWith(
      'could not open the data folder /data: No application is registered as handling this file',
    )
  })
})

describe('shutdown', () => {
  it('runs each step once, in order, however often it is asked', () => {
    const order: string[] = []
    const log = logger()
    const shutdown = createShutdown(
      [
        { name: 'transport', run: () => order.push('transport') },
        { name: 'database', run: () => order.push('database') },
      ],
      log,
    )
    expect(shutdown.done).toBe(false)
    shutdown.run('quit')
    shutdown.run('exit')
    expect(order).toEqual(['transport', 'database'])
    expect(shutdown.done).toBe(true)
    expect(log.info).toHaveBeenCalledWith('stopped (quit)')
  })

  it('still closes the database when an earlier step fails, and logs the failure', () => {
    const close = vi.fn()
    const log = logger()
    const failure = new Error('handler already removed')
    createShutdown(
      [
        {
          name: 'removing the IPC handlers',
          run: () => {
            throw failure
          },
        },
        { name: 'closing the database', run: close },
      ],
      log,
    ).run('quit')
    expect(close).toHaveBeenCalledTimes(1)
    expect(log.error).toHaveBeenCalledWith('shutdown: removing the IPC handlers failed', failure)
  })
})
