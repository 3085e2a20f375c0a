/**
 * Where the renderer comes from, and the one origin the main process trusts (S23).
 * Plain functions with no Electron import, shared by the window guards, the
 * `app://` protocol and the IPC sender check.
 */
export const appScheme = 'app'
export const appHost = 'keyhold'
export const appOrigin = `${appScheme}://${appHost}`
export const appEntryUrl = `${appOrigin}/index.html`

export interface RendererTarget {
  /** What the window loads. */
  readonly url: string
  /** The only origin allowed to navigate the window and to call IPC. */
  readonly origin: string
}

/**
 * `scheme://host[:port]` of a URL, or null when it has none. WHATWG `URL.origin`
 * is the string "null" for schemes it does not know (such as `app:`), which would
 * make every custom-scheme URL compare equal to every other, so build it by hand.
 */
export function originOf(url: string): string | null {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return null
  }
  if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return parsed.origin
  if (parsed.host === '') return null
  return `${parsed.protocol}//${parsed.host}`
}

export function isTrustedUrl(url: string, trustedOrigin: string): boolean {
  return originOf(url) === trustedOrigin
}

/**
 * Production loads `app://keyhold/index.html`. In development electron-vite sets
 * ELECTRON_RENDERER_URL to its dev server; that is honoured only when the app is
 * not packaged, so an environment variable can never point a shipped build (and
 * its IPC) at another origin.
 */
export function resolveRendererTarget(options: {
  readonly isPackaged: boolean
  readonly devServerUrl: string | undefined
}): RendererTarget {
  if (!options.isPackaged && options.devServerUrl) {
    const origin = originOf(options.devServerUrl)
    const loopback = origin !== null && /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/.test(origin)
    // The dev server is Vite on this machine; anything else is a misconfiguration, not a renderer to trust.
    if (!loopback) throw new Error(`ELECTRON_RENDERER_URL must be a loopback http(s) URL, got ${options.devServerUrl}`)
    return { url: options.devServerUrl, origin }
  }
  return { url: appEntryUrl, origin: appOrigin }
}
