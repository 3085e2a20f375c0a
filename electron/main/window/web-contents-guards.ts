import { app, shell, type Session, type WebContents } from 'electron'
import { isTrustedUrl, originOf } from './trusted-origin'

/**
 * S23: the web contents of Keyhold never leave Keyhold. Navigation to another
 * origin, new windows, `<webview>` and every permission but writing to the
 * clipboard from Keyhold's own page are refused in the main process, whatever
 * the renderer (or anything injected into it) asks.
 */

/**
 * S23: the http(s) origins (e.g. `https://keyhold.example`) that a link in the
 * app may open in the user's own browser. Empty: no feature needs one yet, and
 * every entry is a place an attacker-controlled string could send the user.
 */
export const externalUrlAllowlist: readonly string[] = []

export function isAllowedExternalUrl(url: string, allowlist: readonly string[] = externalUrlAllowlist): boolean {
  const origin = originOf(url)
  if (origin === null || !/^https?:\/\//.test(origin)) return false
  return allowlist.includes(origin)
}

function openExternallyIfAllowed(url: string, allowlist: readonly string[]): void {
  if (!isAllowedExternalUrl(url, allowlist)) return
  // The browser is another program: a failure to start it is not ours to crash on.
  shell.openExternal(url).catch((error: unknown) => {
    console.error('Keyhold: could not open an external link:', error instanceof Error ? error.message : error)
  })
}

export interface GuardOptions {
  /** The renderer's origin (`app://keyhold`, or the dev server in development). */
  readonly trustedOrigin: string
  readonly allowlist?: readonly string[]
}

const guarded = new WeakSet<WebContents>()

/** Idempotent, so both the window factory and the global `web-contents-created` hook may call it. */
export function guardWebContents(contents: WebContents, options: GuardOptions): void {
  if (guarded.has(contents)) return
  guarded.add(contents)
  const allowlist = options.allowlist ?? externalUrlAllowlist
  const stayInApp = (event: { readonly url: string; preventDefault(): void }): void => {
    if (isTrustedUrl(event.url, options.trustedOrigin)) return
    event.preventDefault()
    openExternallyIfAllowed(event.url, allowlist)
  }
  // Links, `location = …`, form posts and server redirects of the page itself.
  contents.on('will-navigate', stayInApp)
  contents.on('will-redirect', stayInApp)
  // Subframes too (the CSP already forbids frames; this holds even if it is bypassed). The main
  // frame is left to 'will-navigate' so an allowed external link is not opened twice.
  contents.on('will-frame-navigate', (event) => {
    if (event.isMainFrame || isTrustedUrl(event.url, options.trustedOrigin)) return
    event.preventDefault()
  })
  // `window.open` and `target=_blank`: never a new Electron window.
  contents.setWindowOpenHandler(({ url }) => {
    openExternallyIfAllowed(url, allowlist)
    return { action: 'deny' }
  })
  // `webviewTag` is off; this refuses a `<webview>` even if something turned it on.
  contents.on('will-attach-webview', (event) => {
    event.preventDefault()
  })
}

const lockedSessions = new WeakSet<Session>()

/**
 * S23: the one permission Keyhold's page gets. `clipboard-sanitized-write` is
 * what `navigator.clipboard.writeText` asks for: the Copy buttons (a key shown
 * for an authenticator app, recovery codes, a setup code) put text there at the
 * person's request. Writing only; reading the clipboard stays refused, so the
 * page never sees what other programs copied.
 */
export const clipboardWritePermission = 'clipboard-sanitized-write'

export interface PermissionAsk {
  readonly permission: string
  /** The origin (or the last URL) of the frame that asks, as Electron reports it. */
  readonly requestingUrl: string | undefined
  readonly isMainFrame: boolean
}

/**
 * S23: the answer to every permission request and check of the window's
 * session: yes only to clipboard writing, only for the page Keyhold loads
 * itself (its own origin, `app://keyhold` or the dev server), only from its
 * top frame. Everything else is refused without a prompt: camera, microphone,
 * location, notifications, USB, HID, serial, MIDI, clipboard reading, fullscreen.
 */
export function isPermissionAllowed(ask: PermissionAsk, trustedOrigin: string): boolean {
  if (ask.permission !== clipboardWritePermission || !ask.isMainFrame) return false
  return ask.requestingUrl !== undefined && isTrustedUrl(ask.requestingUrl, trustedOrigin)
}

/**
 * Installs that answer on `session` (requests, checks; device access is always
 * refused). Chromium asks both ways: most APIs check first and then request.
 */
export function guardPermissions(session: Session, trustedOrigin: string): void {
  if (lockedSessions.has(session)) return
  lockedSessions.add(session)
  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    callback(
      isPermissionAllowed(
        { permission, requestingUrl: details.requestingUrl, isMainFrame: details.isMainFrame },
        trustedOrigin,
      ),
    )
  })
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin, details) => {
    // A cross-origin subframe is named by embeddingOrigin; the top frame's URL, when given, must agree.
    if (details.embeddingOrigin !== undefined) return false
    if (details.requestingUrl !== undefined && !isTrustedUrl(details.requestingUrl, trustedOrigin)) return false
    return isPermissionAllowed(
      { permission, requestingUrl: requestingOrigin, isMainFrame: details.isMainFrame },
      trustedOrigin,
    )
  })
  session.setDevicePermissionHandler(() => false)
}

/**
 * A URL the renderer's session may fetch over the network: only the trusted origin (in development the
 * Vite dev server) and, for Vite's live reload, a ws(s) socket to that same host and port.
 */
export function isTrustedNetworkUrl(url: string, trustedOrigin: string): boolean {
  if (isTrustedUrl(url, trustedOrigin)) return true
  const origin = originOf(url)
  if (origin === null) return false
  const asHttp = origin.replace(/^ws(s?):/, 'http$1:')
  return asHttp !== origin && asHttp === trustedOrigin
}

/** Every request of the network schemes goes past this filter; app:// and data: are not network requests. */
export const networkUrlPatterns = ['http://*/*', 'https://*/*', 'ws://*/*', 'wss://*/*']

/**
 * S23, no remote content: the renderer never loads anything from the network. A packaged build trusts
 * only app://keyhold, so every http(s) and websocket request of its session is cancelled in the main
 * process. The CSP says the same in the page; this holds even if the CSP were bypassed. (The SMTP and
 * SMS providers are called by the main process through Node, not through this session.)
 */
export function blockRemoteRequests(session: Session, trustedOrigin: string): void {
  session.webRequest.onBeforeRequest({ urls: networkUrlPatterns }, (details, callback) => {
    callback({ cancel: !isTrustedNetworkUrl(details.url, trustedOrigin) })
  })
}

/**
 * The Electron checklist's pattern: guard every web contents the app ever
 * creates, not only the windows we know about. Call before the first window.
 */
export function installWebContentsGuards(options: GuardOptions): void {
  app.on('web-contents-created', (_event, contents) => {
    guardWebContents(contents, options)
  })
}
