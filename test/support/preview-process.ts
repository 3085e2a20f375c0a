import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

/**
 * Starts the real, built browser preview (`node out/main/preview.js`) as a child
 * process, the way `npm run preview:web` does, and reads the one line it prints.
 * Run the tests inside scripts/with-keyring.sh so the server reaches a keychain.
 */
export const repoRoot = resolve(import.meta.dirname, '../..')
export const previewEntry = resolve(repoRoot, process.env.KEYHOLD_PREVIEW_JS ?? 'out/main/preview.js')
export const previewLinePattern = /^Keyhold preview: (http:\/\/127\.0\.0\.1:(\d+)\/\?token=([A-Za-z0-9_-]+))$/

export interface ExitStatus {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
}

export interface RunningPreview {
  readonly url: string
  readonly origin: string
  readonly port: number
  readonly token: string
  readonly dataDir: string
  readonly child: ChildProcess
  /** Everything printed so far. */
  stdout(): string
  stderr(): string
  readonly exited: Promise<ExitStatus>
  /** Sends `signal` (SIGTERM by default) and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<ExitStatus>
}

export interface StartPreviewOptions {
  readonly dataDir: string
  readonly env?: NodeJS.ProcessEnv
  /** Defaults to `node out/main/preview.js`; e.g. `[scripts/preview-web.mjs]` to go through the npm script. */
  readonly command?: readonly string[]
  readonly args?: readonly string[]
}

export function makeTempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix))
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) }
}

/** Servers still running when the test process exits (a failed or interrupted run) are not left behind. */
const live = new Set<ChildProcess>()
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL')
})

export function startPreview(options: StartPreviewOptions): Promise<RunningPreview> {
  const command = options.command ?? [previewEntry]
  if (!options.command && !existsSync(previewEntry)) {
    throw new Error(`${previewEntry} is missing: run \`npx electron-vite build\` before the e2e tests`)
  }
  const args = options.args ?? ['--port', '0', '--data-dir', options.dataDir]
  const child = spawn(process.execPath, [...command, ...args], {
    cwd: repoRoot,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk))
  live.add(child)
  const exited = new Promise<ExitStatus>((resolveExit) =>
    child.on('exit', (code, signal) => {
      live.delete(child)
      resolveExit({ code, signal })
    }),
  )

  return new Promise((resolveStart, reject) => {
    const onData = (): void => {
      const newline = out.indexOf('\n')
      if (newline < 0) return
      child.stdout.off('data', onData)
      const match = previewLinePattern.exec(out.slice(0, newline))
      if (!match) {
        child.kill('SIGKILL')
        reject(new Error(`unexpected first stdout line from the preview: ${JSON.stringify(out.slice(0, newline))}`))
        return
      }
      const url = match[1]!
      resolveStart({
        url,
        origin: new URL(url).origin,
        port: Number(match[2]),
        token: match[3]!,
        dataDir: options.dataDir,
        child,
        stdout: () => out,
        stderr: () => err,
        exited,
        stop: async (signal = 'SIGTERM') => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal)
          return exited
        },
      })
    }
    child.stdout.on('data', onData)
    void exited.then((status) =>
      reject(new Error(`the preview exited (${JSON.stringify(status)}) before printing its address:\n${err}`)),
    )
  })
}

export interface HttpReply {
  readonly status: number
  readonly headers: Record<string, string | string[] | undefined>
  readonly body: string
}

export interface HttpRequestOptions {
  readonly method?: string
  /** Sent exactly as given (no normalisation of `..` or percent-escapes). */
  readonly path: string
  readonly headers?: Record<string, string>
  readonly body?: string | Buffer
  /** Connect here instead of 127.0.0.1 (the Host header still comes from `headers` or the default). */
  readonly connectHost?: string
}

/**
 * A raw HTTP/1.1 request through node:http, because fetch normalises paths and
 * will not let a test choose the Host header.
 */
export function httpRequest(port: number, options: HttpRequestOptions): Promise<HttpReply> {
  return new Promise((resolveReply, reject) => {
    const req = request(
      {
        host: options.connectHost ?? '127.0.0.1',
        port,
        method: options.method ?? 'GET',
        path: options.path,
        headers: options.headers ?? {},
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () =>
          resolveReply({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        )
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.end(options.body)
  })
}

/** Calls one channel the way the shim does, with fetch; returns the HTTP status and the parsed Result. */
export async function rpc(
  preview: Pick<RunningPreview, 'origin' | 'token'>,
  channel: string,
  input: unknown,
  client = 'test-client',
): Promise<{ status: number; result: unknown }> {
  const response = await fetch(`${preview.origin}/__keyhold/rpc/${encodeURIComponent(channel)}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Keyhold-Token': preview.token, 'X-Keyhold-Client': client },
    body: JSON.stringify(input),
  })
  return { status: response.status, result: (await response.json()) as unknown }
}
