import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

/**
 * A D-Bus session bus and a gnome-keyring of this test's own, so it can lock the
 * keychain without disturbing the tests that run at the same time in the shared
 * session of scripts/with-keyring.sh. `env` points a child process (the CLI, the
 * preview) at it. Locking goes through the Secret Service API, as a screen lock
 * does (org.freedesktop.Secret.Service.Lock, with gdbus); unlocking starts the
 * keyring daemon again with the password on stdin, as signing in again does (the
 * Unlock call needs an interactive prompt, which a headless session cannot show).
 */
const run = promisify(execFile)
const setpriv = '/usr/bin/setpriv'
const keyringPassword = 'keyhold-fault-test'
const secretsName = 'org.freedesktop.secrets'
const defaultCollection = '/org/freedesktop/secrets/aliases/default'

export interface KeyringSession {
  readonly env: Readonly<Record<string, string>>
  lock(): Promise<void>
  unlock(): Promise<void>
  isLocked(): Promise<boolean>
  close(): Promise<void>
}

export function requireKeyringTools(): void {
  for (const [bin, pkg] of [
    ['/usr/bin/dbus-daemon', 'dbus'],
    ['/usr/bin/gnome-keyring-daemon', 'gnome-keyring'],
    ['/usr/bin/gdbus', 'libglib2.0-bin'],
  ] as const) {
    if (!existsSync(bin)) throw new Error(`${bin} is missing: apt-get install -y ${pkg}`)
  }
}

/** Dies with the test process even on a hard kill (parent-death signal), like test/peers/kannel-peer.ts. */
function start(bin: string, args: readonly string[], env: NodeJS.ProcessEnv): ChildProcess {
  const [command, argv] = existsSync(setpriv)
    ? [setpriv, ['--pdeathsig', 'KILL', '--', bin, ...args]]
    : [bin, [...args]]
  const child = spawn(command, argv, { env, stdio: ['pipe', 'pipe', 'pipe'] })
  child.on('error', () => undefined)
  return child
}

async function stop(child: ChildProcess | null): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000)
  await gone
  clearTimeout(timer)
}

export async function startKeyringSession(): Promise<KeyringSession> {
  requireKeyringTools()
  const scratch = mkdtempSync(join(tmpdir(), 'keyhold-keyring-fault-'))
  const dirs = {
    HOME: 'home',
    XDG_DATA_HOME: 'data',
    XDG_CONFIG_HOME: 'config',
    XDG_CACHE_HOME: 'cache',
    XDG_RUNTIME_DIR: 'runtime',
  }
  const base: Record<string, string> = {}
  for (const [key, name] of Object.entries(dirs)) {
    const path = join(scratch, name)
    mkdirSync(path, { recursive: true, mode: 0o700 })
    base[key] = path
  }

  const bus = start('/usr/bin/dbus-daemon', ['--session', '--nofork', '--nopidfile', '--print-address=1'], {
    ...process.env,
    ...base,
  })
  const address = await new Promise<string>((resolve, reject) => {
    let out = ''
    bus.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk
      if (out.includes('\n')) resolve(out.split('\n')[0]!.trim())
    })
    bus.once('exit', (code) => reject(new Error(`dbus-daemon exited (${code}) before printing its address`)))
  })
  const env: Record<string, string> = { ...base, DBUS_SESSION_BUS_ADDRESS: address }
  const childEnv = { ...process.env, ...env }

  const gdbus = async (path: string, method: string, ...args: string[]) =>
    (
      await run(
        '/usr/bin/gdbus',
        ['call', '--session', '--dest', secretsName, '--object-path', path, '--method', method, ...args],
        { env: childEnv },
      )
    ).stdout

  const locked = async () =>
    (
      await gdbus(
        defaultCollection,
        'org.freedesktop.DBus.Properties.Get',
        'org.freedesktop.Secret.Collection',
        'Locked',
      )
    ).includes('true')

  let keyring: ChildProcess | null = null
  async function startKeyring(): Promise<void> {
    // A daemon that is running is stopped first: --replace races with the old one's bus name.
    await stop(keyring)
    keyring = start('/usr/bin/gnome-keyring-daemon', ['--foreground', '--unlock', '--components=secrets'], childEnv)
    keyring.stdin?.end(keyringPassword)
    // Ready when the login collection answers, unlocked.
    for (let attempt = 0; ; attempt += 1) {
      try {
        if (!(await locked())) break
      } catch {
        // Not on the bus yet.
      }
      if (attempt > 100) throw new Error('gnome-keyring-daemon did not come up unlocked')
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
  await startKeyring()

  return {
    env,
    async lock() {
      await gdbus('/org/freedesktop/secrets', 'org.freedesktop.Secret.Service.Lock', `['${defaultCollection}']`)
      if (!(await locked())) throw new Error('the keyring did not lock')
    },
    unlock: startKeyring,
    isLocked: locked,
    async close() {
      await stop(keyring)
      await stop(bus)
      rmSync(scratch, { recursive: true, force: true })
    },
  }
}
