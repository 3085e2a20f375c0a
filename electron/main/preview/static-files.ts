import { readFile, realpath, stat } from 'node:fs/promises'
import { extname, isAbsolute, relative, resolve } from 'node:path'

/**
 * Serves the built renderer (out/renderer) read-only. Every request path is
 * decoded, resolved against the root and refused unless it stays inside it,
 * both as written and after following symlinks, so `..`, encoded slashes and
 * links cannot reach any other file on the machine.
 */
const mimeTypes: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
}

export function mimeTypeFor(path: string): string {
  return mimeTypes[extname(path).toLowerCase()] ?? 'application/octet-stream'
}

export type StaticLookup =
  | { readonly kind: 'file'; readonly body: Buffer; readonly contentType: string }
  | { readonly kind: 'refused' }
  | { readonly kind: 'missing' }

function inside(root: string, candidate: string): boolean {
  const rel = relative(root, candidate)
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel)
}

/** Looks up `urlPath` (the raw, still percent-encoded path of a request URL) under `root`. */
export async function lookupStaticFile(root: string, urlPath: string): Promise<StaticLookup> {
  let decoded: string
  try {
    decoded = decodeURIComponent(urlPath)
  } catch {
    return { kind: 'refused' }
  }
  // A NUL or a backslash has no business in an asset path; Windows would read the backslash as a separator.
  if (decoded.includes('\0') || decoded.includes('\\')) return { kind: 'refused' }
  const absoluteRoot = resolve(root)
  const candidate = resolve(absoluteRoot, `.${decoded.startsWith('/') ? decoded : `/${decoded}`}`)
  if (!inside(absoluteRoot, candidate)) return { kind: 'refused' }
  try {
    const [realRoot, realCandidate] = await Promise.all([realpath(absoluteRoot), realpath(candidate)])
    if (!inside(realRoot, realCandidate)) return { kind: 'refused' }
    if (!(await stat(realCandidate)).isFile()) return { kind: 'missing' }
    return { kind: 'file', body: await readFile(realCandidate), contentType: mimeTypeFor(realCandidate) }
  } catch {
    return { kind: 'missing' }
  }
}
