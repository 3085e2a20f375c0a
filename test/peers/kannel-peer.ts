import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePorts } from './free-port'
import { Mailbox } from './mailbox'

/**
 * A real Kannel SMS gateway on 127.0.0.1 (Debian's kannel + kannel-extras):
 * bearerbox, smsbox with its sendsms HTTP interface, and `fakesmsc` as the
 * operator, which prints every SMS it is handed. For integration, CLI and
 * end-to-end tests that read SMS codes. See ../shared/ENVIRONMENT.md.
 */
export interface KannelSms {
  readonly from: string
  readonly to: string
  /** Decoded: plain text as is, UCS-2 (coding=2) from its URL-encoded UTF-16BE. */
  readonly text: string
  /** How Kannel handed it over: 'text' (GSM/7-bit), 'ucs-2', 'data' (8-bit). */
  readonly coding: string
}

export interface KannelPeerOptions {
  /** The sendsms user (defaults to `keyhold`). */
  readonly username?: string
  /** Its password (defaults to a random one). */
  readonly password?: string
  /** Sender used when a request has no `from`; Kannel refuses such requests without one. Defaults to `12345`. */
  readonly defaultSender?: string | null
  /** false: do not start fakesmsc, so Kannel queues messages ("3: Queued for later delivery"). */
  readonly smsc?: boolean
  /** How long start-up may take (defaults to 15 s; it usually takes well under a second). */
  readonly startTimeoutMs?: number
}

export interface KannelPeer {
  readonly host: string
  /** e.g. `http://127.0.0.1:PORT/cgi-bin/sendsms`, what the Kannel provider's `url` takes. */
  readonly sendsmsUrl: string
  readonly username: string
  readonly password: string
  /** Bearerbox's status page, with the admin password. */
  readonly statusUrl: string
  /** Every SMS fakesmsc received, in order. */
  readonly messages: readonly KannelSms[]
  /** The next SMS to `to` (as Kannel passes it, e.g. `+15551234567`) not returned before; waits for it. */
  waitForSms(to: string, options?: { timeoutMs?: number }): Promise<KannelSms>
  /** The temp dir's log files, for a failing test's message. */
  logs(): string
  /** Stops all three processes and removes the temp dir. Safe to call twice. */
  close(): Promise<void>
}

const bearerboxBin = '/usr/sbin/bearerbox'
const smsboxBin = '/usr/sbin/smsbox'
const fakesmscBin = '/usr/lib/kannel/test/fakesmsc'
const setprivBin = '/usr/bin/setpriv'

/** Every child still running, killed if the test process exits without close() (no orphans). */
const running = new Set<ChildProcess>()
let exitHookInstalled = false
function track(child: ChildProcess): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true
    process.on('exit', () => {
      for (const child of running) child.kill('SIGKILL')
    })
  }
  running.add(child)
  child.once('exit', () => running.delete(child))
}

/**
 * Starts a program so that it dies with this process even on a hard kill:
 * setpriv sets the parent-death signal, then execs the program (same pid).
 */
function start(bin: string, args: string[], stdio: 'pipe' | number): ChildProcess {
  const [command, argv] = existsSync(setprivBin)
    ? [setprivBin, ['--pdeathsig', 'KILL', '--', bin, ...args]]
    : [bin, args]
  const child = spawn(command, argv, { stdio: ['ignore', stdio, stdio] })
  // A failed spawn shows up as an early exit in startKannelPeer's wait loop.
  child.on('error', () => undefined)
  track(child)
  return child
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null
}

async function stop(child: ChildProcess): Promise<void> {
  if (exited(child)) return
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill('SIGTERM')
  // Bearerbox takes about a second to shut down cleanly; do not wait forever.
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000)
  await gone
  clearTimeout(timer)
}

/** fakesmsc prints UCS-2 and binary data URL-encoded, with `+` for a 0x20 byte. */
function urlDecodeBytes(value: string): Buffer {
  const bytes: number[] = []
  for (let i = 0; i < value.length; i += 1) {
    const char = value[i]!
    if (char === '%' && /^[0-9a-fA-F]{2}$/.test(value.slice(i + 1, i + 3))) {
      bytes.push(parseInt(value.slice(i + 1, i + 3), 16))
      i += 2
    } else if (char === '+') bytes.push(0x20)
    else bytes.push(...Buffer.from(char, 'utf8'))
  }
  return Buffer.from(bytes)
}

function decodeUtf16be(bytes: Buffer): string {
  const swapped = Buffer.from(bytes.subarray(0, bytes.length - (bytes.length % 2)))
  swapped.swap16()
  return swapped.toString('utf16le')
}

const codings = new Set(['text', 'data', 'ucs-2', 'udh-data', 'udh-text', 'route', 'dlr-mask'])

/** `SENDER RECEIVER CODING TEXT` as fakesmsc prints it (SENDER and RECEIVER have no spaces). */
export function parseFakesmscMessage(body: string): KannelSms | null {
  const match = /^(\S+) (\S+) (\S+) ?(.*)$/.exec(body)
  if (!match || !codings.has(match[3]!)) return null
  const [, from, to, coding, payload] = match as unknown as [string, string, string, string, string]
  let text = payload
  if (coding === 'ucs-2') text = decodeUtf16be(urlDecodeBytes(payload))
  else if (coding === 'data') text = urlDecodeBytes(payload).toString('latin1')
  return { from, to, text, coding }
}

/**
 * fakesmsc logs one line per message: `<date> [pid] [0] DEBUG: Got message N: <SENDER RECEIVER CODING TEXT>`.
 * Its line protocol with bearerbox cannot carry a line break: a plain text
 * with one arrives split, the later lines as "messages" without sender and
 * coding, which are dropped here. Keep test texts on one line (UCS-2 texts
 * are URL-encoded and unaffected).
 */
export class FakesmscLogParser {
  private buffer = ''
  constructor(private readonly onMessage: (message: KannelSms) => void) {}

  feed(chunk: string): void {
    this.buffer += chunk
    const lines = this.buffer.split('\n')
    this.buffer = lines.pop() ?? ''
    for (const line of lines) {
      const match = /Got message \d+: <(.*)>\r?$/.exec(line)
      const parsed = match ? parseFakesmscMessage(match[1]!) : null
      if (parsed) this.onMessage(parsed)
    }
  }
}

function kannelConf(
  dir: string,
  ports: Record<'admin' | 'smsbox' | 'smsc' | 'sendsms', number>,
  o: {
    adminPassword: string
    username: string
    password: string
    defaultSender: string | null
  },
): string {
  const quoted = (value: string): string => `"${value.replace(/["\\]/g, '')}"`
  return `# Written by test/peers/kannel-peer.ts: loopback only.
group = core
admin-port = ${ports.admin}
admin-interface = 127.0.0.1
admin-password = ${quoted(o.adminPassword)}
admin-deny-ip = "*.*.*.*"
admin-allow-ip = "127.0.0.1"
smsbox-port = ${ports.smsbox}
smsbox-interface = 127.0.0.1
box-deny-ip = "*.*.*.*"
box-allow-ip = "127.0.0.1"
log-file = ${quoted(join(dir, 'bearerbox.log'))}
log-level = 1
access-log = ${quoted(join(dir, 'bearerbox-access.log'))}

group = smsc
smsc = fake
smsc-id = fake
host = 127.0.0.1
port = ${ports.smsc}
connect-allow-ip = "127.0.0.1"

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = ${ports.smsbox}
sendsms-port = ${ports.sendsms}
sendsms-interface = 127.0.0.1
log-file = ${quoted(join(dir, 'smsbox.log'))}
log-level = 1
access-log = ${quoted(join(dir, 'smsbox-access.log'))}

group = sendsms-user
username = ${quoted(o.username)}
password = ${quoted(o.password)}
max-messages = 10
concatenation = true
${o.defaultSender ? `default-sender = ${quoted(o.defaultSender)}\n` : ''}`
}

async function httpText(url: string): Promise<{ status: number; text: string } | null> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1000) })
    return { status: response.status, text: await response.text() }
  } catch {
    return null
  }
}

export async function startKannelPeer(options: KannelPeerOptions = {}): Promise<KannelPeer> {
  for (const bin of [bearerboxBin, smsboxBin, fakesmscBin]) {
    if (!existsSync(bin))
      throw new Error(`${bin} is missing: apt-get install kannel kannel-extras (see ENVIRONMENT.md)`)
  }
  const host = '127.0.0.1'
  const username = options.username ?? 'keyhold'
  const password = options.password ?? randomBytes(9).toString('base64url')
  const adminPassword = randomBytes(9).toString('base64url')
  const timeoutMs = options.startTimeoutMs ?? 15_000
  const dir = mkdtempSync(join(tmpdir(), 'keyhold-kannel-'))
  const [admin, smsbox, smsc, sendsms] = (await freePorts(4)) as [number, number, number, number]
  const confFile = join(dir, 'kannel.conf')
  writeFileSync(
    confFile,
    kannelConf(
      dir,
      { admin, smsbox, smsc, sendsms },
      {
        adminPassword,
        username,
        password,
        defaultSender: options.defaultSender === undefined ? '12345' : options.defaultSender,
      },
    ),
  )

  const mailbox = new Mailbox<KannelSms>()
  const children: ChildProcess[] = []
  const statusUrl = `http://${host}:${admin}/status.txt?password=${encodeURIComponent(adminPassword)}`
  const sendsmsUrl = `http://${host}:${sendsms}/cgi-bin/sendsms`

  const logs = (): string =>
    ['bearerbox.out', 'bearerbox.log', 'smsbox.out', 'smsbox.log', 'fakesmsc.out']
      .map((name) => join(dir, name))
      .filter((file) => existsSync(file))
      .map((file) => `--- ${file}\n${readFileSync(file, 'utf8').split('\n').slice(-30).join('\n')}`)
      .join('\n')

  let closed = false
  const close = async (): Promise<void> => {
    if (closed) return
    closed = true
    // Operator and smsbox first, so bearerbox does not queue and retry while going down.
    await Promise.all(children.slice(1).map(stop))
    if (children[0]) await stop(children[0])
    rmSync(dir, { recursive: true, force: true })
  }

  const withOutput = (name: string): number => openSync(join(dir, `${name}.out`), 'a')

  try {
    const deadline = Date.now() + timeoutMs
    const until = async <T>(what: string, check: () => Promise<T | undefined>): Promise<T> => {
      for (;;) {
        const dead = children.find(exited)
        if (dead) throw new Error(`${dead.spawnfile} exited while waiting for ${what}`)
        const value = await check()
        if (value !== undefined) return value
        if (Date.now() > deadline) throw new Error(`Kannel did not start within ${timeoutMs} ms (${what})`)
        await new Promise((resolve) => setTimeout(resolve, 25))
      }
    }

    const bearerboxOut = withOutput('bearerbox')
    children.push(start(bearerboxBin, [confFile], bearerboxOut))
    closeSync(bearerboxOut)
    // Wait on the status page, never by connecting to the fake SMSC port: that connection would be the SMSC.
    await until('bearerbox status page', async () =>
      (await httpText(statusUrl))?.text.includes('SMSC connections') ? true : undefined,
    )

    const smsboxOut = withOutput('smsbox')
    children.push(start(smsboxBin, [confFile], smsboxOut))
    closeSync(smsboxOut)

    if (options.smsc !== false) {
      // -m 0: send no messages of its own; the dummy message argument is required by its command line.
      const fakesmsc = start(
        fakesmscBin,
        ['-H', host, '-r', String(smsc), '-i', '1', '-m', '0', '-v', '0', '123 456 text dummy'],
        'pipe',
      )
      children.push(fakesmsc)
      const raw = openSync(join(dir, 'fakesmsc.out'), 'a')
      // One parser per stream, so lines from stdout and stderr never interleave mid-line.
      for (const stream of [fakesmsc.stdout, fakesmsc.stderr]) {
        const parser = new FakesmscLogParser((message) => mailbox.push(message))
        stream?.setEncoding('utf8')
        stream?.on('data', (chunk: string) => {
          writeFileSync(raw, chunk)
          parser.feed(chunk)
        })
      }
      // 'close', not 'exit': output can still arrive after the process exited.
      fakesmsc.once('close', () => closeSync(raw))
    }

    await until('smsbox and the fake SMSC to connect', async () => {
      const status = (await httpText(statusUrl))?.text ?? ''
      const boxUp = /Box connections:[\s\S]*smsbox/.test(status)
      const smscUp = options.smsc === false || /fake\[fake\][^\n]*\(online/.test(status)
      return boxUp && smscUp ? true : undefined
    })
    // smsbox answers sendsms once it is connected; an unauthenticated request gets a 4xx, which is enough.
    await until('the sendsms interface', async () => ((await httpText(sendsmsUrl)) ? true : undefined))
  } catch (error) {
    const detail = logs()
    await close()
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${detail}`, { cause: error })
  }

  return {
    host,
    sendsmsUrl,
    username,
    password,
    statusUrl,
    messages: mailbox.all,
    waitForSms(to, { timeoutMs: wait = 10_000 } = {}) {
      return mailbox.take(`an SMS to ${to}`, (message) => message.to === to, wait)
    },
    logs,
    close,
  }
}
