import { protocol } from 'electron'
import { readFile, realpath, stat } from 'node:fs/promises'
import { extname, isAbsolute, relative, resolve, sep } from 'node:path'
import { appHost, appScheme } from './trusted-origin'

/**
 * The packaged renderer is served from `app://keyhold/…` rather than `file://`
 * (S23): a file URL would give the page the whole disk as its origin, while a
 * standard, secure custom scheme gives it one origin of its own, real CSP
 * headers and a place where the main process decides what may be read.
 */

/**
 * S23: the renderer's policy. Scripts, styles and fonts only from the app
 * itself (Vite emits files, vue-i18n is precompiled, so neither `unsafe-inline`
 * nor `unsafe-eval` is needed); images may also be `data:` URLs (QR codes); no
 * frames, plugins, workers, form posts or `<base>` rewrites.
 */
export const contentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "frame-src 'none'",
  "object-src 'none'",
  "worker-src 'none'",
].join('; ')

const mimeTypes: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.wasm': 'application/wasm',
}

export function mimeTypeFor(file: string): string {
  return mimeTypes[extname(file).toLowerCase()] ?? 'application/octet-stream'
}

/** Headers on every response, errors included, so no page of ours is ever without its CSP. */
function baseHeaders(): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy,
    // The MIME type we send is the one the browser uses: no sniffing a .json into a script.
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  }
}

function plain(status: number, text: string): Response {
  return new Response(text, { status, headers: { ...baseHeaders(), 'Content-Type': 'text/plain; charset=utf-8' } })
}

/** True when `file` is `root` itself or below it, judged on resolved paths (so `..`, `%2e%2e` and `\` cannot escape). */
function isInside(root: string, file: string): boolean {
  const rel = relative(root, file)
  return rel === '' || (!isAbsolute(rel) && rel.split(sep)[0] !== '..')
}

/**
 * Serves the files under `rendererDir` for `app://keyhold/<path>`. `/` is
 * `index.html`; anything outside the folder, including through a symlink, is
 * refused; a missing file is a 404. There is deliberately no "serve index.html
 * for unknown paths" fallback: the renderer routes with hash history, so a
 * request for a path that is not a file is a bug or a probe, not a page.
 */
export function createAppProtocolHandler(rendererDir: string): (request: Request) => Promise<Response> {
  const root = resolve(rendererDir)
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return plain(405, 'Method not allowed')
    let url: URL
    try {
      url = new URL(request.url)
    } catch {
      return plain(400, 'Bad request')
    }
    if (url.protocol !== `${appScheme}:` || url.host !== appHost) return plain(404, 'Not found')
    let pathname: string
    try {
      pathname = decodeURIComponent(url.pathname)
    } catch {
      return plain(400, 'Bad request')
    }
    if (pathname.includes('\0')) return plain(400, 'Bad request')
    const wanted = pathname.replace(/^[/\\]+/, '') || 'index.html'
    const file = resolve(root, wanted)
    if (!isInside(root, file)) return plain(403, 'Forbidden')
    let real: string
    try {
      real = await realpath(file)
      if (!isInside(await realpath(root), real)) return plain(403, 'Forbidden')
      if (!(await stat(real)).isFile()) return plain(404, 'Not found')
    } catch {
      return plain(404, 'Not found')
    }
    const body = request.method === 'HEAD' ? null : new Uint8Array(await readFile(real))
    return new Response(body, { status: 200, headers: { ...baseHeaders(), 'Content-Type': mimeTypeFor(real) } })
  }
}

/**
 * Must run before `app` is ready: Chromium fixes the scheme list at startup.
 * `standard` gives `app://keyhold` a real origin (relative URLs, storage),
 * `secure` makes it a secure context like https, `supportFetchAPI` lets the
 * page load its ES modules through it.
 */
export function registerAppSchemePrivileges(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: appScheme, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ])
}

/** After ready: answer `app://` requests of the default session from the built renderer. */
export function installAppProtocol(rendererDir: string): void {
  protocol.handle(appScheme, createAppProtocolHandler(rendererDir))
}
