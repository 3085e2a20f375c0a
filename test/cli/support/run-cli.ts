import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir, userInfo } from 'node:os'
import { join, resolve } from 'node:path'
import Database from 'better-sqlite3'

/**
 * Runs the REAL built CLI (out/main/cli.js, what `keyhold` and `npm run cli`
 * run) as a child process on plain Node, and collects its exit code and output.
 * Build first (`npx electron-vite build`), and run inside the keyring session
 * (`./scripts/with-keyring.sh npx vitest run --project cli`).
 */
export const repoRoot = resolve(import.meta.dirname, '../../..')
export const cliEntry = join(repoRoot, 'out/main/cli.js')
export const cliActor = `cli:${userInfo().username}`

export interface CliRun {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

export interface RunOptions {
  /** Written to stdin, which is then closed; stdin is empty (not a terminal) when omitted. */
  readonly input?: string | Buffer
  /** Merged over this process's environment; `undefined` removes a variable. */
  readonly env?: Readonly<Record<string, string | undefined>>
  /** The program and leading arguments; default: node out/main/cli.js. */
  readonly command?: readonly string[]
  readonly cwd?: string
}

export function runProcess(args: readonly string[], options: RunOptions = {}): Promise<CliRun> {
  const env: Record<string, string | undefined> = { ...process.env, KEYHOLD_DATA_DIR: undefined, ...options.env }
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key]
  const [program, ...lead] = options.command ?? [process.execPath, cliEntry]
  return new Promise((done, fail) => {
    const child = spawn(program!, [...lead, ...args], { env, cwd: options.cwd ?? repoRoot, stdio: 'pipe' })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    // A command that fails before reading stdin closes it; that is not the test's failure.
    child.stdin.on('error', () => {})
    child.on('error', fail)
    child.on('close', (code) => done({ code, stdout, stderr }))
    child.stdin.end(options.input ?? '')
  })
}

/** The CLI bound to one data folder (`--data-dir` appended). */
export function cliFor(dataDir: string) {
  return (args: readonly string[], options: RunOptions = {}) => runProcess([...args, '--data-dir', dataDir], options)
}

/** The one JSON document a `--json` run printed on stdout. */
export function jsonOf(run: CliRun): unknown {
  const lines = run.stdout.trim().split('\n')
  if (lines.length !== 1)
    throw new Error(`expected one line of JSON on stdout, got:\n${run.stdout}\nstderr:\n${run.stderr}`)
  return JSON.parse(lines[0]!)
}

export function makeTempDir(prefix: string): { readonly path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `keyhold-cli-${prefix}-`))
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) }
}

/**
 * A test file's own Keyhold: a temporary folder (remove it after the tests)
 * holding the data folder `data`, and the CLI run on that data folder.
 */
export function siteFor(prefix: string) {
  const temp = makeTempDir(prefix)
  const dataDir = join(temp.path, 'data')
  return { temp, dataDir, cli: cliFor(dataDir) }
}

/** Fails fast with the fix when the build or the keyring session is missing. */
export function requireBuiltCli(options: { keyring: boolean }): void {
  if (!existsSync(cliEntry)) throw new Error(`${cliEntry} is missing: build first with npx electron-vite build`)
  if (options.keyring && !process.env.DBUS_SESSION_BUS_ADDRESS) {
    throw new Error(
      'These tests need the keychain: run them with ./scripts/with-keyring.sh npx vitest run --project cli',
    )
  }
}

/** Reads the database file directly, as an independent check of what the CLI did. */
export function withDatabase<T>(dataDir: string, use: (db: Database.Database) => T): T {
  const db = new Database(join(dataDir, 'keyhold.db'))
  try {
    return use(db)
  } finally {
    db.close()
  }
}

export interface AuditRow {
  readonly actor: string
  readonly event: string
  readonly account_id: number | null
}

export function auditRows(dataDir: string): AuditRow[] {
  return withDatabase(dataDir, (db) =>
    db.prepare<[], AuditRow>('SELECT actor, event, account_id FROM audit_log ORDER BY id').all(),
  )
}

export const accountKeys = [
  'username',
  'displayName',
  'email',
  'phone',
  'role',
  'disabled',
  'locked',
  'createdAt',
  'lastSignInAt',
] as const
