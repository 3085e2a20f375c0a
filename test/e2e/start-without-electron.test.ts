import { spawn } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTempDir, repoRoot, rpc, type RunningPreview } from '../support/preview-process'

/**
 * `npm start` (scripts/start.mjs) on a machine without the Electron binary and without a Secret Service,
 * like a bare server: it runs the browser preview and says so in one line with the address, and the
 * preview says in one line what to do about the keychain. S19: no key is written anywhere instead.
 *
 * ELECTRON_OVERRIDE_DIST_PATH (read by electron itself and by findElectron) points at an empty folder,
 * so the test sees "no Electron binary" on machines that have one too.
 */
const startLine =
  /^Keyhold runs as a browser preview because no Electron binary is installed here \(`npm run postinstall` tries its download again\): open (http:\/\/127\.0\.0\.1:(\d+)\/\?token=([A-Za-z0-9_-]+)) \(Ctrl-C stops it\)$/

let temp: ReturnType<typeof makeTempDir>
let running: RunningPreview & { stdoutLines(): string[] }

beforeAll(async () => {
  temp = makeTempDir('keyhold-start-')
  const env: NodeJS.ProcessEnv = { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: join(temp.path, 'no-electron') }
  // A bare server: no session bus and no display, so libsecret has nothing to talk to.
  delete env.DBUS_SESSION_BUS_ADDRESS
  delete env.DISPLAY
  delete env.WAYLAND_DISPLAY
  const dataDir = join(temp.path, 'data')
  const child = spawn(process.execPath, ['scripts/start.mjs', '--port', '0', '--data-dir', dataDir], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) =>
    child.on('exit', (code, signal) => resolveExit({ code, signal })),
  )
  const url = await new Promise<RegExpExecArray>((resolveLine, reject) => {
    child.stdout.on('data', () => {
      const match = startLine.exec(out.split('\n')[0] ?? '')
      if (out.includes('\n')) {
        if (match) resolveLine(match)
        else reject(new Error(`unexpected first line from npm start: ${JSON.stringify(out)}`))
      }
    })
    void exited.then((status) => reject(new Error(`npm start ended (${JSON.stringify(status)}):\n${err}`)))
  })
  running = {
    url: url[1]!,
    origin: new URL(url[1]!).origin,
    port: Number(url[2]),
    token: url[3]!,
    dataDir,
    child,
    stdout: () => out,
    stderr: () => err,
    stdoutLines: () => out.split('\n').filter((line) => line !== ''),
    exited,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      return exited
    },
  }
})

afterAll(async () => {
  await running?.stop()
  temp?.remove()
})

describe('npm start without Electron and without a Secret Service', () => {
  it('runs the browser preview and says so in one line with its address', () => {
    expect(running.stdoutLines()).toHaveLength(1)
  })

  it('says in one line what to do about the keychain (the build, if any, came before it)', () => {
    const keychainLines = running
      .stderr()
      .split('\n')
      .filter((line) => line.startsWith('Keyhold preview: ') && !line.includes('building'))
    expect(keychainLines).toHaveLength(1)
    expect(keychainLines[0]).toMatch(
      /^Keyhold preview: Keyhold keeps its master key in the OS keychain, and no keychain answered\. \(.+\) Keyhold never writes its key to a file instead\. To try it here, run `scripts\/with-keyring\.sh npm start` .+GNOME Keyring or KWallet\.$/,
    )
  })

  it('serves the page that explains the problem, and refuses to set up (S19: fail closed)', async () => {
    const state = await rpc(running, 'app:get-state', {})
    expect(state.result).toMatchObject({
      ok: true,
      value: { status: 'unavailable', problem: { code: 'KEYCHAIN_UNAVAILABLE' } },
    })
    const setup = await rpc(running, 'setup:create-admin', {
      username: 'opal',
      displayName: 'Opal Admin',
      email: 'opal@example.org',
      password: 'violet canyon lantern 42',
    })
    expect(setup.result).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } })
  })

  it('writes nothing to the data folder: no key in clear, no database without its key (S19)', () => {
    const files = readdirSync(temp.path, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile())
    expect(files.map((entry) => join(entry.parentPath, entry.name))).toEqual([])
  })

  it('stops on Ctrl-C with status 0', async () => {
    expect(await running.stop('SIGINT')).toEqual({ code: 0, signal: null })
  })
})
