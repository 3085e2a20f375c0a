/**
 * `npm run scan:electron`: @doyensec/electronegativity over the code Keyhold ships (S23), offline.
 *
 * - The Electron version is passed explicitly (the exact pin of `electron` in package.json), so the
 *   scanner does not guess it and does not look it up.
 * - No network: the scanner's start-up download of translations is replaced by its bundled English
 *   texts, and the one check that downloads Electron's release list is excluded (.electronegativity.json
 *   says why).
 * - What is scanned, and which findings are accepted and why, is in .electronegativity.json. The sources
 *   are copied into one temporary folder, so the scanner's global checks (CSP, navigation limits,
 *   permission handler) see the whole app at once.
 * - Fails (exit 1) on a HIGH or MEDIUM finding that no suppression covers, on a suppression that covers
 *   nothing, and on a file the scanner could not parse (it would have been skipped silently).
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

export const configFileName = '.electronegativity.json'
const severityOrder = ['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH']

export function readScanConfig(root) {
  return JSON.parse(readFileSync(join(root, configFileName), 'utf8'))
}

/** The exact Electron version the app is built with; a range would make the scan's answer depend on luck. */
export function pinnedElectronVersion(packageJson) {
  const version = packageJson.devDependencies?.electron ?? packageJson.dependencies?.electron
  if (typeof version !== 'string' || !/^\d+\.\d+\.\d+$/.test(version)) {
    throw new Error(`package.json must pin electron to an exact version (found ${JSON.stringify(version)})`)
  }
  return version
}

/** Copies the configured sources into `stage`, each under its `as` name. Returns the missing ones. */
export function stageSources(root, config, stage) {
  const missing = []
  for (const source of config.sources) {
    const from = join(root, source.from)
    if (!existsSync(from)) {
      missing.push(source)
      continue
    }
    const skip = (source.skip ?? []).map((dir) => join(from, dir))
    cpSync(from, join(stage, source.as), {
      recursive: true,
      filter: (path) => !skip.some((dir) => path === dir || path.startsWith(dir + sep)),
    })
  }
  return missing
}

/** A scanner path (relative to the stage, e.g. `main/window/x.ts`) as a project path (`electron/main/window/x.ts`). */
export function projectPath(config, stagedFile) {
  const normal = stagedFile
    .split(sep)
    .join('/')
    .replace(/^\.?\//, '')
  const [first, ...rest] = normal.split('/')
  const source = config.sources.find((s) => s.as === first)
  return source ? [source.from, ...rest].join('/') : normal
}

/**
 * Sorts findings into failures, accepted ones (matched by a suppression) and informational ones, and
 * lists the suppressions that matched nothing.
 */
export function judgeFindings(config, findings) {
  const failOn = new Set(config.failOn)
  const used = new Set()
  const failures = []
  const accepted = []
  const informational = []
  for (const finding of findings) {
    if (!failOn.has(finding.severity)) {
      informational.push(finding)
      continue
    }
    const index = config.suppressions.findIndex((s) => s.check === finding.check && s.file === finding.file)
    if (index === -1) {
      failures.push(finding)
    } else {
      used.add(index)
      accepted.push({ ...finding, justification: config.suppressions[index].justification })
    }
  }
  const unusedSuppressions = config.suppressions.filter((_, i) => !used.has(i))
  return { failures, accepted, informational, unusedSuppressions }
}

/**
 * electronegativity's i18n module fetches translations from the internet before every run (and waits up
 * to a second when there is none). This stands in for it, with the same set-up minus the download.
 */
function loadScannerOffline(root) {
  const require = createRequire(join(root, 'package.json'))
  const packageDir = dirname(require.resolve('@doyensec/electronegativity/package.json'))
  const i18nFile = join(packageDir, 'dist', 'locales', 'i18n.js')
  const i18n = createRequire(i18nFile)('i18n')
  const offline = () => {
    i18n.configure({
      locales: ['en-US'],
      defaultLocale: 'en-US',
      directory: dirname(i18nFile),
      updateFiles: false,
      objectNotation: true,
      retryInDefaultLocale: true,
      register: globalThis,
    })
    i18n.setLocale('en-US')
    return Promise.resolve()
  }
  require.cache[i18nFile] = { id: i18nFile, filename: i18nFile, loaded: true, exports: offline }
  return require('@doyensec/electronegativity')
}

/** `scannerRoot`: where @doyensec/electronegativity is installed (the project itself unless a test scans elsewhere). */
export async function scanElectron({ root, scannerRoot = root, log = console.log }) {
  const config = readScanConfig(root)
  const electronVersion = pinnedElectronVersion(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')))
  const stage = mkdtempSync(join(tmpdir(), 'keyhold-electronegativity-'))
  try {
    const missing = stageSources(root, config, stage)
    if (missing.length > 0) {
      const names = missing.map((s) => `${s.from}${s.builtBy ? ` (made by \`${s.builtBy}\`)` : ''}`)
      return { problems: [`not found: ${names.join(', ')}`], result: null }
    }
    const run = loadScannerOffline(scannerRoot)
    const result = await run({
      input: stage,
      electronVersionOverride: electronVersion,
      excludeFromScan: config.excludedChecks.map((c) => c.check),
      isRelative: false,
    })
    const findings = result.issues.map((issue) => ({
      check: issue.id,
      severity: issue.severity.name,
      confidence: issue.confidence.name,
      file: issue.file === 'N/A' ? 'N/A' : projectPath(config, relative(stage, issue.file)),
      line: issue.location.line,
      description: issue.description,
      url: issue.shortenedURL,
    }))
    findings.sort((a, b) => severityOrder.indexOf(b.severity) - severityOrder.indexOf(a.severity))
    const judged = judgeFindings(config, findings)
    const problems = [
      ...result.errors
        .filter((e) => !e.tolerable)
        .map((e) => `could not parse ${projectPath(config, relative(stage, e.file))}: ${e.message}`),
      ...judged.failures.map((f) => `${f.severity} ${f.check} at ${f.file}:${f.line}: ${f.description} ${f.url}`),
      ...judged.unusedSuppressions.map(
        (s) => `suppression of ${s.check} in ${s.file} matches no finding; remove it from ${configFileName}`,
      ),
    ]
    log(
      `electronegativity: Electron ${electronVersion}, ${result.globalChecks} global and ${result.atomicChecks} atomic checks over ${config.sources.map((s) => s.from).join(', ')}`,
    )
    for (const c of config.excludedChecks) log(`excluded ${c.check}: ${c.justification}`)
    for (const f of judged.accepted) log(`accepted ${f.severity} ${f.check} at ${f.file}:${f.line}: ${f.justification}`)
    for (const f of judged.informational)
      log(`note     ${f.severity} ${f.check} at ${f.file}:${f.line}: ${f.description}`)
    return { problems, result: judged }
  } finally {
    rmSync(stage, { recursive: true, force: true })
  }
}

const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href
if (invokedDirectly) {
  const root = dirname(dirname(fileURLToPath(import.meta.url)))
  try {
    const { problems } = await scanElectron({ root })
    for (const problem of problems) console.error(`error: ${problem}`)
    if (problems.length > 0) {
      console.error(`scan:electron: ${problems.length} problem(s)`)
      process.exitCode = 1
    } else {
      console.log('scan:electron: no HIGH or MEDIUM finding beyond the justified ones')
    }
  } catch (error) {
    console.error(`scan:electron: ${error instanceof Error ? error.message : String(error)}`)
    process.exitCode = 1
  }
}
