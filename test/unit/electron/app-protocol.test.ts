import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import {
  contentSecurityPolicy,
  createAppProtocolHandler,
  installAppProtocol,
  registerAppSchemePrivileges,
} from '../../../electron/main/window/app-protocol'
import { protocol } from './fake-electron'

vi.mock('electron', async () => (await import('./fake-electron')).electronModule)

/** The `app://` handler over a real folder laid out like out/renderer, with a secret file beside it. */
describe('app:// protocol', () => {
  let base: string
  let renderer: string
  let serve: (request: Request) => Promise<Response>
  const get = (url: string, init?: RequestInit) => serve(new Request(url, init))

  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), 'keyhold-protocol-'))
    renderer = join(base, 'renderer')
    mkdirSync(join(renderer, 'assets'), { recursive: true })
    writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>Keyhold</title>')
    writeFileSync(join(renderer, 'assets', 'index-abc.js'), 'console.log(1)')
    writeFileSync(join(renderer, 'assets', 'index-abc.css'), 'body{}')
    writeFileSync(join(renderer, 'assets', 'logo.svg'), '<svg/>')
    writeFileSync(join(base, 'secret.txt'), 'not for the renderer')
    symlinkSync(join(base, 'secret.txt'), join(renderer, 'assets', 'link.txt'))
    serve = createAppProtocolHandler(renderer)
  })
  afterAll(() => rmSync(base, { recursive: true, force: true }))

  it('registers app as a standard, secure, fetch-capable scheme and handles it', () => {
    registerAppSchemePrivileges()
    expect(protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([
      { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
    ])
    installAppProtocol(renderer)
    expect(protocol.handle).toHaveBeenCalledWith('app', expect.any(Function))
  })

  it('serves index.html for / and by name, with the CSP header', async () => {
    // S23: strict CSP on every page.
    for (const url of ['app://keyhold/', 'app://keyhold/index.html']) {
      const response = await get(url)
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8')
      expect(response.headers.get('content-security-policy')).toBe(contentSecurityPolicy)
      expect(response.headers.get('x-content-type-options')).toBe('nosniff')
      expect(await response.text()).toContain('<title>Keyhold</title>')
    }
  })

  it('has a CSP without inline or eval scripts, frames or plugins', () => {
    // S23: CSP.
    const directives = new Map(contentSecurityPolicy.split('; ').map((d) => [d.split(' ')[0], d] as const))
    expect(directives.get('default-src')).toBe("default-src 'none'")
    expect(directives.get('script-src')).toBe("script-src 'self'")
    expect(directives.get('object-src')).toBe("object-src 'none'")
    expect(directives.get('frame-ancestors')).toBe("frame-ancestors 'none'")
    expect(contentSecurityPolicy).not.toMatch(/unsafe-(inline|eval)|\*/)
  })

  it('lets the page load nothing from another origin', () => {
    // S23: no remote content. Every fetch directive names only the app itself, data: images, or nothing.
    for (const directive of contentSecurityPolicy.split('; ')) {
      const [name, ...sources] = directive.split(' ')
      for (const source of sources) {
        expect(["'self'", "'none'", 'data:'], `${name} ${source}`).toContain(source)
      }
    }
    expect(contentSecurityPolicy).toContain("connect-src 'self'")
  })

  it('sends the right MIME types', async () => {
    expect((await get('app://keyhold/assets/index-abc.js')).headers.get('content-type')).toBe(
      'text/javascript; charset=utf-8',
    )
    expect((await get('app://keyhold/assets/index-abc.css')).headers.get('content-type')).toBe(
      'text/css; charset=utf-8',
    )
    expect((await get('app://keyhold/assets/logo.svg')).headers.get('content-type')).toBe('image/svg+xml')
  })

  it('answers 404, still with the CSP, for a missing file or a folder', async () => {
    for (const url of ['app://keyhold/nope.js', 'app://keyhold/assets', 'app://keyhold/assets/']) {
      const response = await get(url)
      expect(response.status, url).toBe(404)
      expect(response.headers.get('content-security-policy')).toBe(contentSecurityPolicy)
    }
  })

  it('refuses to leave the renderer folder', async () => {
    // S23: the page reads the app's files and nothing else.
    const attempts = [
      'app://keyhold/../secret.txt',
      'app://keyhold/%2e%2e/secret.txt',
      'app://keyhold/..%2fsecret.txt',
      'app://keyhold/assets/..%2f..%2fsecret.txt',
      'app://keyhold/..%5csecret.txt',
      'app://keyhold/%2fetc%2fpasswd',
      'app://keyhold//etc/passwd',
      'app://keyhold/assets/link.txt',
    ]
    for (const url of attempts) {
      const response = await get(url)
      expect([403, 404], url).toContain(response.status)
      expect(await response.text(), url).not.toContain('not for the renderer')
    }
    // URL parsing folds a literal or %2e-encoded `..` before the handler sees it; an encoded
    // slash survives parsing and is caught by the handler itself, as is a symlink out of the folder.
    expect((await get('app://keyhold/..%2fsecret.txt')).status).toBe(403)
    expect((await get('app://keyhold/assets/..%2f..%2fsecret.txt')).status).toBe(403)
    expect((await get('app://keyhold/assets/link.txt')).status).toBe(403)
  })

  it('refuses other hosts, malformed escapes, NUL bytes and writes', async () => {
    expect((await get('app://other/index.html')).status).toBe(404)
    expect((await get('app://keyhold/%E0%A4%A')).status).toBe(400)
    expect((await get('app://keyhold/index.html%00.js')).status).toBe(400)
    expect((await get('app://keyhold/index.html', { method: 'POST', body: 'x' })).status).toBe(405)
    const head = await get('app://keyhold/index.html', { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(await head.text()).toBe('')
  })
})
