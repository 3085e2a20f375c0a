import { readFile } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { isChannel } from '../../shared/channels'
import type { ErrorPayload, Result } from '../../shared/errors'
import type { Router } from '../ipc/router'
import {
  createShimSource,
  previewClientHeader,
  previewRpcPrefix,
  previewShimPath,
  previewTokenHeader,
  previewTokenMetaName,
} from './shim-source'
import { lookupStaticFile } from './static-files'

/**
 * The browser preview transport: the same router the Electron window uses,
 * behind a loopback-only HTTP endpoint (DESIGN.md, "One contract, several
 * transports"). Development and end-to-end tests only; never shipped.
 *
 * What keeps other local software and web pages out:
 * - it listens on 127.0.0.1 only, never on a public interface;
 * - the page and every call need the random per-run token (compared in constant time);
 * - the Host header must be exactly 127.0.0.1:PORT, so a hostile site that
 *   re-points its own name at 127.0.0.1 (DNS rebinding) is refused;
 * - an Origin header, when sent, must be this server's own origin, and calls
 *   must be JSON with custom headers, so cross-site requests need a CORS
 *   preflight that is never granted;
 * - a strict CSP (as in renderer/index.html) is sent as a header on every response.
 */
export interface PreviewServerOptions {
  readonly router: Router
  /** The built renderer (out/renderer). */
  readonly rendererDir: string
  readonly token: string
  readonly host: '127.0.0.1'
  /** 0 picks a free port. */
  readonly port: number
}

export interface PreviewServer {
  /** The page address including the token. */
  readonly url: string
  readonly origin: string
  readonly port: number
  close(): Promise<void>
}

export const maxRpcBodyBytes = 64 * 1024

const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

const commonHeaders: Readonly<Record<string, string>> = {
  'Content-Security-Policy': contentSecurityPolicy,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Frame-Options': 'DENY',
}

/**
 * Constant-time token check: every byte of the expected token is compared,
 * whatever the given value is, so the response time says nothing about how
 * much of a guess was right. (The length is no secret: every token is 43
 * base64url characters.) node:crypto's timingSafeEqual is off limits outside
 * adapters (ESLint), and this loop needs no randomness or hashing.
 */
function sameSecret(expected: Buffer, given: string | undefined): boolean {
  const actual = Buffer.from(given ?? '', 'utf8')
  let difference = actual.length ^ expected.length
  for (let i = 0; i < expected.length; i++) difference |= expected[i]! ^ (actual[i] ?? 0)
  return difference === 0
}

function failure(code: ErrorPayload['code'], message: string): Result<never> {
  return { ok: false, error: { code, message } }
}

function send(
  res: ServerResponse,
  status: number,
  body: string | Buffer,
  contentType: string,
  extra: Record<string, string> = {},
): void {
  res.writeHead(status, {
    ...commonHeaders,
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body),
    ...extra,
  })
  res.end(body)
}

function sendText(res: ServerResponse, status: number, text: string): void {
  send(res, status, `${text}\n`, 'text/plain; charset=utf-8', { 'Cache-Control': 'no-store' })
}

function sendResult(res: ServerResponse, status: number, result: Result<unknown>): void {
  send(res, status, JSON.stringify(result), 'application/json; charset=utf-8', { 'Cache-Control': 'no-store' })
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name]
  return Array.isArray(value) ? value[0] : value
}

function isJsonContentType(value: string | undefined): boolean {
  if (!value) return false
  return value.split(';')[0]!.trim().toLowerCase() === 'application/json'
}

/** How much of a too-large body is read and thrown away so the client sees the 413 (not a reset) before the socket is cut. */
const maxDiscardBytes = 1024 * 1024

/**
 * Reads at most `limit` bytes. Past the limit nothing more is kept: the rest is
 * discarded up to `maxDiscardBytes`, and beyond that the connection is dropped.
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size <= limit) chunks.push(chunk)
      else if (size > limit + maxDiscardBytes) req.destroy()
    })
    req.on('end', () => resolveBody(size > limit ? 'too-large' : Buffer.concat(chunks)))
    req.on('error', reject)
    req.on('close', () => {
      if (!req.complete) reject(new Error('The request was cut short'))
    })
  })
}

/** Puts the token meta tag and the shim before the app's first script, so `window.keyhold` exists when the app starts. */
export function injectPreviewTags(html: string, token: string): string {
  const tags = `<meta name="${previewTokenMetaName}" content="${token}">\n    <script src="${previewShimPath}"></script>\n    `
  // The first <script> tag that is not inside an HTML comment.
  for (const match of html.matchAll(/<!--[\s\S]*?-->|<script\b/gi)) {
    if (match[0].startsWith('<!--')) continue
    return html.slice(0, match.index) + tags + html.slice(match.index)
  }
  const headEnd = html.search(/<\/head>/i)
  if (headEnd >= 0) return html.slice(0, headEnd) + tags + html.slice(headEnd)
  throw new Error('The renderer index.html has neither a <script> nor a </head> to put the preview shim before')
}

export function createPreviewServer(options: PreviewServerOptions): Promise<PreviewServer> {
  const { router, rendererDir, token, host } = options
  const expectedToken = Buffer.from(token, 'utf8')
  const shim = createShimSource()
  let port = 0
  let origin = ''

  async function servePage(res: ServerResponse, url: URL): Promise<void> {
    if (!sameSecret(expectedToken, url.searchParams.get('token') ?? undefined)) {
      sendText(res, 403, 'Keyhold preview: this address needs the token printed when the preview started.')
      return
    }
    let html: string
    try {
      html = await readFile(join(rendererDir, 'index.html'), 'utf8')
    } catch {
      sendText(res, 500, 'Keyhold preview: the renderer is not built (run npx electron-vite build).')
      return
    }
    send(res, 200, injectPreviewTags(html, token), 'text/html; charset=utf-8', { 'Cache-Control': 'no-store' })
  }

  async function serveRpc(req: IncomingMessage, res: ServerResponse, rawChannel: string): Promise<void> {
    if (req.method !== 'POST') {
      sendResult(res, 405, failure('VALIDATION', 'Use POST'))
      return
    }
    if (!sameSecret(expectedToken, headerValue(req, previewTokenHeader))) {
      sendResult(res, 403, failure('FORBIDDEN', 'Missing or wrong preview token'))
      return
    }
    let channel: string
    try {
      channel = decodeURIComponent(rawChannel)
    } catch {
      channel = ''
    }
    if (!isChannel(channel)) {
      sendResult(res, 404, failure('NOT_FOUND', 'No such channel'))
      return
    }
    if (!isJsonContentType(headerValue(req, 'content-type'))) {
      sendResult(res, 415, failure('VALIDATION', 'Send the request as application/json'))
      return
    }
    const client = headerValue(req, previewClientHeader)
    if (!client || client.length > 128) {
      sendResult(res, 400, failure('VALIDATION', 'Missing or invalid client id'))
      return
    }
    const declared = Number(headerValue(req, 'content-length'))
    if (Number.isFinite(declared) && declared > maxRpcBodyBytes + maxDiscardBytes) {
      // Not worth reading at all: answer, then cut the connection.
      res.setHeader('Connection', 'close')
      res.once('finish', () => req.destroy())
      sendResult(res, 413, failure('VALIDATION', `The request is larger than ${maxRpcBodyBytes} bytes`))
      return
    }
    let body: Buffer | 'too-large'
    try {
      body = await readBody(req, maxRpcBodyBytes)
    } catch {
      if (!res.headersSent) sendResult(res, 400, failure('VALIDATION', 'The request could not be read'))
      return
    }
    if (body === 'too-large') {
      sendResult(res, 413, failure('VALIDATION', `The request is larger than ${maxRpcBodyBytes} bytes`))
      return
    }
    let input: unknown
    try {
      input = body.length === 0 ? {} : (JSON.parse(body.toString('utf8')) as unknown)
    } catch {
      sendResult(res, 400, failure('VALIDATION', 'The request is not valid JSON'))
      return
    }
    // The router validates the input, checks access and never throws (DESIGN.md).
    const result = await router.dispatch(channel, input, { clientKey: `preview:${client}`, transport: 'preview' })
    sendResult(res, 200, result)
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // DNS-rebinding defence: only our exact loopback authority is served.
    if (headerValue(req, 'host') !== `${host}:${port}`) {
      sendText(res, 403, 'Keyhold preview: wrong Host header.')
      return
    }
    const requestOrigin = headerValue(req, 'origin')
    if (requestOrigin !== undefined && requestOrigin !== origin) {
      sendText(res, 403, 'Keyhold preview: cross-origin requests are refused.')
      return
    }
    let url: URL
    try {
      url = new URL(req.url ?? '/', origin)
    } catch {
      sendText(res, 400, 'Keyhold preview: bad request.')
      return
    }
    if (url.pathname.startsWith(previewRpcPrefix)) {
      await serveRpc(req, res, url.pathname.slice(previewRpcPrefix.length))
      return
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendText(res, 405, 'Keyhold preview: method not allowed.')
      return
    }
    if (url.pathname === '/' || url.pathname === '/index.html') {
      await servePage(res, url)
      return
    }
    if (url.pathname === previewShimPath) {
      send(res, 200, shim, 'text/javascript; charset=utf-8', { 'Cache-Control': 'no-store' })
      return
    }
    if (url.pathname.startsWith('/__keyhold/')) {
      sendText(res, 404, 'Keyhold preview: not found.')
      return
    }
    const found = await lookupStaticFile(rendererDir, url.pathname)
    if (found.kind === 'refused') sendText(res, 403, 'Keyhold preview: refused.')
    else if (found.kind === 'missing') sendText(res, 404, 'Keyhold preview: not found.')
    else send(res, 200, found.body, found.contentType)
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      // Nothing here should throw; if it does, answer without details (no stack across the boundary).
      if (!res.headersSent) sendText(res, 500, 'Keyhold preview: internal error.')
      else res.destroy()
    })
  })

  return new Promise((resolveServer, reject) => {
    server.once('error', reject)
    // Loopback only: the preview is never reachable from another machine.
    server.listen(options.port, host, () => {
      server.off('error', reject)
      port = (server.address() as AddressInfo).port
      origin = `http://${host}:${port}`
      resolveServer({
        url: `${origin}/?token=${encodeURIComponent(token)}`,
        origin,
        port,
        close: () =>
          new Promise<void>((resolveClose) => {
            server.close(() => resolveClose())
            // Keep-alive connections from a browser would otherwise hold close() open.
            server.closeAllConnections()
          }),
      })
    })
  })
}
