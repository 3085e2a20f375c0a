import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'

/**
 * `npm ci` prints no EBADENGINE warning (issue 14: a newcomer mistakes that wall for a failure).
 *
 * npm warns EBADENGINE while it builds the tree to install, from the `engines` each package-lock.json
 * entry records, against the running Node and npm. `npm ci --dry-run` builds that same tree and prints
 * the same warnings, but downloads, unpacks and compiles nothing: about ten seconds instead of several
 * minutes. It runs on copies of package.json and package-lock.json, so node_modules is never touched.
 */
const root = process.cwd()
const folders: string[] = []

afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true })
})

/** What `npm ci` would print about engines for this package.json and lockfile. */
function npmCiDryRun(setUp: (folder: string) => void): { status: number | null; output: string } {
  const folder = mkdtempSync(join(tmpdir(), 'keyhold-npm-ci-'))
  folders.push(folder)
  setUp(folder)
  const run = spawnSync('npm', ['ci', '--dry-run', '--ignore-scripts', '--no-audit', '--no-fund'], {
    cwd: folder,
    encoding: 'utf8',
    timeout: 120_000,
  })
  return { status: run.status, output: `${run.stdout}${run.stderr}` }
}

describe('npm ci', () => {
  it('prints no EBADENGINE line on the Node and npm running the tests', { timeout: 150_000 }, () => {
    const run = npmCiDryRun((folder) => {
      for (const file of ['package.json', 'package-lock.json']) copyFileSync(join(root, file), join(folder, file))
    })
    expect(run.status, run.output).toBe(0)
    expect(run.output).toMatch(/added \d+ packages/)
    expect(run.output.split('\n').filter((line) => line.includes('EBADENGINE'))).toEqual([])
  })

  it('would show a package that wants a newer Node (the check can fail)', { timeout: 150_000 }, () => {
    // A lockfile entry records the engines npm checks; the package itself is not downloaded.
    const run = npmCiDryRun((folder) => {
      const manifest = { name: 'probe', version: '1.0.0', devDependencies: { 'left-pad': '1.3.0' } }
      writeFileSync(join(folder, 'package.json'), JSON.stringify(manifest))
      const entry = { version: '1.3.0', dev: true, license: 'WTFPL', engines: { node: '>=999' } }
      const packages = { '': manifest, 'node_modules/left-pad': entry }
      writeFileSync(
        join(folder, 'package-lock.json'),
        JSON.stringify({ name: 'probe', version: '1.0.0', lockfileVersion: 3, requires: true, packages }),
      )
    })
    expect(run.output).toMatch(/EBADENGINE[\s\S]*left-pad@1\.3\.0[\s\S]*>=999/)
  })

  it("keeps electron-builder's native rebuilder loadable (the override of @electron/rebuild)", async () => {
    // @electron/rebuild 4 wants Node 22, so it is overridden to 3.6.2; app-builder-lib loads it as
    // `import('@electron/rebuild')` and calls `rebuild(options)` (app-builder-lib/helpers/remote-rebuild.js).
    const builder = createRequire(createRequire(join(root, 'package.json')).resolve('app-builder-lib/package.json'))
    const rebuilder = (await import(builder.resolve('@electron/rebuild'))) as { rebuild?: unknown }
    expect(typeof rebuilder.rebuild).toBe('function')
  })
})
