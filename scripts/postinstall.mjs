/**
 * npm postinstall: makes one `npm install` serve `npm start`, `npm test`, `npm run cli` and
 * `npm run preview:web`, with or without the Electron binary, and with no environment variable.
 *
 * package.json's `allowScripts` denies the install scripts of keytar, better-sqlite3 and electron
 * (npm 11.16+ skips a package named `false` there), because each needs something from outside npm that
 * npm cannot ask for: a compiler and libsecret, or a 100 MB download. This script runs them itself, in
 * this order:
 *
 *  1. keytar and better-sqlite3 for Node, when their binary is missing: first the build prerequisites
 *     (scripts/system-deps.mjs --build: installed with apt as root or with sudo, else it stops the
 *     install with the exact `apt-get install` line), then the package's own install script
 *     (`prebuild-install || node-gyp rebuild`). Without these nothing runs, so a failure fails the
 *     install. (npm 10 ignores `allowScripts` and builds them itself; then there is nothing to do here.)
 *  2. The Electron binary, when it is missing: electron's own install.js, stopped when no byte has
 *     arrived for a while (a firewall that drops packets must not hang the install). A failure is one
 *     line, and the install goes on: `npm start` then runs the browser preview (scripts/start.mjs).
 *  3. The Electron copy of better-sqlite3. better-sqlite3 is not N-API, so a compiled binary loads in
 *     either Node or Electron, never both. The Node build in node_modules serves the tests, the CLI and
 *     the browser preview; where the Electron binary is installed, this builds a second copy for
 *     Electron into .native/electron/better_sqlite3.node, which the app passes to better-sqlite3's
 *     `nativeBinding` option (electron/main/native/better-sqlite3-binding.ts). A failure is a warning
 *     with how to retry (`npm run postinstall`). `--force` rebuilds it even when up to date.
 */
import { spawn, spawnSync } from 'node:child_process'
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { BUILD_REQUIREMENTS, ensureSystemDeps, findMissing } from './system-deps.mjs'

/** Relative to the project root; electron/main/native/better-sqlite3-binding.ts reads the same path. */
export const electronNativeDir = ['.native', 'electron']
export const bindingFileName = 'better_sqlite3.node'
export const stampFileName = 'build.json'
/** Electron's headers for node-gyp (Electron ships no headers of its own in node_modules). */
export const electronHeadersUrl = 'https://electronjs.org/headers'

const tag = 'keyhold postinstall:'

function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'))
}

/**
 * The installed Electron binary, or null when there is none. electron's own
 * install step writes node_modules/electron/path.txt (the executable's path
 * inside dist/) only after it downloaded the binary, so a missing path.txt or a
 * missing executable both mean "not downloaded".
 */
export function findElectron(root, env = process.env) {
  const packageDir = join(root, 'node_modules', 'electron')
  const pathFile = join(packageDir, 'path.txt')
  if (!existsSync(pathFile)) return null
  const executableInDist = readFileSync(pathFile, 'utf8').trim()
  if (executableInDist === '') return null
  // The same lookup as node_modules/electron/index.js.
  const distDir = env.ELECTRON_OVERRIDE_DIST_PATH || join(packageDir, 'dist')
  const executable = join(distDir, executableInDist)
  if (!existsSync(executable)) return null
  const version = readJson(join(packageDir, 'package.json')).version
  const abiFile = join(packageDir, 'abi_version')
  const abi = existsSync(abiFile) ? readFileSync(abiFile, 'utf8').trim() || null : null
  return { version, abi, executable }
}

/** What a build is for; stored beside the binary so the next install can tell whether to rebuild. */
export function buildStamp({
  electronVersion,
  betterSqlite3Version,
  platform = process.platform,
  arch = process.arch,
}) {
  return { electron: electronVersion, betterSqlite3: betterSqlite3Version, platform, arch }
}

/** True when .native/electron holds a binary built for exactly this stamp. */
export function isUpToDate(root, stamp) {
  const dir = join(root, ...electronNativeDir)
  if (!existsSync(join(dir, bindingFileName))) return false
  let stored
  try {
    stored = readJson(join(dir, stampFileName))
  } catch {
    return false
  }
  return Object.keys(stamp).every((key) => stored?.[key] === stamp[key])
}

/**
 * True when a compiled addon registers itself for this module ABI (the symbol
 * `node_register_module_v<abi>` that `nm -D` shows). Catches a build that
 * silently targeted Node instead of Electron.
 */
export function binaryTargetsAbi(bytes, abi) {
  const needle = Buffer.from(`node_register_module_v${abi}`)
  for (let at = bytes.indexOf(needle); at !== -1; at = bytes.indexOf(needle, at + 1)) {
    const next = bytes[at + needle.length]
    // v14 must not match v145.
    if (next === undefined || next < 0x30 || next > 0x39) return true
  }
  return false
}

/**
 * The environment for the Electron build. npm passes every config key as
 * npm_config_*; a `nodedir` (this machine's ~/.npmrc sets nodedir=/usr) makes
 * node-gyp compile against Node's headers, i.e. build for Node again.
 */
export function electronBuildEnv(env = process.env) {
  return Object.fromEntries(Object.entries(env).filter(([key]) => key.toLowerCase() !== 'npm_config_nodedir'))
}

function run(command, args, options) {
  const result = spawnSync(command, args, { stdio: 'inherit', ...options })
  return result.status === 0
}

function resolveFrom(dir, request) {
  try {
    return createRequire(join(dir, 'package.json')).resolve(request)
  } catch {
    return null
  }
}

function buildForElectron({ root, electron, arch, env, log }) {
  const source = join(root, 'node_modules', 'better-sqlite3')
  const temp = mkdtempSync(join(tmpdir(), 'keyhold-better-sqlite3-electron-'))
  try {
    // A copy, so npm's Node build in node_modules stays untouched.
    const work = join(temp, 'better-sqlite3')
    cpSync(source, work, {
      recursive: true,
      filter: (path) => relative(source, path).split(sep)[0] !== 'build',
    })
    const childEnv = electronBuildEnv(env)
    const options = { cwd: work, env: childEnv }
    let built = false
    const prebuildInstall = resolveFrom(source, 'prebuild-install/bin.js')
    if (prebuildInstall) {
      log(`${tag} fetching a prebuilt better-sqlite3 for Electron ${electron.version} (${arch})…`)
      built = run(
        process.execPath,
        [prebuildInstall, '--runtime', 'electron', '--target', electron.version, '--arch', arch],
        options,
      )
    }
    if (!built) {
      const nodeGyp = resolveFrom(root, 'node-gyp/bin/node-gyp.js') ?? env.npm_config_node_gyp ?? null
      if (!nodeGyp) throw new Error('node-gyp was not found (neither in node_modules nor from npm)')
      log(`${tag} compiling better-sqlite3 for Electron ${electron.version} (${arch}); this takes a few minutes…`)
      built = run(
        process.execPath,
        [
          nodeGyp,
          'rebuild',
          '--release',
          '--runtime=electron',
          `--target=${electron.version}`,
          `--arch=${arch}`,
          `--dist-url=${electronHeadersUrl}`,
        ],
        options,
      )
      if (!built) throw new Error('node-gyp could not build better-sqlite3 for Electron')
    }
    const output = join(work, 'build', 'Release', bindingFileName)
    if (!existsSync(output)) throw new Error(`the build produced no ${bindingFileName}`)
    if (electron.abi && !binaryTargetsAbi(readFileSync(output), electron.abi)) {
      throw new Error(`the built binary is not for Electron's module ABI ${electron.abi} (was it built for Node?)`)
    }
    const targetDir = join(root, ...electronNativeDir)
    mkdirSync(targetDir, { recursive: true })
    // Copy then rename, so an interrupted install never leaves half a binary where the app looks.
    const partial = join(targetDir, `${bindingFileName}.partial`)
    copyFileSync(output, partial)
    renameSync(partial, join(targetDir, bindingFileName))
  } finally {
    rmSync(temp, { recursive: true, force: true })
  }
}

/** The native addons npm is told not to build (allowScripts), and the binary each one's build leaves. */
export const nodeAddons = Object.freeze([
  { name: 'keytar', binary: ['build', 'Release', 'keytar.node'] },
  { name: 'better-sqlite3', binary: ['build', 'Release', bindingFileName] },
])

/** The addons installed in node_modules whose binary is missing (npm 11 skipped their install script). */
export function addonsToBuild(root, addons = nodeAddons) {
  return addons.filter(({ name, binary }) => {
    const dir = join(root, 'node_modules', name)
    return existsSync(join(dir, 'package.json')) && !existsSync(join(dir, ...binary))
  })
}

/** The last lines of a build's output, for the error message: the compiler's complaint is at the end. */
function tail(text, lines = 25) {
  return text.trimEnd().split('\n').slice(-lines).join('\n')
}

/** npm itself: the one running this script when there is one (npm_execpath), else the first on PATH. */
function npmCommand(env) {
  const execPath = env.npm_execpath
  if (execPath && /npm-cli\.c?js$/.test(execPath)) return { command: process.execPath, args: [execPath] }
  return { command: process.platform === 'win32' ? 'npm.cmd' : 'npm', args: [] }
}

/** Runs an addon's own `install` script, as npm would have, with its output kept for a failure. */
function runAddonInstallScript(root, name, env) {
  const npm = npmCommand(env)
  const result = spawnSync(npm.command, [...npm.args, 'run', 'install'], {
    cwd: join(root, 'node_modules', name),
    env,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    shell: process.platform === 'win32' && npm.args.length === 0,
  })
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}`
  return { ok: result.status === 0, output }
}

/** The build prerequisites, where apt can bring them (Debian and Ubuntu); elsewhere the build speaks for itself. */
function ensureBuildPrerequisites(log) {
  if (process.platform !== 'linux' || !existsSync('/usr/bin/apt-get')) return true
  // Silent when all is there: the install prints lines only for what it does.
  if (findMissing(BUILD_REQUIREMENTS).length === 0) return true
  return ensureSystemDeps({ requirements: BUILD_REQUIREMENTS, log })
}

/**
 * Step 1: builds keytar and better-sqlite3 for Node where their binary is missing. Returns 'present',
 * 'built' or 'failed' (the caller fails the install: tests, CLI and preview all need both).
 */
export function buildNodeAddons({
  root,
  env = process.env,
  log = console.log,
  warn = console.warn,
  ensurePrerequisites = ensureBuildPrerequisites,
  runInstallScript = runAddonInstallScript,
}) {
  const missing = addonsToBuild(root)
  if (missing.length === 0) return 'present'
  if (!ensurePrerequisites(log)) {
    warn(
      `${tag} ERROR: ${missing.map(({ name }) => name).join(' and ')} cannot be built without the packages named above.`,
    )
    return 'failed'
  }
  for (const { name } of missing) {
    log(
      `${tag} building ${name} for Node (a prebuilt binary if one can be downloaded, else compiled: up to a few minutes)…`,
    )
    const { ok, output } = runInstallScript(root, name, env)
    if (!ok) {
      warn(
        `${tail(output)}\n${tag} ERROR: building ${name} failed (its output is above); fix the cause and run \`npm install\` again.`,
      )
      return 'failed'
    }
  }
  return 'built'
}

/** Bytes in the files under `dir` (0 when it does not exist): how the download's progress is seen. */
function bytesUnder(dir) {
  let total = 0
  let entries
  try {
    entries = readdirSync(dir, { withFileTypes: true })
  } catch {
    return 0
  }
  for (const entry of entries) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) total += bytesUnder(path)
    else {
      try {
        total += statSync(path).size
      } catch {
        // Moved away between readdir and stat (the download into the cache): counted on the next look.
      }
    }
  }
  return total
}

/** The one-line reason in a failed download's output: the first line of its error, without the stack. */
export function downloadFailureReason(output) {
  const lines = output.split('\n').map((line) => line.trim())
  const line = lines.find((text) => /error/i.test(text) && !text.startsWith('at ')) ?? lines.find((text) => text !== '')
  if (!line) return 'no reason given'
  return line.length > 160 ? `${line.slice(0, 157)}...` : line
}

/** Seconds without a new byte after which the Electron download counts as hanging. */
export const electronStallSeconds = 30

/**
 * Step 2: runs electron's own install.js (it downloads the zip through @electron/get, checks it against
 * electron's checksums and unpacks it into node_modules/electron/dist). install.js has no timeout and
 * prints nothing until it ends, so progress is watched on disk: it gets a temporary folder of its own
 * (TMPDIR) to download into, and the bytes there and in dist/ must grow at least every `stallMs`.
 * Resolves to { status: 'downloaded' | 'failed' | 'stalled', reason? }.
 */
export function downloadElectron({
  root,
  env = process.env,
  installScript = join(root, 'node_modules', 'electron', 'install.js'),
  stallMs = electronStallSeconds * 1000,
  pollMs = 1000,
}) {
  if (!existsSync(installScript)) {
    return Promise.resolve({ status: 'failed', reason: `${relative(root, installScript)} is missing` })
  }
  const temp = mkdtempSync(join(tmpdir(), 'keyhold-electron-download-'))
  const watched = [temp, join(dirname(installScript), 'dist')]
  return new Promise((resolveDownload) => {
    const child = spawn(process.execPath, [installScript], {
      cwd: dirname(installScript),
      env: { ...env, TMPDIR: temp, TMP: temp, TEMP: temp },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    const keep = (chunk) => {
      // The start of the output holds the error; a runaway child must not fill memory.
      if (output.length < 64 * 1024) output += chunk
    }
    child.stdout.setEncoding('utf8').on('data', keep)
    child.stderr.setEncoding('utf8').on('data', keep)
    let bytes = -1
    let lastProgress = Date.now()
    let stalled = false
    const watch = setInterval(() => {
      const now = watched.reduce((sum, dir) => sum + bytesUnder(dir), 0)
      if (now !== bytes) {
        bytes = now
        lastProgress = Date.now()
      } else if (Date.now() - lastProgress >= stallMs) {
        stalled = true
        child.kill('SIGKILL')
      }
    }, pollMs)
    const finish = (result) => {
      clearInterval(watch)
      rmSync(temp, { recursive: true, force: true })
      resolveDownload(result)
    }
    child.on('error', (error) => finish({ status: 'failed', reason: error.message }))
    child.on('exit', (code) => {
      if (stalled) finish({ status: 'stalled', reason: `nothing arrived for ${Math.round(stallMs / 1000)} s` })
      else if (code === 0) finish({ status: 'downloaded' })
      else finish({ status: 'failed', reason: downloadFailureReason(output) })
    })
  })
}

/**
 * Steps 2 and 3 for a machine without the Electron binary: one line when it cannot be had. Resolves to
 * the Electron install, or null.
 */
export async function ensureElectron({ root, env = process.env, log = console.log, download = downloadElectron }) {
  const present = findElectron(root, env)
  if (present) return present
  const result = await download({ root, env })
  const electron = findElectron(root, env)
  if (electron) return electron
  const why =
    result.status === 'downloaded'
      ? env.ELECTRON_SKIP_BINARY_DOWNLOAD
        ? 'ELECTRON_SKIP_BINARY_DOWNLOAD is set'
        : 'electron/install.js ended without installing it'
      : result.reason
  log(
    `${tag} no Electron binary (${why}): \`npm start\` runs the browser preview instead; \`npm run postinstall\` tries the download again.`,
  )
  return null
}

/**
 * Returns what happened: 'skipped' (no Electron binary), 'up-to-date',
 * 'built' or 'failed'. Never throws.
 */
export function runPostinstall({
  root,
  env = process.env,
  argv = process.argv.slice(2),
  arch = env.npm_config_arch || process.arch,
  log = console.log,
  warn = console.warn,
}) {
  try {
    const electron = findElectron(root, env)
    if (!electron) {
      log(
        `${tag} Electron binary not installed: skipping the Electron copy of better-sqlite3; tests, CLI and preview use npm's Node build.`,
      )
      return 'skipped'
    }
    const betterSqlite3Version = readJson(join(root, 'node_modules', 'better-sqlite3', 'package.json')).version
    const stamp = buildStamp({ electronVersion: electron.version, betterSqlite3Version, arch })
    if (!argv.includes('--force') && isUpToDate(root, stamp)) {
      log(`${tag} better-sqlite3 ${betterSqlite3Version} for Electron ${electron.version} is up to date.`)
      return 'up-to-date'
    }
    // A binary for another Electron or better-sqlite3 would fail later with an opaque ABI error;
    // without one, the app names the fix (`npm run postinstall`) if this build fails.
    for (const file of [stampFileName, bindingFileName]) rmSync(join(root, ...electronNativeDir, file), { force: true })
    buildForElectron({ root, electron, arch, env, log })
    writeFileSync(join(root, ...electronNativeDir, stampFileName), `${JSON.stringify(stamp, null, 2)}\n`)
    log(
      `${tag} built better-sqlite3 ${betterSqlite3Version} for Electron ${electron.version} into ${join(...electronNativeDir, bindingFileName)}.`,
    )
    return 'built'
  } catch (error) {
    warn(
      `${tag} WARNING: could not build better-sqlite3 for Electron: ${error instanceof Error ? error.message : String(error)}\n` +
        `${tag} npm install still succeeded; tests, the CLI and the preview work. For the app (npm start), fix the cause above and run \`npm run postinstall\`.`,
    )
    return 'failed'
  }
}

const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href
if (invokedDirectly) {
  const root = dirname(dirname(fileURLToPath(import.meta.url)))
  if (buildNodeAddons({ root }) === 'failed') {
    process.exitCode = 1
  } else if (await ensureElectron({ root })) {
    runPostinstall({ root })
    // The Electron copy is optional: whatever happened there, the install goes on.
    process.exitCode = 0
  }
}
