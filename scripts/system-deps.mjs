// Checks, and installs with apt when it can, the Debian packages the build and the tests need
// (ENVIRONMENT.md): a C++ toolchain, Python, pkg-config and libsecret to compile keytar and
// better-sqlite3; Chromium for the end-to-end tests, gnome-keyring + D-Bus for the real keychain,
// Kannel for the SMS gateway, oathtool and zbarimg as independent TOTP/QR checkers.
//
// Used by scripts/postinstall.mjs (`npm install`, the build prerequisites only), scripts/test.mjs
// (`npm test`) and .ci/run (`node scripts/system-deps.mjs --install`), which calls it BEFORE `npm ci`:
// so this file imports Node builtins only.
//
//   node scripts/system-deps.mjs            check and install what is missing (same as --install)
//   node scripts/system-deps.mjs --check    only report; exit 1 if something is missing
//   node scripts/system-deps.mjs --build    only the build prerequisites (what `npm install` needs)
import { spawnSync } from 'node:child_process'
import { accessSync, constants, existsSync, readdirSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import { pathToFileURL } from 'node:url'

/**
 * What compiling keytar and better-sqlite3 from source needs (node-gyp runs make, a C++ compiler and
 * Python; keytar's binding.gyp asks pkg-config for libsecret's flags). Their prebuilt binaries come from
 * GitHub, which many offline sites cannot reach, so `npm install` makes sure these are there first.
 */
export const BUILD_REQUIREMENTS = [
  { what: 'a C++ compiler (g++)', command: 'g++', pkg: 'g++' },
  { what: 'make', command: 'make', pkg: 'make' },
  { what: 'python3', command: 'python3', pkg: 'python3' },
  { what: 'pkg-config', command: 'pkg-config', pkg: 'pkg-config' },
  // keytar is compiled against libsecret's headers and loads libsecret-1.so.0 at run time; the -dev
  // package brings both, and its pkg-config file is what node-gyp's build looks up.
  { what: 'libsecret (headers and library)', pkgConfig: 'libsecret-1', pkg: 'libsecret-1-dev' },
]

/**
 * What the build and the tests use, and the Debian package that provides it. `path` is an absolute file; `command`
 * is looked up on PATH (Debian puts these in /usr/bin, but PATH lookup also accepts other layouts).
 */
export const SYSTEM_REQUIREMENTS = [
  { what: 'Chromium', path: '/usr/bin/chromium', pkg: 'chromium' },
  { what: 'gnome-keyring-daemon', command: 'gnome-keyring-daemon', pkg: 'gnome-keyring' },
  { what: 'dbus-run-session', command: 'dbus-run-session', pkg: 'dbus' },
  { what: 'Kannel bearerbox', path: '/usr/sbin/bearerbox', pkg: 'kannel' },
  { what: 'Kannel smsbox', path: '/usr/sbin/smsbox', pkg: 'kannel' },
  { what: 'Kannel fakesmsc', path: '/usr/lib/kannel/test/fakesmsc', pkg: 'kannel-extras' },
  { what: 'oathtool', command: 'oathtool', pkg: 'oathtool' },
  { what: 'zbarimg', command: 'zbarimg', pkg: 'zbar-tools' },
  // Hardware tokens (issue 12): PSKC files from csv2pskc, Yubico OTPs from the YubiKey simulator.
  { what: 'csv2pskc', command: 'csv2pskc', pkg: 'pskc-utils' },
  { what: 'yubikey (simulator)', path: '/usr/bin/yubikey', pkg: 'python3-yubiotp' },
  // gdbus asks the Secret Service whether its collection is locked (a locked keychain, not a lost key).
  { what: 'gdbus', command: 'gdbus', pkg: 'libglib2.0-bin' },
  // The bench compares `keyhold auth` with pam_oath through pamtester, and counts fsyncs with strace.
  // A PAM module is a library, not a program: `libFile` is looked for in the multiarch library folders.
  { what: 'pam_oath', libFile: 'security/pam_oath.so', pkg: 'libpam-oath' },
  { what: 'pamtester', command: 'pamtester', pkg: 'pamtester' },
  { what: 'strace', command: 'strace', pkg: 'strace' },
  ...BUILD_REQUIREMENTS,
]

function isExecutable(file) {
  try {
    accessSync(file, constants.X_OK)
    return true
  } catch {
    return false
  }
}

function onPath(command) {
  // root's PATH usually has the sbin folders, a user's may not: look there too.
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin']
  return dirs.some((dir) => dir !== '' && isExecutable(join(dir, command)))
}

/** Debian's multiarch library folders: /usr/lib/x86_64-linux-gnu, /usr/lib/aarch64-linux-gnu, … */
function multiarchDirs() {
  try {
    return readdirSync('/usr/lib')
      .filter((entry) => entry.includes('-linux-'))
      .map((entry) => join('/usr/lib', entry))
  } catch {
    // No /usr/lib: nothing more to look at.
    return []
  }
}

function pkgConfigDirs() {
  const dirs = ['/usr/lib/pkgconfig', '/usr/share/pkgconfig', '/usr/local/lib/pkgconfig']
  // Debian's multiarch folders: /usr/lib/x86_64-linux-gnu/pkgconfig, /usr/lib/aarch64-linux-gnu/…
  try {
    for (const entry of readdirSync('/usr/lib')) {
      if (entry.includes('-linux-')) dirs.push(join('/usr/lib', entry, 'pkgconfig'))
    }
  } catch {
    // No /usr/lib: nothing more to look at.
  }
  return dirs
}

function hasPkgConfig(name) {
  return pkgConfigDirs().some((dir) => existsSync(join(dir, `${name}.pc`)))
}

function inLibDirs(file) {
  return multiarchDirs().some((dir) => existsSync(join(dir, file)))
}

function isPresent(requirement) {
  if (requirement.path) return isExecutable(requirement.path)
  if (requirement.libFile) return inLibDirs(requirement.libFile)
  if (requirement.command) return onPath(requirement.command)
  return hasPkgConfig(requirement.pkgConfig)
}

/** The requirements that are not met, in SYSTEM_REQUIREMENTS order. */
export function findMissing(requirements = SYSTEM_REQUIREMENTS) {
  return requirements.filter((requirement) => !isPresent(requirement))
}

/** The distinct Debian packages behind some requirements, in a stable order. */
export function packagesFor(requirements) {
  return [...new Set(requirements.map((requirement) => requirement.pkg))]
}

function canSudoWithoutPassword() {
  const result = spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' })
  return result.status === 0
}

function run(argv, env) {
  console.log(`$ ${argv.join(' ')}`)
  const result = spawnSync(argv[0], argv.slice(1), { stdio: ['ignore', 'inherit', 'inherit'], env })
  if (result.error) throw result.error
  return result.status === 0
}

/**
 * Makes sure the system packages are there. Returns true when everything is (or now is) installed.
 * With `install: false` it only reports. When packages are missing and this process cannot install
 * them (not root, no passwordless sudo), it prints the exact command to run and returns false.
 */
export function ensureSystemDeps({ install = true, requirements = SYSTEM_REQUIREMENTS, log = console.log } = {}) {
  const missing = findMissing(requirements)
  if (missing.length === 0) {
    log('System packages: all present.')
    return true
  }
  const packages = packagesFor(missing)
  log(`System packages missing: ${missing.map((requirement) => requirement.what).join(', ')}`)

  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0
  const prefix = isRoot ? [] : install && canSudoWithoutPassword() ? ['sudo', '-n', 'env'] : null
  if (!install || prefix === null) {
    console.error(`error: missing system packages; run: sudo apt-get install -y ${packages.join(' ')}`)
    return false
  }

  // No prompts (debconf, service restarts): there is no stdin in CI.
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  const asAdmin = (argv) => (isRoot ? argv : [...prefix, 'DEBIAN_FRONTEND=noninteractive', ...argv])
  const installed =
    run(asAdmin(['apt-get', 'update']), env) && run(asAdmin(['apt-get', 'install', '-y', ...packages]), env)
  const stillMissing = findMissing(requirements)
  if (!installed || stillMissing.length > 0) {
    const left = stillMissing.length > 0 ? packagesFor(stillMissing) : packages
    console.error(`error: installing system packages failed; run: sudo apt-get install -y ${left.join(' ')}`)
    return false
  }
  log(`System packages installed: ${packages.join(' ')}`)
  return true
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href
if (isMain) {
  const args = process.argv.slice(2)
  const unknown = args.filter((arg) => !['--install', '--check', '--build'].includes(arg))
  if (unknown.length > 0) {
    console.error(`usage: node scripts/system-deps.mjs [--install | --check] [--build] (unknown: ${unknown.join(' ')})`)
    process.exit(2)
  }
  const requirements = args.includes('--build') ? BUILD_REQUIREMENTS : SYSTEM_REQUIREMENTS
  process.exit(ensureSystemDeps({ install: !args.includes('--check'), requirements }) ? 0 : 1)
}
