/**
 * `npm run check:builder`: the part of packaging that can be checked on any machine.
 *
 * `npm run dist` needs the Electron zip from the internet, which CI and this project's own machines do
 * not have (ENVIRONMENT.md). So this checks what electron-builder would check before that download:
 *   1. electron-builder.yml against the JSON schema electron-builder ships (app-builder-lib/scheme.json),
 *      with ajv (`strict: false`: the schema uses keywords ajv's strict mode rejects, such as `tsType`);
 *   2. every file or folder the configuration names exists: icons, entitlements, hooks, deb/rpm scripts,
 *      build resources, and the sources of extraResources/extraFiles. Sources listed in
 *      `optionalSources` below may be missing, each for the reason given there.
 * Exit status 0 when all is well, 1 with one line per problem otherwise.
 */
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import Ajv from 'ajv'
import { parse } from 'yaml'

export const configFileName = 'electron-builder.yml'

/** extraResources/extraFiles sources that may be absent, and why that is fine. */
export const optionalSources = Object.freeze({
  '.native/electron/better_sqlite3.node':
    'the Electron build of better-sqlite3; scripts/postinstall.mjs builds it only where the Electron binary ' +
    'is installed (not with ELECTRON_SKIP_BINARY_DOWNLOAD, as in CI checks), and build/after-pack.mjs fails ' +
    'a real `npm run dist` without it',
  'keyhold-defaults.json':
    'installer defaults an administrator may put beside package.json before building; packaged only when present',
})

/** Configuration keys, at the top level or per platform/target, whose string value is a file to run or read. */
const hookKeys = [
  'beforeBuild',
  'beforePack',
  'afterExtract',
  'afterPack',
  'afterSign',
  'afterAllArtifactBuild',
  'artifactBuildStarted',
  'artifactBuildCompleted',
  'onNodeModuleFile',
  'msiProjectCreated',
  'appxManifestCreated',
]
const fileKeys = [
  'icon',
  'entitlements',
  'entitlementsInherit',
  'entitlementsLoginHelper',
  'provisioningProfile',
  'afterInstall',
  'afterRemove',
  'appArmorProfile',
  'license',
  'include',
  'script',
  'installerIcon',
  'uninstallerIcon',
  'installerHeader',
  'installerHeaderIcon',
  'installerSidebar',
  'uninstallerSidebar',
  'background',
]
/** Sections whose options may name files: the platforms and their targets. */
const sections = ['mac', 'mas', 'masDev', 'dmg', 'pkg', 'win', 'nsis', 'nsisWeb', 'portable', 'appx', 'msi', 'linux']
const linuxTargets = ['appImage', 'deb', 'rpm', 'snap', 'flatpak', 'pacman', 'apk', 'freebsd', 'p5p']

/** Where app-builder-lib (a dependency of electron-builder) keeps its schema. */
export function schemaPath(root) {
  const require = createRequire(join(root, 'package.json'))
  return join(dirname(require.resolve('app-builder-lib/package.json')), 'scheme.json')
}

/** Schema errors as readable lines (`/nsis/perMachine must be boolean`). */
export function validateAgainstSchema(config, schema) {
  const ajv = new Ajv({ strict: false, allErrors: true })
  const validate = ajv.compile(schema)
  if (validate(config)) return []
  // anyOf branches repeat one mistake many times; one line per place and message is enough.
  const lines = validate.errors.map((error) => {
    const where = error.instancePath || '(top level)'
    const extra = error.params?.additionalProperty ? ` "${error.params.additionalProperty}"` : ''
    return `${configFileName}: ${where} ${error.message}${extra}`
  })
  return [...new Set(lines)]
}

/** The `from` of extraResources/extraFiles entries (strings or FileSet objects). */
function fileSetSources(value) {
  const entries = Array.isArray(value) ? value : value == null ? [] : [value]
  return entries.flatMap((entry) => {
    if (typeof entry === 'string') return entry.startsWith('!') || /[*?{]/.test(entry) ? [] : [entry]
    if (entry && typeof entry.from === 'string') return [entry.from]
    return []
  })
}

/** Every path the configuration names, with what it is (for the messages). */
export function referencedPaths(config) {
  const found = []
  const add = (kind, path) => {
    if (typeof path === 'string' && path !== '') found.push({ kind, path })
  }
  const scan = (options, where) => {
    if (!options || typeof options !== 'object') return
    for (const key of hookKeys) {
      const value = options[key]
      // A hook may also be a module name; only paths (./x, x/y.mjs) are files of this project.
      if (typeof value === 'string' && (value.startsWith('.') || value.includes('/'))) add(`${where}${key} hook`, value)
    }
    for (const key of fileKeys) add(`${where}${key}`, options[key])
    for (const key of ['extraResources', 'extraFiles']) {
      for (const from of fileSetSources(options[key])) add(`${where}${key} source`, from)
    }
  }
  scan(config, '')
  add('directories.buildResources', config.directories?.buildResources)
  for (const section of [...sections, ...linuxTargets]) scan(config[section], `${section}.`)
  return found
}

/**
 * Checks electron-builder.yml under `root`. Returns the problems (empty when it is fine) and what was
 * checked, so the caller can print both.
 */
export function checkBuilderConfig({ root, configFile = join(root, configFileName), schema } = {}) {
  const problems = []
  let config
  try {
    config = parse(readFileSync(configFile, 'utf8'))
  } catch (error) {
    return { problems: [`${configFileName}: cannot read it: ${error.message}`], present: [], optionalMissing: [] }
  }
  if (!config || typeof config !== 'object' || Array.isArray(config)) {
    return { problems: [`${configFileName}: must be a mapping of options`], present: [], optionalMissing: [] }
  }
  problems.push(...validateAgainstSchema(config, schema ?? JSON.parse(readFileSync(schemaPath(root), 'utf8'))))
  const present = []
  const optionalMissing = []
  for (const { kind, path } of referencedPaths(config)) {
    const full = isAbsolute(path) ? path : resolve(root, path)
    if (existsSync(full)) {
      present.push({ kind, path })
    } else if (Object.hasOwn(optionalSources, path)) {
      optionalMissing.push({ kind, path, reason: optionalSources[path] })
    } else {
      problems.push(`${configFileName}: ${kind} "${path}" does not exist`)
    }
  }
  return { problems, present, optionalMissing }
}

const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href
if (invokedDirectly) {
  const root = dirname(dirname(fileURLToPath(import.meta.url)))
  const { problems, present, optionalMissing } = checkBuilderConfig({ root })
  for (const { kind, path } of present) console.log(`ok       ${kind}: ${path}`)
  for (const { kind, path, reason } of optionalMissing) console.log(`optional ${kind}: ${path} is absent (${reason})`)
  if (problems.length > 0) {
    for (const problem of problems) console.error(`error: ${problem}`)
    console.error(`check:builder: ${problems.length} problem(s) in ${configFileName}`)
    process.exitCode = 1
  } else {
    console.log(`check:builder: ${configFileName} matches electron-builder's schema and every file it names is there`)
  }
}
