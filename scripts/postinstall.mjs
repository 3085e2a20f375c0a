/**
 * npm postinstall: gives the Electron app its own build of better-sqlite3.
 *
 * better-sqlite3 is not N-API, so a compiled binary loads in either Node or
 * Electron, never both. npm builds node_modules/better-sqlite3 for Node, and
 * the tests, the CLI and the browser preview use that build as it is. When the
 * Electron binary is installed, this script builds a second copy for Electron
 * into .native/electron/better_sqlite3.node, which the app passes to
 * better-sqlite3's `nativeBinding` option
 * (electron/main/native/better-sqlite3-binding.ts). So one `npm install` serves
 * `npm start`, `npm test`, `npm run cli` and `npm run preview:web` in any order.
 *
 * It never fails the install: without the Electron binary (ELECTRON_SKIP_BINARY_DOWNLOAD=1,
 * as in CI) it says so in one line; if the build fails it prints a warning and
 * how to retry (`npm run postinstall`). `--force` rebuilds even when up to date.
 */
import { spawnSync } from 'node:child_process'
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

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
 * missing executable both mean "skipped" (ELECTRON_SKIP_BINARY_DOWNLOAD=1).
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
        `${tag} Electron binary not installed (ELECTRON_SKIP_BINARY_DOWNLOAD?): skipping the Electron copy of better-sqlite3; tests, CLI and preview use npm's Node build.`,
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
  runPostinstall({ root: dirname(dirname(fileURLToPath(import.meta.url))) })
  // Whatever happened above, the install goes on.
  process.exitCode = 0
}
