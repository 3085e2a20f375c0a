import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { createKeytarSecretStore } from '../adapters/keychain/keytar-secret-store'
import { defaultDataDir } from '../adapters/system/data-dir'
import { ensurePrivateDir } from '../adapters/system/private-files'
import { nodeRandom } from '../adapters/system/node-random'
import { describeStartupError, openKeyhold, type Keyhold } from '../composition/open-keyhold'
import { createHandlers } from '../ipc/handlers'
import { createRouter, createUnavailableRouter, type Router } from '../ipc/router'
import { createPreviewServer, type PreviewServer } from './preview-server'
import { previewStartupLine } from './startup-line'

/**
 * `node out/main/preview.js [--port N] [--data-dir DIR]` — the browser preview
 * (`npm run preview:web`). Runs on plain Node: nothing in its import graph may
 * import electron. Development and end-to-end tests only: it must never ship, so
 * the packaging config excludes out/main/preview.js (electron-builder `files`).
 *
 * stdout carries exactly one line, `Keyhold preview: <url>`, so scripts and tests
 * can read the address; everything else goes to stderr.
 */
const usage = 'usage: node out/main/preview.js [--port N] [--data-dir DIR]'

interface PreviewArgs {
  readonly port: number
  readonly dataDir: string
}

function parsePreviewArgs(argv: readonly string[]): PreviewArgs | string {
  let values: { port?: string; 'data-dir'?: string; help?: boolean }
  try {
    ;({ values } = parseArgs({
      args: [...argv],
      options: {
        port: { type: 'string' },
        'data-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }))
  } catch (error) {
    return error instanceof Error ? error.message : String(error)
  }
  if (values.help) return ''
  const portText = values.port ?? '0'
  const port = Number(portText)
  if (!/^\d+$/.test(portText) || !Number.isInteger(port) || port > 65535) {
    return `--port must be a whole number from 0 to 65535 (0 picks a free port), not "${portText}"`
  }
  const dataDir = resolve(values['data-dir'] ?? defaultDataDir())
  return { port, dataDir }
}

async function openRouter(dataDir: string): Promise<{ router: Router; keyhold: Keyhold | null }> {
  try {
    // The app creates its userData folder itself; the preview does the same for its data dir (owner only).
    ensurePrivateDir(dataDir)
    const keyhold = await openKeyhold({ dataDir, secretStore: createKeytarSecretStore() })
    const router = createRouter({
      handlers: createHandlers(keyhold),
      sessions: keyhold.auth,
      // The channel and the error only: the input may hold a password.
      onInternalError: (channel, error) =>
        console.error(`Keyhold preview: internal error on ${channel}:`, error instanceof Error ? error.stack : error),
    })
    return { router, keyhold }
  } catch (error) {
    // S19: fail closed, and let the renderer show the full-page explanation.
    const problem = describeStartupError(error, dataDir)
    console.error(previewStartupLine(problem))
    return { router: createUnavailableRouter({ status: 'unavailable', problem }), keyhold: null }
  }
}

async function main(): Promise<void> {
  const args = parsePreviewArgs(process.argv.slice(2))
  if (typeof args === 'string') {
    if (args === '') {
      process.stdout.write(`${usage}\n`)
      process.exit(0)
    }
    console.error(`error: ${args}\n${usage}`)
    process.exit(2)
  }

  const { router, keyhold } = await openRouter(args.dataDir)
  // 32 bytes from the CSPRNG per run; base64url needs no escaping in a URL, a header or an HTML attribute.
  const token = Buffer.from(nodeRandom.bytes(32)).toString('base64url')
  let server: PreviewServer
  try {
    server = await createPreviewServer({
      router,
      // out/main/preview.js → out/renderer
      rendererDir: resolve(__dirname, '../renderer'),
      token,
      host: '127.0.0.1',
      port: args.port,
    })
  } catch (error) {
    console.error(
      `error: the preview server could not listen: ${error instanceof Error ? error.message : String(error)}`,
    )
    keyhold?.close()
    process.exit(1)
  }
  process.stdout.write(`Keyhold preview: ${server.url}\n`)

  let stopping = false
  const stop = (): void => {
    // A terminal's Ctrl-C reaches both this process and scripts/preview-web.mjs, which forwards it: act once.
    if (stopping) return
    stopping = true
    server
      .close()
      .then(() => {
        keyhold?.close()
        process.exit(0)
      })
      .catch((error: unknown) => {
        console.error('Keyhold preview: error while stopping:', error)
        process.exit(1)
      })
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

main().catch((error: unknown) => {
  console.error('Keyhold preview: could not start:', error instanceof Error ? error.message : error)
  process.exit(1)
})
