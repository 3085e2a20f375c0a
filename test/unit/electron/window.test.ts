import type { Session, WebContents } from 'electron'
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { EventEmitter } from 'node:events'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { WindowState } from '../../../electron/main/app/window-state'
import { createWindowManager } from '../../../electron/main/window/create-main-window'
import { claimSingleInstance } from '../../../electron/main/window/single-instance'
import { appEntryUrl, appOrigin, originOf, resolveRendererTarget } from '../../../electron/main/window/trusted-origin'
import {
  blockRemoteRequests,
  clipboardWritePermission,
  externalUrlAllowlist,
  guardPermissions,
  guardWebContents,
  installWebContentsGuards,
  isAllowedExternalUrl,
  isPermissionAllowed,
  isTrustedNetworkUrl,
  networkUrlPatterns,
} from '../../../electron/main/window/web-contents-guards'
import {
  app,
  FakeBrowserWindow,
  FakeSession,
  FakeWebContents,
  shell,
  type FakePermissionDetails,
} from './fake-electron'

vi.mock('electron', async () => (await import('./fake-electron')).electronModule)

const preloadPath = '/opt/keyhold/out/preload/index.js'
const target = { url: appEntryUrl, origin: appOrigin }

function navigation(url: string, extra: Record<string, unknown> = {}) {
  return { url, isMainFrame: true, preventDefault: vi.fn(), ...extra }
}

const asContents = (contents: FakeWebContents) => contents as unknown as WebContents
const asSession = (session: FakeSession) => session as unknown as Session

beforeEach(() => {
  FakeBrowserWindow.created.length = 0
  shell.openExternal.mockClear()
  app.removeAllListeners()
  app.requestSingleInstanceLock.mockReset().mockReturnValue(true)
})

describe('window factory', () => {
  it('creates windows with context isolation, sandbox, no Node, no webview and no developer tools', () => {
    // S23: context isolation, sandbox, no Node integration, no webview; every value explicit.
    const window = createWindowManager({ preloadPath, target }).open()
    const created = FakeBrowserWindow.created[0]!
    expect(window).toBe(created)
    expect(created.options.webPreferences).toEqual({
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
      disableBlinkFeatures: 'Auxclick',
      devTools: false,
      spellcheck: false,
    })
    expect(created.webContents.loadURL).toHaveBeenCalledWith('app://keyhold/index.html')
  })

  it('has developer tools only when asked (development)', () => {
    createWindowManager({ preloadPath, target, developerTools: true }).open()
    expect(FakeBrowserWindow.created[0]!.options.webPreferences).toMatchObject({ devTools: true, sandbox: true })
  })

  it('opens where the state source says, maximizes when it was, and remembers the bounds on close', () => {
    const remembered: WindowState[] = []
    const manager = createWindowManager({
      preloadPath,
      target,
      windowState: {
        initial: () => ({ x: 40, y: 60, width: 900, height: 700, maximized: true }),
        remember: (state) => remembered.push(state),
      },
    })
    manager.open()
    const window = FakeBrowserWindow.created[0]!
    expect(window.options).toMatchObject({ x: 40, y: 60, width: 900, height: 700, minWidth: 640, minHeight: 520 })
    window.emit('ready-to-show')
    expect(window.maximize).toHaveBeenCalledTimes(1)
    expect(window.show).toHaveBeenCalledTimes(1)
    window.normalBounds = { x: 100.4, y: 120, width: 1000, height: 760.6 }
    window.emit('close', { preventDefault: vi.fn() })
    expect(remembered).toEqual([{ x: 100, y: 120, width: 1000, height: 761, maximized: true }])
  })

  it('lets the OS place a window without a stored position, at the default size', () => {
    createWindowManager({ preloadPath, target }).open()
    const options = FakeBrowserWindow.created[0]!.options
    expect(options).not.toHaveProperty('x')
    expect(options).not.toHaveProperty('y')
    expect(options).toMatchObject({ width: 1024, height: 720 })
    FakeBrowserWindow.created[0]!.emit('ready-to-show')
    expect(FakeBrowserWindow.created[0]!.maximize).not.toHaveBeenCalled()
  })

  it('reports a page that fails to load to the logger', async () => {
    const logger = { error: vi.fn() }
    const manager = createWindowManager({ preloadPath, target, logger })
    const failing = new Error('ERR_FILE_NOT_FOUND')
    FakeWebContents.failNextLoad = failing
    manager.open()
    await vi.waitFor(() => expect(logger.error).toHaveBeenCalledWith('the window could not load its page', failing))
  })

  it('S31: a file the window saves (recovery codes, audit CSV) is made 0600 once saved; a link there is left alone', () => {
    const dir = mkdtempSync(join(tmpdir(), 'keyhold-download-'))
    try {
      const logger = { error: vi.fn() }
      createWindowManager({ preloadPath, target, logger }).open()
      const session = FakeBrowserWindow.created[0]!.webContents.session
      const download = (path: string, state: string) => {
        const item = Object.assign(new EventEmitter(), { getSavePath: () => path })
        session.emit('will-download', {}, item)
        item.emit('done', {}, state)
      }
      // As Chromium's download manager leaves a download under a umask of 022.
      const saved = join(dir, 'keyhold-recovery-codes-bob.txt')
      writeFileSync(saved, 'codes\n')
      chmodSync(saved, 0o644)
      download(saved, 'completed')
      expect(statSync(saved).mode & 0o777).toBe(0o600)

      const cancelled = join(dir, 'cancelled.csv')
      writeFileSync(cancelled, '')
      chmodSync(cancelled, 0o644)
      download(cancelled, 'cancelled')
      expect(statSync(cancelled).mode & 0o777).toBe(0o644)

      const victim = join(dir, 'victim.txt')
      writeFileSync(victim, 'not Keyhold’s')
      chmodSync(victim, 0o644)
      symlinkSync(victim, join(dir, 'link.csv'))
      download(join(dir, 'link.csv'), 'completed')
      expect(statSync(victim).mode & 0o777).toBe(0o644)
      expect(readFileSync(victim, 'utf8')).toBe('not Keyhold’s')
      expect(logger.error).toHaveBeenCalledWith(
        'a saved file could not be made readable by you only',
        expect.objectContaining({ name: 'UnsafePathError' }),
      )
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('guards the windows it creates and denies their permissions but clipboard writing from its own page', () => {
    // S23: a window from the factory is safe without relying on the global hook.
    createWindowManager({ preloadPath, target }).open()
    const contents = FakeBrowserWindow.created[0]!.webContents
    const event = navigation('https://evil.example/')
    contents.emit('will-navigate', event)
    expect(event.preventDefault).toHaveBeenCalled()
    expect(contents.windowOpenHandler?.({ url: 'https://evil.example/' })).toEqual({ action: 'deny' })
    const page = { isMainFrame: true, requestingUrl: `${appEntryUrl}#/account` }
    expect(contents.session.permissionCheckHandler?.(null, 'media', appOrigin, page)).toBe(false)
    expect(contents.session.permissionCheckHandler?.(null, clipboardWritePermission, appOrigin, page)).toBe(true)
  })

  it('trusts the origin it loads: the dev server in development', () => {
    // S23: the one origin is the window's own, whichever it is.
    const dev = resolveRendererTarget({ isPackaged: false, devServerUrl: 'http://localhost:5173/' })
    createWindowManager({ preloadPath, target: dev }).open()
    const session = FakeBrowserWindow.created[0]!.webContents.session
    const page = { isMainFrame: true, requestingUrl: 'http://localhost:5173/#/account' }
    expect(session.permissionCheckHandler?.(null, clipboardWritePermission, 'http://localhost:5173/', page)).toBe(true)
    expect(session.permissionCheckHandler?.(null, clipboardWritePermission, appOrigin, page)).toBe(false)
  })

  it('knows its own windows until they close, and nobody else', () => {
    // S23: the IPC sender check relies on this.
    const manager = createWindowManager({ preloadPath, target })
    manager.open()
    const window = FakeBrowserWindow.created[0]!
    expect(manager.isOwnWebContents(asContents(window.webContents))).toBe(true)
    expect(manager.isOwnWebContents(asContents(new FakeWebContents()))).toBe(false)
    window.emit('closed')
    expect(manager.isOwnWebContents(asContents(window.webContents))).toBe(false)
  })

  it('shows the window once painted, and focuses an existing one', () => {
    const manager = createWindowManager({ preloadPath, target })
    expect(manager.focusExisting()).toBe(false)
    manager.open()
    const window = FakeBrowserWindow.created[0]!
    expect(window.options.show).toBe(false)
    window.emit('ready-to-show')
    expect(window.show).toHaveBeenCalledTimes(1)
    window.minimized = true
    expect(manager.focusExisting()).toBe(true)
    expect(window.restore).toHaveBeenCalled()
    expect(window.focus).toHaveBeenCalled()
  })
})

describe('navigation and new windows', () => {
  let contents: FakeWebContents
  beforeEach(() => {
    contents = new FakeWebContents()
    guardWebContents(asContents(contents), { trustedOrigin: appOrigin })
  })

  it.each(['will-navigate', 'will-redirect'])('%s: other origins are refused, our own is allowed', (name) => {
    // S23: no navigation away from Keyhold.
    for (const url of [
      'https://evil.example/',
      'http://127.0.0.1:8080/',
      'file:///etc/passwd',
      'app://other/index.html',
      'javascript:alert(1)',
      'data:text/html,<h1>hi</h1>',
    ]) {
      const event = navigation(url)
      contents.emit(name, event)
      expect(event.preventDefault, url).toHaveBeenCalled()
    }
    const own = navigation('app://keyhold/index.html#/account')
    contents.emit(name, own)
    expect(own.preventDefault).not.toHaveBeenCalled()
    expect(shell.openExternal).not.toHaveBeenCalled()
  })

  it('refuses subframe navigation to other origins', () => {
    // S23: frames are forbidden by the CSP; the main process refuses them too.
    const event = navigation('https://evil.example/', { isMainFrame: false })
    contents.emit('will-frame-navigate', event)
    expect(event.preventDefault).toHaveBeenCalled()
  })

  it('denies every new window and opens nothing while the allowlist is empty', () => {
    // S23: no new windows; openExternal only to an allowlist, which starts empty.
    expect(externalUrlAllowlist).toEqual([])
    for (const url of ['https://example.org/', 'app://keyhold/index.html', 'file:///etc/passwd']) {
      expect(contents.windowOpenHandler?.({ url })).toEqual({ action: 'deny' })
    }
    expect(shell.openExternal).not.toHaveBeenCalled()
  })

  it('opens only allowlisted http(s) origins in the browser, and still denies the window', () => {
    // S23: openExternal only to an allowlist.
    const allowed = new FakeWebContents()
    guardWebContents(asContents(allowed), { trustedOrigin: appOrigin, allowlist: ['https://docs.keyhold.example'] })
    expect(allowed.windowOpenHandler?.({ url: 'https://docs.keyhold.example/guide' })).toEqual({ action: 'deny' })
    expect(shell.openExternal).toHaveBeenCalledWith('https://docs.keyhold.example/guide')
    shell.openExternal.mockClear()
    allowed.windowOpenHandler?.({ url: 'https://docs.keyhold.example.evil.example/' })
    allowed.windowOpenHandler?.({ url: 'http://docs.keyhold.example/' })
    const link = navigation('https://docs.keyhold.example/faq')
    allowed.emit('will-navigate', link)
    expect(link.preventDefault).toHaveBeenCalled()
    expect(shell.openExternal.mock.calls).toEqual([['https://docs.keyhold.example/faq']])
    expect(isAllowedExternalUrl('file:///x', ['file://'])).toBe(false)
  })

  it('refuses to attach a webview', () => {
    // S23: webviewTag is off, and an attach is refused regardless.
    const event = { preventDefault: vi.fn() }
    contents.emit('will-attach-webview', event, { nodeIntegration: true }, { src: 'https://evil.example/' })
    expect(event.preventDefault).toHaveBeenCalled()
  })

  it('guards every web contents the app creates', () => {
    // S23: the checklist's global hook.
    installWebContentsGuards({ trustedOrigin: appOrigin })
    const other = new FakeWebContents()
    app.emit('web-contents-created', {}, other)
    const event = navigation('https://evil.example/')
    other.emit('will-navigate', event)
    expect(event.preventDefault).toHaveBeenCalled()
    expect(other.windowOpenHandler?.({ url: 'https://evil.example/' })).toEqual({ action: 'deny' })
  })
})

describe('permissions', () => {
  /** Keyhold's page, as Electron describes the top frame that asks. */
  const ownPage: FakePermissionDetails = { isMainFrame: true, requestingUrl: `${appEntryUrl}#/account/mfa/setup/totp` }
  const otherPermissions = [
    'clipboard-read',
    'deprecated-sync-clipboard-read',
    'media',
    'geolocation',
    'notifications',
    'fullscreen',
    'openExternal',
    'pointerLock',
    'keyboardLock',
    'display-capture',
    'midiSysex',
    'hid',
    'serial',
    'usb',
    'storage-access',
    'window-management',
    'fileSystem',
    'unknown',
  ]
  const otherOrigins = [
    'https://evil.example',
    'http://localhost:5173',
    'file://',
    'app://keyhold.evil.example',
    'app://other',
    'keyhold://keyhold',
  ]

  /** The request handler's answer (its callback), or a failure if it never answers. */
  function requestAnswer(session: FakeSession, permission: string, details: FakePermissionDetails): boolean {
    const callback = vi.fn()
    session.permissionRequestHandler?.({}, permission, callback, details)
    expect(callback).toHaveBeenCalledTimes(1)
    return callback.mock.calls[0]![0] as boolean
  }

  function guardedSession(trustedOrigin = appOrigin): FakeSession {
    const session = new FakeSession()
    guardPermissions(asSession(session), trustedOrigin)
    return session
  }

  it("allows writing to the clipboard (Copy) for the app's own page, asked or checked", () => {
    // S23: the one permission, so navigator.clipboard.writeText works for the Copy buttons.
    const session = guardedSession()
    expect(clipboardWritePermission).toBe('clipboard-sanitized-write')
    expect(requestAnswer(session, clipboardWritePermission, ownPage)).toBe(true)
    expect(session.permissionCheckHandler?.(null, clipboardWritePermission, appOrigin, ownPage)).toBe(true)
    // Electron may give the origin with a trailing slash, and leave out the URL for a check.
    expect(
      session.permissionCheckHandler?.(null, clipboardWritePermission, `${appOrigin}/`, { isMainFrame: true }),
    ).toBe(true)
  })

  it("denies every other permission to the app's own page, asked or checked, and every device", () => {
    // S23: permission requests denied (clipboard reading included: the page never sees what others copied).
    const session = guardedSession()
    for (const permission of otherPermissions) {
      expect(requestAnswer(session, permission, ownPage), permission).toBe(false)
      expect(session.permissionCheckHandler?.(null, permission, appOrigin, ownPage), permission).toBe(false)
    }
    expect(session.devicePermissionHandler?.({ deviceType: 'usb', origin: appOrigin })).toBe(false)
    expect(session.devicePermissionHandler?.({ deviceType: 'hid', origin: appOrigin })).toBe(false)
  })

  it('denies clipboard writing to any other origin, to subframes and to a page that gives no URL', () => {
    // S23: only the origin the window loads; a frame inside it (the CSP forbids them anyway) gets nothing.
    const session = guardedSession()
    for (const origin of otherOrigins) {
      const details = { isMainFrame: true, requestingUrl: `${origin}/index.html` }
      expect(requestAnswer(session, clipboardWritePermission, details), origin).toBe(false)
      expect(session.permissionCheckHandler?.(null, clipboardWritePermission, origin, details), origin).toBe(false)
      // The check's origin and the frame's URL must both be the app's.
      expect(session.permissionCheckHandler?.(null, clipboardWritePermission, appOrigin, details), origin).toBe(false)
      expect(session.permissionCheckHandler?.(null, clipboardWritePermission, origin, ownPage), origin).toBe(false)
    }
    const subframe = { ...ownPage, isMainFrame: false }
    expect(requestAnswer(session, clipboardWritePermission, subframe)).toBe(false)
    expect(session.permissionCheckHandler?.(null, clipboardWritePermission, appOrigin, subframe)).toBe(false)
    const embedded = { isMainFrame: false, embeddingOrigin: appOrigin }
    expect(session.permissionCheckHandler?.(null, clipboardWritePermission, appOrigin, embedded)).toBe(false)
    expect(requestAnswer(session, clipboardWritePermission, { isMainFrame: true })).toBe(false)
    expect(requestAnswer(session, clipboardWritePermission, { isMainFrame: true, requestingUrl: 'not a url' })).toBe(
      false,
    )
    expect(session.permissionCheckHandler?.(null, clipboardWritePermission, '', { isMainFrame: true })).toBe(false)
  })

  it('decides the same way as a plain function', () => {
    const ask = { permission: clipboardWritePermission, requestingUrl: appEntryUrl, isMainFrame: true }
    expect(isPermissionAllowed(ask, appOrigin)).toBe(true)
    expect(isPermissionAllowed({ ...ask, permission: 'clipboard-read' }, appOrigin)).toBe(false)
    expect(isPermissionAllowed({ ...ask, requestingUrl: undefined }, appOrigin)).toBe(false)
    expect(isPermissionAllowed({ ...ask, isMainFrame: false }, appOrigin)).toBe(false)
    expect(isPermissionAllowed(ask, 'http://localhost:5173')).toBe(false)
  })

  it('installs its handlers once per session', () => {
    const session = guardedSession()
    const handler = session.permissionRequestHandler
    guardPermissions(asSession(session), 'https://evil.example')
    expect(session.permissionRequestHandler).toBe(handler)
    expect(requestAnswer(session, clipboardWritePermission, ownPage)).toBe(true)
  })
})

describe('no remote content', () => {
  /** What the session's onBeforeRequest listener answers for `url`. */
  function decide(session: FakeSession, url: string): { cancel?: boolean } {
    let answer: { cancel?: boolean } | undefined
    session.webRequest.beforeRequest?.({ url }, (response) => {
      answer = response
    })
    if (answer === undefined) throw new Error('the listener did not answer')
    return answer
  }

  it('cancels every http(s) and websocket request of a packaged build', () => {
    // S23: no remote content, enforced in the main process as well as by the CSP.
    const session = new FakeSession()
    blockRemoteRequests(asSession(session), appOrigin)
    expect(session.webRequest.filter).toEqual({ urls: networkUrlPatterns })
    expect(networkUrlPatterns).toEqual(['http://*/*', 'https://*/*', 'ws://*/*', 'wss://*/*'])
    for (const url of [
      'https://cdn.example/lib.js',
      'http://127.0.0.1:5173/',
      'http://localhost/',
      'wss://evil.example/socket',
      'ws://localhost:5173/',
    ]) {
      expect(decide(session, url), url).toEqual({ cancel: true })
    }
  })

  it('in development lets through only the dev server and its live-reload socket', () => {
    const session = new FakeSession()
    blockRemoteRequests(asSession(session), 'http://localhost:5173')
    expect(decide(session, 'http://localhost:5173/src/main.ts')).toEqual({ cancel: false })
    expect(decide(session, 'ws://localhost:5173/?token=x')).toEqual({ cancel: false })
    expect(decide(session, 'http://localhost:5174/')).toEqual({ cancel: true })
    expect(decide(session, 'wss://localhost:5173/')).toEqual({ cancel: true })
    expect(decide(session, 'https://localhost:5173/')).toEqual({ cancel: true })
    expect(isTrustedNetworkUrl('ws://localhost.evil.example:5173/', 'http://localhost:5173')).toBe(false)
    expect(isTrustedNetworkUrl('not a url', 'http://localhost:5173')).toBe(false)
  })

  it('is installed on the session of every window the factory creates', () => {
    createWindowManager({ preloadPath, target }).open()
    const session = FakeBrowserWindow.created[0]!.webContents.session
    expect(decide(session, 'https://evil.example/')).toEqual({ cancel: true })
  })
})

describe('single instance', () => {
  it('quits a second process and focuses the first window on a second launch', () => {
    const focus = vi.fn()
    expect(claimSingleInstance(focus)).toBe(true)
    app.emit('second-instance', {}, [], '/')
    expect(focus).toHaveBeenCalledTimes(1)
    app.requestSingleInstanceLock.mockReturnValue(false)
    expect(claimSingleInstance(focus)).toBe(false)
  })
})

describe('trusted origin', () => {
  it('is app://keyhold when packaged, whatever ELECTRON_RENDERER_URL says', () => {
    // S23: an environment variable cannot point a shipped build at another origin.
    expect(resolveRendererTarget({ isPackaged: true, devServerUrl: 'http://localhost:5173' })).toEqual({
      url: 'app://keyhold/index.html',
      origin: 'app://keyhold',
    })
    expect(resolveRendererTarget({ isPackaged: false, devServerUrl: undefined }).origin).toBe('app://keyhold')
    expect(resolveRendererTarget({ isPackaged: false, devServerUrl: 'http://localhost:5173/' })).toEqual({
      url: 'http://localhost:5173/',
      origin: 'http://localhost:5173',
    })
    expect(() => resolveRendererTarget({ isPackaged: false, devServerUrl: 'https://evil.example/' })).toThrow(
      /loopback/,
    )
  })

  it('tells custom-scheme origins apart (URL.origin calls them all "null")', () => {
    expect(new URL('app://keyhold/x').origin).toBe('null')
    expect(originOf('app://keyhold/index.html')).toBe('app://keyhold')
    expect(originOf('app://keyhold.evil/index.html')).toBe('app://keyhold.evil')
    expect(originOf('http://localhost:5173/src/main.ts')).toBe('http://localhost:5173')
    expect(originOf('about:blank')).toBeNull()
    expect(originOf('not a url')).toBeNull()
  })
})
