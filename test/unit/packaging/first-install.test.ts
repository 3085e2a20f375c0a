import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  addonsToBuild,
  buildNodeAddons,
  downloadElectron,
  downloadFailureReason,
  ensureElectron,
} from '../../../scripts/postinstall.mjs'

/**
 * Issue 14: `npm install` works with or without the Electron binary, with no environment variable.
 * package.json denies the install scripts of electron, keytar and better-sqlite3 (npm 11's
 * `allowScripts`), and scripts/postinstall.mjs runs them itself: the native builds after their
 * prerequisites, the Electron download under a watchdog. These run the real steps over a throwaway
 * project folder, with small real packages and install scripts in place of the big ones.
 */
const root = process.cwd()
const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>
  allowScripts: Record<string, boolean>
  optionalDependencies?: unknown
  devDependencies: Record<string, string>
}

describe('package.json', () => {
  it('lets npm skip the install scripts that need more than npm, and runs postinstall.mjs instead', () => {
    // npm 11.16+ skips a dependency's install scripts when allowScripts names it `false`.
    expect(packageJson.allowScripts).toMatchObject({ electron: false, keytar: false, 'better-sqlite3': false })
    expect(packageJson.scripts.postinstall).toBe('node scripts/postinstall.mjs')
    expect(packageJson.scripts.start).toBe('node scripts/start.mjs')
  })

  it('keeps electron a plain devDependency (an optional one is deleted with its types when it fails)', () => {
    expect(packageJson.optionalDependencies).toBeUndefined()
    expect(packageJson.devDependencies.electron).toMatch(/^\d+\.\d+\.\d+$/)
  })

  it('says in the README which npm that needs, and .ci/run needs no variable for Electron', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8')
    const quickStart = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('## The browser preview'))
    expect(quickStart).toMatch(/npm 11\.16/)
    expect(quickStart).not.toContain('ELECTRON_SKIP_BINARY_DOWNLOAD')
    // Neither exported nor set for one command.
    expect(readFileSync(join(root, '.ci/run'), 'utf8')).not.toMatch(/ELECTRON_SKIP_BINARY_DOWNLOAD=/)
  })
})

describe('postinstall', () => {
  let project: string
  const lines: string[] = []
  const capture = { log: (line: string) => void lines.push(line), warn: (line: string) => void lines.push(line) }

  beforeEach(() => {
    project = mkdtempSync(join(tmpdir(), 'keyhold-first-install-'))
    lines.length = 0
  })
  afterEach(() => rmSync(project, { recursive: true, force: true }))

  /** A package in node_modules whose `install` script is `script` (run with `npm run install`, as npm does). */
  function addPackage(name: string, script: string): string {
    const dir = join(project, 'node_modules', name)
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', scripts: { install: script } }))
    return dir
  }

  /** An install script that leaves the binary the real package's build leaves. */
  const buildsBinary = (file: string): string =>
    `node -e "require('fs').mkdirSync('build/Release',{recursive:true});require('fs').writeFileSync('build/Release/${file}','binary')"`

  describe('keytar and better-sqlite3 for Node', () => {
    it('does nothing when both binaries are there (npm 10 built them, or an earlier install did)', () => {
      for (const [name, file] of [
        ['keytar', 'keytar.node'],
        ['better-sqlite3', 'better_sqlite3.node'],
      ] as const) {
        const dir = addPackage(name, 'exit 1')
        mkdirSync(join(dir, 'build', 'Release'), { recursive: true })
        writeFileSync(join(dir, 'build', 'Release', file), 'binary')
      }
      expect(addonsToBuild(project)).toEqual([])
      expect(buildNodeAddons({ root: project, ...capture })).toBe('present')
      expect(lines).toEqual([])
    })

    it("runs each package's own install script when its binary is missing, one line each", () => {
      addPackage('keytar', buildsBinary('keytar.node'))
      addPackage('better-sqlite3', buildsBinary('better_sqlite3.node'))
      expect(addonsToBuild(project).map(({ name }) => name)).toEqual(['keytar', 'better-sqlite3'])
      expect(buildNodeAddons({ root: project, ...capture })).toBe('built')
      expect(addonsToBuild(project)).toEqual([])
      expect(lines).toHaveLength(2)
      expect(lines[0]).toMatch(/^keyhold postinstall: building keytar for Node/)
    })

    it('fails the install with the end of the build output and what to do', () => {
      addPackage('keytar', `node -e "console.error('fatal error: libsecret/secret.h: No such file'); process.exit(3)"`)
      expect(buildNodeAddons({ root: project, ...capture })).toBe('failed')
      const failure = lines.at(-1)!
      expect(failure).toContain('fatal error: libsecret/secret.h: No such file')
      expect(failure.split('\n').at(-1)).toMatch(
        /^keyhold postinstall: ERROR: building keytar failed \(its output is above\); fix the cause and run `npm install` again\.$/,
      )
    })
  })

  describe('the Electron binary', () => {
    function installScript(body: string): string {
      const file = join(project, 'install.js')
      writeFileSync(file, body)
      return file
    }

    it('stops a download that receives nothing (a firewall that drops packets)', async () => {
      const hangs = installScript('setInterval(() => {}, 1000)\n')
      const result = await downloadElectron({ root: project, installScript: hangs, stallMs: 500, pollMs: 50 })
      expect(result).toEqual({ status: 'stalled', reason: 'nothing arrived for 1 s' })
    })

    it('lets a download run as long as bytes keep arriving', async () => {
      // Writes into its TMPDIR, as @electron/get does, then installs dist/ and path.txt like install.js.
      const progresses = installScript(`
        const fs = require('fs'), os = require('os'), path = require('path')
        const file = path.join(os.tmpdir(), 'electron.zip')
        let chunks = 0
        const timer = setInterval(() => {
          fs.appendFileSync(file, Buffer.alloc(1024))
          if (++chunks === 8) {
            clearInterval(timer)
            fs.mkdirSync(path.join(__dirname, 'dist'), { recursive: true })
            fs.writeFileSync(path.join(__dirname, 'dist', 'electron'), 'ELF')
            process.exit(0)
          }
        }, 150)
      `)
      const result = await downloadElectron({ root: project, installScript: progresses, stallMs: 5000, pollMs: 50 })
      expect(result).toEqual({ status: 'downloaded' })
    })

    it('reports a failed download by the first line of its error, without the stack', async () => {
      const fails = installScript(
        `console.error('RequestError: getaddrinfo ENOTFOUND github.com\\n    at ClientRequest.<anonymous> (got/index.js:970:111)'); process.exit(1)\n`,
      )
      expect(await downloadElectron({ root: project, installScript: fails })).toEqual({
        status: 'failed',
        reason: 'RequestError: getaddrinfo ENOTFOUND github.com',
      })
      expect(downloadFailureReason('')).toBe('no reason given')
    })

    it('says in one line that npm start runs the preview, and lets the install go on', async () => {
      // electron/install.js as npm unpacks it, without network: the real package's script is not run here.
      const electronDir = join(project, 'node_modules', 'electron')
      mkdirSync(electronDir, { recursive: true })
      writeFileSync(join(electronDir, 'package.json'), JSON.stringify({ name: 'electron', version: '41.7.1' }))
      writeFileSync(join(electronDir, 'install.js'), `console.error('Error: connect ETIMEDOUT'); process.exit(1)\n`)
      expect(await ensureElectron({ root: project, env: {}, ...capture })).toBeNull()
      expect(lines).toEqual([
        'keyhold postinstall: no Electron binary (Error: connect ETIMEDOUT): `npm start` runs the browser preview instead; `npm run postinstall` tries the download again.',
      ])
    })

    it('names ELECTRON_SKIP_BINARY_DOWNLOAD when that is why there is no binary', async () => {
      const electronDir = join(project, 'node_modules', 'electron')
      mkdirSync(electronDir, { recursive: true })
      writeFileSync(join(electronDir, 'package.json'), JSON.stringify({ name: 'electron', version: '41.7.1' }))
      // What electron's install.js does with the variable set: exit 0 without downloading.
      writeFileSync(join(electronDir, 'install.js'), 'if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) process.exit(0)\n')
      expect(
        await ensureElectron({ root: project, env: { ELECTRON_SKIP_BINARY_DOWNLOAD: '1' }, ...capture }),
      ).toBeNull()
      expect(lines).toHaveLength(1)
      expect(lines[0]).toContain('(ELECTRON_SKIP_BINARY_DOWNLOAD is set)')
    })
  })
})
