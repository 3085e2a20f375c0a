import { Menu, type MenuItemConstructorOptions } from 'electron'

/**
 * The application menu: the standard roles (so copy/paste, undo and window handling behave as the OS
 * user expects), File › Open Data Folder, and About. Reload and the developer tools exist only in
 * development: in a packaged build they would only let someone poke at a signed-in page.
 */
export interface MenuOptions {
  readonly platform: NodeJS.Platform
  /** Development build: adds Reload, Force Reload and Toggle Developer Tools. */
  readonly developerTools: boolean
  readonly openDataFolder: () => void
}

export function buildMenuTemplate(options: MenuOptions): MenuItemConstructorOptions[] {
  const mac = options.platform === 'darwin'
  const openDataFolder: MenuItemConstructorOptions = {
    id: 'open-data-folder',
    label: 'Open Data Folder',
    click: () => options.openDataFolder(),
  }
  const development: MenuItemConstructorOptions[] = options.developerTools
    ? [{ role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' }, { type: 'separator' }]
    : []
  return [
    // macOS: the app menu (About, Services, Hide, Quit) comes first and carries the app's name.
    ...(mac ? [{ role: 'appMenu' } satisfies MenuItemConstructorOptions] : []),
    {
      label: 'File',
      submenu: [openDataFolder, { type: 'separator' }, mac ? { role: 'close' } : { role: 'quit' }],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        ...development,
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
    // On macOS About is in the app menu; elsewhere it is the Help menu's only item.
    ...(mac ? [] : [{ role: 'help', submenu: [{ role: 'about' }] } satisfies MenuItemConstructorOptions]),
  ]
}

export function installAppMenu(options: MenuOptions): void {
  Menu.setApplicationMenu(Menu.buildFromTemplate(buildMenuTemplate(options)))
}
