import { fork, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { resolve } from 'node:path'

const projectModules = resolve(import.meta.dirname, '../../../node_modules')

/**
 * A worker process forked from a built worker file (build-worker.ts), with its
 * IPC messages, stderr and exit collected. Workers still running when the test
 * process exits are killed, so an interrupted run leaves no process behind.
 */
export interface ExitStatus {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
}

export interface WorkerProcess {
  readonly child: ChildProcess
  readonly pid: number
  /** Every message received so far, in order. */
  readonly messages: readonly unknown[]
  stderr(): string
  /** Resolves with the first message (already received or future) that matches; rejects if the worker exits first. */
  waitFor<T>(match: (message: unknown) => message is T, timeoutMs?: number): Promise<T>
  readonly exited: Promise<ExitStatus>
  isRunning(): boolean
  /** SIGKILL, and wait until the process is gone. */
  kill(): Promise<ExitStatus>
  send(message: unknown): void
}

const live = new Set<ChildProcess>()
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL')
})

export function forkWorker(file: string, args: readonly string[]): WorkerProcess {
  // execArgv: [] so vitest's own loader flags are not passed on to plain Node.
  const child = fork(file, [...args], {
    execArgv: [],
    // The worker file lives in a temp folder, so a package the product loads lazily with
    // createRequire (the common-password list, otplib) would not be found from there; the built
    // app finds them from out/ inside the project. NODE_PATH points the lookup at the project's.
    env: { ...process.env, NODE_PATH: projectModules },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    serialization: 'json',
  })
  if (child.pid === undefined) throw new Error(`could not start ${file}`)
  live.add(child)
  const messages: unknown[] = []
  const listeners = new Set<() => void>()
  let stderr = ''
  let status: ExitStatus | null = null
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  child.on('message', (message) => {
    messages.push(message)
    for (const listener of listeners) listener()
  })
  // A send to a worker that was just killed fails with EPIPE; the exit tells the story.
  child.on('error', () => undefined)
  const exited = new Promise<ExitStatus>((resolve) =>
    child.once('exit', (code, signal) => {
      live.delete(child)
      status = { code, signal }
      for (const listener of listeners) listener()
      resolve(status)
    }),
  )

  function waitFor<T>(match: (message: unknown) => message is T, timeoutMs = 15_000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = () => {
        const found = messages.find(match)
        if (found !== undefined) {
          done()
          resolve(found)
        } else if (status !== null) {
          done()
          reject(new Error(`the worker exited (${JSON.stringify(status)}) first:\n${stderr}`))
        }
      }
      const timer = setTimeout(() => {
        done()
        reject(new Error(`no such message from the worker within ${timeoutMs} ms:\n${stderr}`))
      }, timeoutMs)
      const done = () => {
        clearTimeout(timer)
        listeners.delete(check)
      }
      listeners.add(check)
      check()
    })
  }

  return {
    child,
    pid: child.pid,
    messages,
    stderr: () => stderr,
    waitFor,
    exited,
    isRunning: () => status === null,
    async kill() {
      if (status === null) child.kill('SIGKILL')
      return exited
    },
    send(message) {
      if (status === null && child.connected) child.send(message as never)
    },
  }
}

/** Deterministic integers from a seed (SHA-256 in counter mode), so a failing run can be repeated. */
export function seededIntegers(seed: string): (below: number) => number {
  let counter = 0
  return (below) => createHash('sha256').update(`${seed}:${counter++}`).digest().readUInt32BE(0) % below
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
