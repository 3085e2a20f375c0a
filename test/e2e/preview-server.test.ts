import { existsSync, readFileSync, statSync } from 'node:fs'
import { connect } from 'node:net'
import { dirname, join } from 'node:path'
import { runInNewContext } from 'node:vm'
import { webcrypto } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { channels } from '../../electron/shared/channels'
import {
  httpRequest,
  makeTempDir,
  repoRoot,
  rpc,
  startPreview,
  previewEntry,
  previewLinePattern,
  type RunningPreview,
} from '../support/preview-process'

/**
 * HTTP-level tests of the browser preview transport (DESIGN.md, "One contract,
 * several transports") against the real built server process, the real router,
 * a real SQLite file and the real keychain (run inside scripts/with-keyring.sh).
 */
const password = 'violet canyon lantern 42'
const admin = { username: 'opal', displayName: 'Opal Admin', email: 'opal@example.org', password }

let data: ReturnType<typeof makeTempDir>
let preview: RunningPreview
let hostHeader: string
let headers: Record<string, string>

beforeAll(async () => {
  data = makeTempDir('keyhold-preview-')
  preview = await startPreview({ dataDir: data.path })
  hostHeader = `127.0.0.1:${preview.port}`
  headers = {
    Host: hostHeader,
    'Content-Type': 'application/json',
    'X-Keyhold-Token': preview.token,
    'X-Keyhold-Client': 'raw-client',
  }
})

afterAll(async () => {
  await preview?.stop()
  data?.remove()
})

function parse(body: string): unknown {
  return JSON.parse(body) as unknown
}

describe('startup', () => {
  it('prints exactly one line with the loopback address and a 32-byte token', () => {
    const lines = preview
      .stdout()
      .split('\n')
      .filter((line) => line !== '')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(previewLinePattern)
    // 32 random bytes in base64url are 43 characters.
    expect(Buffer.from(preview.token, 'base64url')).toHaveLength(32)
  })

  it('listens on 127.0.0.1 only', async () => {
    // Every 127/8 address is loopback on Linux, so a server bound to 0.0.0.0 would answer on 127.0.0.2 too.
    const outcome = await new Promise<string>((resolveOutcome) => {
      const socket = connect({ host: '127.0.0.2', port: preview.port })
      socket.once('connect', () => {
        socket.destroy()
        resolveOutcome('connected')
      })
      socket.once('error', (error: NodeJS.ErrnoException) => resolveOutcome(error.code ?? 'error'))
    })
    expect(outcome).toBe('ECONNREFUSED')
  })

  it('loads no electron module: the built graph of out/main/preview.js names none', () => {
    // DESIGN.md: the preview runs on plain Node, where electron cannot load.
    const seen = new Set<string>()
    const specifiers = new Set<string>()
    const visit = (file: string): void => {
      if (seen.has(file)) return
      seen.add(file)
      const source = readFileSync(file, 'utf8')
      for (const [, specifier] of source.matchAll(/(?:require|import)\(\s*["']([^"']+)["']\s*\)/g)) {
        if (specifier!.startsWith('.')) visit(join(dirname(file), specifier!))
        else specifiers.add(specifier!)
      }
    }
    visit(previewEntry)
    expect(seen.size).toBeGreaterThan(1)
    expect(specifiers).toContain('better-sqlite3')
    expect([...specifiers].filter((name) => name === 'electron' || name.startsWith('electron/'))).toEqual([])
  })

  it('refuses a bad --port with a usage error (exit 2)', async () => {
    const bad = await startPreview({ dataDir: data.path, args: ['--port', 'eighty'] }).catch((error: Error) => error)
    expect(bad).toBeInstanceOf(Error)
    expect(String(bad)).toMatch(/"code":2/)
    expect(String(bad)).toMatch(/--port must be a whole number/)
  })
})

describe('the page', () => {
  it('needs the token', async () => {
    const missing = await httpRequest(preview.port, { path: '/' })
    expect(missing.status).toBe(403)
    expect(missing.body).not.toMatch(/<script/)
    const wrong = await httpRequest(preview.port, { path: `/?token=${'A'.repeat(43)}` })
    expect(wrong.status).toBe(403)
    const prefix = await httpRequest(preview.port, { path: `/?token=${preview.token.slice(0, -1)}` })
    expect(prefix.status).toBe(403)
    const index = await httpRequest(preview.port, { path: '/index.html' })
    expect(index.status).toBe(403)
  })

  it('injects the token and the shim before the app script, with a strict CSP', async () => {
    const page = await httpRequest(preview.port, { path: `/?token=${preview.token}` })
    expect(page.status).toBe(200)
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(page.headers['cache-control']).toBe('no-store')
    expect(page.headers['x-content-type-options']).toBe('nosniff')
    expect(page.headers['referrer-policy']).toBe('no-referrer')
    const csp = String(page.headers['content-security-policy'])
    for (const directive of [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data:",
      "connect-src 'self'",
      "object-src 'none'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
    ]) {
      expect(csp).toContain(directive)
    }
    expect(csp).not.toMatch(/unsafe/)
    expect(page.body).toContain(`<meta name="keyhold-preview-token" content="${preview.token}">`)
    const shimAt = page.body.indexOf('<script src="/__keyhold/shim.js"></script>')
    const appAt = page.body.search(/<script type="module"/)
    expect(shimAt).toBeGreaterThan(0)
    expect(appAt).toBeGreaterThan(shimAt)
  })

  it('serves built assets with their MIME type', async () => {
    const page = await httpRequest(preview.port, { path: `/?token=${preview.token}` })
    const src = /<script type="module"[^>]*src="\.?(\/[^"]+)"/.exec(page.body)?.[1]
    expect(src).toMatch(/\.js$/)
    const script = await httpRequest(preview.port, { path: src! })
    expect(script.status).toBe(200)
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8')
    expect(script.headers['x-content-type-options']).toBe('nosniff')
    const missing = await httpRequest(preview.port, { path: '/assets/no-such-file.js' })
    expect(missing.status).toBe(404)
  })

  it('refuses path traversal', async () => {
    // out/main/preview.js sits next to out/renderer; none of these may reach it or anything else.
    const attempts = [
      '/..%2fmain%2fpreview.js',
      '/assets/..%2f..%2fmain%2fpreview.js',
      '/%2e%2e%2f%2e%2e%2fpackage.json',
      '/..%5c..%5cpackage.json',
      '/assets/%00.js',
      '/../../package.json',
      '/%2e%2e/%2e%2e/package.json',
    ]
    const builtServer = readFileSync(previewEntry, 'utf8').slice(0, 200)
    for (const path of attempts) {
      const reply = await httpRequest(preview.port, { path })
      expect([403, 404], path).toContain(reply.status)
      expect(reply.body, path).not.toContain(builtServer)
      expect(reply.body, path).not.toContain('"name": "keyhold"')
    }
    // Encoded separators are decoded after URL normalisation, so they are caught by the root check itself.
    expect((await httpRequest(preview.port, { path: attempts[0]! })).status).toBe(403)
    expect((await httpRequest(preview.port, { path: attempts[3]! })).status).toBe(403)
  })

  it('refuses a Host other than 127.0.0.1:PORT (DNS rebinding)', async () => {
    for (const host of [`localhost:${preview.port}`, `evil.example:${preview.port}`, '127.0.0.1', `127.0.0.1:1`]) {
      const page = await httpRequest(preview.port, { path: `/?token=${preview.token}`, headers: { Host: host } })
      expect(page.status, host).toBe(403)
      const call = await httpRequest(preview.port, {
        method: 'POST',
        path: '/__keyhold/rpc/app:get-state',
        headers: { ...headers, Host: host },
        body: '{}',
      })
      expect(call.status, host).toBe(403)
    }
  })
})

describe('rpc', () => {
  it('round-trips app:get-state', async () => {
    const reply = await httpRequest(preview.port, {
      method: 'POST',
      path: '/__keyhold/rpc/app:get-state',
      headers,
      body: '{}',
    })
    expect(reply.status).toBe(200)
    expect(reply.headers['content-type']).toBe('application/json; charset=utf-8')
    expect(reply.headers['cache-control']).toBe('no-store')
    expect(parse(reply.body)).toEqual({
      ok: true,
      value: { status: 'ready', setupRequired: true, session: null, challengePending: false },
    })
  })

  it('needs the token on every call', async () => {
    const { 'X-Keyhold-Token': _token, ...withoutToken } = headers
    const missing = await httpRequest(preview.port, {
      method: 'POST',
      path: '/__keyhold/rpc/app:get-state',
      headers: withoutToken,
      body: '{}',
    })
    expect(missing.status).toBe(403)
    expect(parse(missing.body)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
    const wrong = await httpRequest(preview.port, {
      method: 'POST',
      path: '/__keyhold/rpc/setup:create-admin',
      headers: { ...headers, 'X-Keyhold-Token': `${preview.token.slice(1)}x` },
      body: JSON.stringify(admin),
    })
    expect(wrong.status).toBe(403)
    // The refused call changed nothing.
    expect((await rpc(preview, 'app:get-state', {})).result).toMatchObject({ value: { setupRequired: true } })
  })

  it('accepts its own Origin and refuses any other', async () => {
    const own = await httpRequest(preview.port, {
      method: 'POST',
      path: '/__keyhold/rpc/app:get-state',
      headers: { ...headers, Origin: preview.origin },
      body: '{}',
    })
    expect(own.status).toBe(200)
    for (const origin of ['http://evil.example', `http://localhost:${preview.port}`, 'null']) {
      const foreign = await httpRequest(preview.port, {
        method: 'POST',
        path: '/__keyhold/rpc/app:get-state',
        headers: { ...headers, Origin: origin },
        body: '{}',
      })
      expect(foreign.status, origin).toBe(403)
    }
  })

  it('limits the body to 64 KiB', async () => {
    const limit = 64 * 1024
    // Valid JSON padded with spaces to exactly the limit is accepted…
    const atLimit = await httpRequest(preview.port, {
      method: 'POST',
      path: '/__keyhold/rpc/app:get-state',
      headers,
      body: `{}${' '.repeat(limit - 2)}`,
    })
    expect(atLimit.status).toBe(200)
    expect(parse(atLimit.body)).toMatchObject({ ok: true })
    // …and one byte more is refused before it reaches the router.
    const over = await httpRequest(preview.port, {
      method: 'POST',
      path: '/__keyhold/rpc/auth:sign-in',
      headers,
      body: JSON.stringify({ username: 'opal', password: 'x'.repeat(limit) }),
    })
    expect(over.status).toBe(413)
    expect(parse(over.body)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } })
  })

  it('answers malformed JSON, a wrong content type, wrong methods and unknown routes', async () => {
    const malformed = await httpRequest(preview.port, {
      method: 'POST',
      path: '/__keyhold/rpc/auth:sign-in',
      headers,
      body: '{"username": "opal",',
    })
    expect(malformed.status).toBe(400)
    expect(parse(malformed.body)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } })

    const form = await httpRequest(preview.port, {
      method: 'POST',
      path: '/__keyhold/rpc/app:get-state',
      headers: { ...headers, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: '{}',
    })
    expect(form.status).toBe(415)

    const get = await httpRequest(preview.port, { path: '/__keyhold/rpc/app:get-state', headers })
    expect(get.status).toBe(405)

    const unknownChannel = await httpRequest(preview.port, {
      method: 'POST',
      path: '/__keyhold/rpc/app:do-anything',
      headers,
      body: '{}',
    })
    expect(unknownChannel.status).toBe(404)
    expect(parse(unknownChannel.body)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } })

    expect((await httpRequest(preview.port, { path: '/__keyhold/other', headers })).status).toBe(404)
    expect((await httpRequest(preview.port, { path: '/no-such-page', headers })).status).toBe(404)
  })

  it('passes schema failures through as VALIDATION results', async () => {
    const extraKey = await rpc(preview, 'app:get-state', { everything: true })
    expect(extraKey.status).toBe(200)
    expect(extraKey.result).toMatchObject({ ok: false, error: { code: 'VALIDATION' } })
  })

  it('binds a session to the tab that signed in (X-Keyhold-Client)', async () => {
    expect((await rpc(preview, 'setup:create-admin', admin, 'tab-a')).result).toEqual({
      ok: true,
      value: { username: 'opal' },
    })
    const signIn = await rpc(preview, 'auth:sign-in', { username: 'OPAL', password }, 'tab-a')
    expect(signIn.result).toMatchObject({
      ok: true,
      value: { status: 'signed-in', session: { account: { username: 'opal' } } },
    })
    expect((await rpc(preview, 'account:get-me', {}, 'tab-a')).result).toMatchObject({
      ok: true,
      value: { username: 'opal', role: 'admin' },
    })
    // Another tab has no session, and cannot borrow one by guessing.
    expect((await rpc(preview, 'account:get-me', {}, 'tab-b')).result).toMatchObject({
      ok: false,
      error: { code: 'UNAUTHENTICATED' },
    })
    expect((await rpc(preview, 'app:get-state', {}, 'tab-b')).result).toMatchObject({
      ok: true,
      value: { setupRequired: false, session: null },
    })
    expect((await rpc(preview, 'auth:sign-out', {}, 'tab-a')).result).toEqual({ ok: true, value: {} })
    expect((await rpc(preview, 'account:get-me', {}, 'tab-a')).result).toMatchObject({
      ok: false,
      error: { code: 'UNAUTHENTICATED' },
    })
  })
})

describe('the shim', () => {
  async function loadShim(): Promise<{ keyhold: Record<string, unknown>; storage: Map<string, string> }> {
    const reply = await httpRequest(preview.port, { path: '/__keyhold/shim.js', headers: { Host: hostHeader } })
    expect(reply.status).toBe(200)
    expect(reply.headers['content-type']).toBe('text/javascript; charset=utf-8')
    const storage = new Map<string, string>()
    const context: Record<string, unknown> = {
      crypto: webcrypto,
      sessionStorage: {
        getItem: (key: string) => storage.get(key) ?? null,
        setItem: (key: string, value: string) => void storage.set(key, value),
      },
      document: {
        querySelector: (selector: string) =>
          selector === 'meta[name="keyhold-preview-token"]' ? { getAttribute: () => preview.token } : null,
      },
      // The page's relative URLs, resolved against the server as a browser would.
      fetch: (path: string, init: RequestInit) => fetch(new URL(path, preview.origin), init),
    }
    context.window = context
    runInNewContext(reply.body, context)
    return { keyhold: context.keyhold as Record<string, unknown>, storage }
  }

  it('defines window.keyhold with exactly one function per channel, frozen', async () => {
    const { keyhold } = await loadShim()
    const methods = Object.values(channels)
      .map((spec) => spec.method)
      .sort()
    expect(Object.keys(keyhold).sort()).toEqual(methods)
    for (const method of methods) expect(typeof keyhold[method], method).toBe('function')
    expect(Object.isFrozen(keyhold)).toBe(true)
    // No generic invoke and nothing else (DESIGN.md: named functions only).
    expect(keyhold).not.toHaveProperty('invoke')
  })

  it('calls the server with the token and a per-tab client id kept in sessionStorage', async () => {
    const { keyhold, storage } = await loadShim()
    const getAppState = keyhold.getAppState as (input: object) => Promise<unknown>
    expect(await getAppState({})).toMatchObject({ ok: true, value: { status: 'ready', setupRequired: false } })
    const clientId = storage.get('keyhold-preview-client')
    expect(clientId).toMatch(/^[0-9a-f-]{32,36}$/)
    const signIn = keyhold.signIn as (input: object) => Promise<unknown>
    expect(await signIn({ username: 'opal', password: 'not the password' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_CREDENTIALS' },
    })
    expect(storage.get('keyhold-preview-client')).toBe(clientId)
  })
})

describe('keychain unavailable', () => {
  it('still serves the page, and the app state explains the problem (S19: fail closed)', async () => {
    const dir = makeTempDir('keyhold-preview-nokeychain-')
    try {
      const broken = await startPreview({
        dataDir: dir.path,
        env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(dir.path, 'no-bus')}` },
      })
      try {
        const state = await rpc(broken, 'app:get-state', {})
        expect(state.result).toMatchObject({
          ok: true,
          value: { status: 'unavailable', problem: { code: 'KEYCHAIN_UNAVAILABLE' } },
        })
        const setup = await rpc(broken, 'setup:create-admin', admin)
        expect(setup.result).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } })
        expect(broken.stderr()).toMatch(/keychain/i)
        expect(broken.stdout().trim().split('\n')).toHaveLength(1)
      } finally {
        expect(await broken.stop()).toEqual({ code: 0, signal: null })
      }
    } finally {
      dir.remove()
    }
  })
})

describe('shutdown', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`exits 0 on ${signal} after closing the server and the database`, async () => {
      const dir = makeTempDir('keyhold-preview-stop-')
      try {
        const running = await startPreview({ dataDir: dir.path })
        expect((await rpc(running, 'app:get-state', {})).status).toBe(200)
        expect(await running.stop(signal)).toEqual({ code: 0, signal: null })
        // keyhold.close() checkpoints the WAL back into the database file.
        const wal = join(dir.path, 'keyhold.db-wal')
        expect(!existsSync(wal) || statSync(wal).size === 0).toBe(true)
        expect(statSync(join(dir.path, 'keyhold.db')).size).toBeGreaterThan(0)
        await expect(httpRequest(running.port, { path: '/' })).rejects.toThrow(/ECONNREFUSED/)
      } finally {
        dir.remove()
      }
    })
  }

  it('runs through `npm run preview:web` (scripts/preview-web.mjs) with the same single line and exit code', async () => {
    const dir = makeTempDir('keyhold-preview-script-')
    try {
      const running = await startPreview({
        dataDir: dir.path,
        command: [join(repoRoot, 'scripts/preview-web.mjs')],
      })
      expect((await rpc(running, 'app:get-state', {})).result).toMatchObject({ ok: true, value: { status: 'ready' } })
      expect(await running.stop('SIGTERM')).toEqual({ code: 0, signal: null })
      expect(running.stdout().trim().split('\n')).toHaveLength(1)
    } finally {
      dir.remove()
    }
  })
})
