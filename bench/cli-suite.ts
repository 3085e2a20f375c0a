import { spawnSync } from 'node:child_process'
import { accessSync, constants, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { createKeytarSecretStore } from '../electron/main/adapters/keychain/keytar-secret-store'
import { totpCodeAt } from '../electron/main/adapters/otp/totp-engine'
import { keychainAccountFor } from '../electron/main/adapters/vault/open-vault'
import { openKeyhold } from '../electron/main/composition/open-keyhold'
import { totpSecretContext } from '../electron/main/services/mfa-deps'
import type { TotpParams } from '../electron/main/services/mfa-ports'
import { figure, targets, type Figure } from './figure-report'

/**
 * `keyhold auth` as a script calls it (issue 15): the package's bin/keyhold.js
 * on Node, a whole process from start to exit, reading a password and a code
 * from an authenticator app on stdin, next to a bare `node -e 0` and to
 * pam_oath through pamtester checking the same kind of code (TOTP, 6 digits,
 * 30 s). The three run in turn (node, keyhold, pam, node, …) in one loop, so
 * a machine that slows down during the run slows all three alike.
 *
 * keyhold needs a keychain: the measuring loop runs in a child started through
 * scripts/with-keyring.sh (a private D-Bus session with gnome-keyring). Each
 * run signs in a different account (and pam_oath a different user): a TOTP
 * code is good once per account (S7), and pam_oath refuses a replayed one too.
 */
const runs = Number(process.env.KEYHOLD_BENCH_CLI_RUNS ?? 15)
const warmup = 2
const password = 'bench-cli-Orbit-lantern-7'
const params: TotpParams = { algorithm: 'sha1', digits: 6, period: 30 }
const pamService = `keyhold-bench-${process.pid}`

interface CliTimes {
  readonly nodeMs: number[]
  readonly keyholdMs: number[]
  readonly pamMs: number[] | null
  readonly pamReason: string | null
}

export interface CliFigures {
  readonly figures: Figure[]
  /** Why a figure is missing (no keychain, no pam_oath), or null. */
  readonly missing: string | null
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

function timedRun(command: string, args: readonly string[], input: string, what: string): number {
  const start = performance.now()
  const run = spawnSync(command, args, { input, encoding: 'utf8' })
  const ms = performance.now() - start
  if (run.status !== 0) {
    throw new Error(`${what} exited with ${run.status ?? run.signal}: ${(run.stderr || run.stdout || '').trim()}`)
  }
  return ms
}

/** Why pam_oath cannot be measured here, or null when it can. */
function pamUnavailable(): string | null {
  const module = ['/usr/lib/x86_64-linux-gnu', '/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/lib64', '/lib']
    .map((dir) => join(dir, 'security', 'pam_oath.so'))
    .find((file) => existsSync(file))
  if (!module) return 'pam_oath.so is not installed (Debian package libpam-oath)'
  if (spawnSync('pamtester', [], { encoding: 'utf8' }).error) {
    return 'pamtester is not installed (Debian package pamtester)'
  }
  try {
    // PAM reads a service's rules only from /etc/pam.d: writing one there needs root.
    accessSync('/etc/pam.d', constants.W_OK)
  } catch {
    return 'a PAM service file can only go in /etc/pam.d, which this user cannot write'
  }
  return null
}

/** In the keyring session: a data folder with one account per run, each with an authenticator app. */
async function prepare(workDir: string, count: number): Promise<{ dataDir: string; secrets: Buffer[] }> {
  const dataDir = join(workDir, 'cli-data')
  mkdirSync(dataDir, { recursive: true })
  const keyhold = await openKeyhold({ dataDir, secretStore: createKeytarSecretStore() })
  const secrets: Buffer[] = []
  try {
    await keyhold.accounts.createFirstAdmin({ username: 'bench.admin', password }, 'cli:bench')
    const { deps } = keyhold
    // One Argon2id hash shared by every account: each `keyhold auth` still verifies it in full.
    const passwordHash = await deps.hasher.hash(password)
    deps.uow.tx(() => {
      const now = deps.clock.now()
      for (let i = 0; i < count; i += 1) {
        const secret = Buffer.from(deps.random.bytes(20))
        secrets.push(secret)
        const account = deps.accounts.insert({
          username: `bench.cli${i}`,
          displayName: `Bench CLI ${i}`,
          email: null,
          phone: null,
          role: 'user',
          passwordHash,
          passwordShort: false,
          now,
        })
        deps.methods.insert({
          accountId: account.id,
          type: 'totp',
          label: 'Phone',
          destination: null,
          secretEnc: deps.secrets.encrypt(secret.toString('base64'), totpSecretContext(account.id)),
          totp: params,
          lastUsedStep: null,
          preferred: true,
          createdAt: now,
        })
      }
    })
  } finally {
    keyhold.close()
  }
  return { dataDir, secrets }
}

/** The measuring loop; runs in the child under scripts/with-keyring.sh and prints its times as JSON. */
export async function cliChild(root: string, workDir: string): Promise<void> {
  const count = warmup + runs
  const { dataDir, secrets } = await prepare(workDir, count)
  const entry = join(root, 'bin', 'keyhold.js')
  const pamReason = pamUnavailable()
  const pamFile = join('/etc/pam.d', pamService)
  const usersFile = join(workDir, 'users.oath')
  const times: { nodeMs: number[]; keyholdMs: number[]; pamMs: number[] } = { nodeMs: [], keyholdMs: [], pamMs: [] }
  try {
    if (pamReason === null) {
      const lines = secrets.map((secret, i) => `HOTP/T30/6 kbench${i} - ${secret.toString('hex')}`)
      writeFileSync(usersFile, `${lines.join('\n')}\n`, { mode: 0o600 })
      writeFileSync(pamFile, `auth required pam_oath.so usersfile=${usersFile} window=1 digits=6\n`)
    }
    for (let i = 0; i < count; i += 1) {
      const counted = i >= warmup
      const node = timedRun(process.execPath, ['-e', '0'], '', 'node -e 0')
      const code = totpCodeAt(secrets[i]!, params, Date.now())
      const keyhold = timedRun(
        process.execPath,
        [entry, '--data-dir', dataDir, 'auth', `bench.cli${i}`],
        `${password}\n${code}\n`,
        'keyhold auth',
      )
      if (counted) times.nodeMs.push(node)
      if (counted) times.keyholdMs.push(keyhold)
      if (pamReason === null) {
        const pamCode = totpCodeAt(secrets[i]!, params, Date.now())
        const pam = timedRun('pamtester', [pamService, `kbench${i}`, 'authenticate'], `${pamCode}\n`, 'pamtester')
        if (counted) times.pamMs.push(pam)
      }
    }
  } finally {
    rmSync(pamFile, { force: true })
    await createKeytarSecretStore()
      .delete(keychainAccountFor(dataDir))
      .catch(() => false)
  }
  const result: CliTimes = { ...times, pamMs: pamReason === null ? times.pamMs : null, pamReason }
  process.stdout.write(`${JSON.stringify(result)}\n`)
}

/** Builds out/ (bin/keyhold.js runs out/main/cli.js), then runs the loop in a keyring session. */
export function measureCli(root: string, workDir: string, benchFile: string): CliFigures {
  if (process.env.KEYHOLD_BENCH_CLI_BUILT !== '1') {
    const build = spawnSync('npx', ['--no', 'electron-vite', 'build'], { cwd: root, encoding: 'utf8' })
    if (build.status !== 0) throw new Error(`npx electron-vite build failed:\n${build.stdout}${build.stderr}`)
  }
  const child = spawnSync(
    join(root, 'scripts', 'with-keyring.sh'),
    [process.execPath, benchFile, 'cli-child', workDir],
    {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, KEYHOLD_BENCH_ROOT: root },
      maxBuffer: 16 * 2 ** 20,
    },
  )
  const last = child.stdout.trim().split('\n').at(-1) ?? ''
  if (child.status !== 0 || !last.startsWith('{')) {
    const why = `${child.stderr}`.split('\n').find((line) => line.trim() !== '' && !line.includes('dbus-daemon'))
    if (/gnome-keyring-daemon|dbus-run-session/.test(why ?? '')) {
      return { figures: [], missing: `keyhold auth not measured: no keychain to run it with (${why})` }
    }
    throw new Error(`the keyhold auth measurement failed (exit ${child.status}):\n${child.stdout}${child.stderr}`)
  }
  const times = JSON.parse(last) as CliTimes
  const nodeMs = median(times.nodeMs)
  const keyholdMs = median(times.keyholdMs)
  const pamMs = times.pamMs === null ? null : median(times.pamMs)
  const pairs = times.keyholdMs.map((ms, i) => ms / times.nodeMs[i]!)
  const note = `keyhold auth: bin/keyhold.js on Node, a whole process from spawn to exit, password and a TOTP code on stdin, one account with an authenticator app per run; ${runs} runs after ${warmup} warm-up runs, interleaved with node -e 0${times.pamMs === null ? '' : ' and pamtester'}, medians. Pair by pair the ratio to node -e 0 had a median of ${median(pairs).toFixed(2)}×.`
  const pamNote =
    times.pamMs === null
      ? `pam_oath not measured: ${times.pamReason}.`
      : 'pam_oath: pamtester with a PAM service whose only rule is pam_oath (usersfile, HOTP/T30/6, window=1, digits=6), the code on stdin; it checks the code only, keyhold auth the password (Argon2id) and the code.'
  const figures: Figure[] = [
    figure({
      name: 'keyhold auth, password + TOTP (whole process), median',
      value: keyholdMs,
      unit: 'ms',
      floor: nodeMs,
      target: targets.ratioAtMost(3),
      note: `${note} Floor: node -e 0 in the same loop. ${pamNote}`,
    }),
    figure({ name: 'node -e 0 (whole process), median', value: nodeMs, unit: 'ms', note }),
  ]
  if (pamMs !== null) {
    figures.push(
      figure({
        name: 'pam_oath through pamtester, TOTP (whole process), median',
        value: pamMs,
        unit: 'ms',
        note: pamNote,
      }),
      figure({
        name: 'keyhold auth against pam_oath (ratio of medians)',
        value: keyholdMs / pamMs,
        unit: '×',
        note: pamNote,
      }),
    )
  }
  return { figures, missing: pamMs === null ? pamNote : null }
}
