import { spawnSync } from 'node:child_process'
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

/**
 * build/linux/: the `keyhold` CLI launcher that deb and rpm put on PATH, and the install scripts that
 * link it. The launcher runs for real here, in a copy of the installed layout
 * (/opt/Keyhold/keyhold + /opt/Keyhold/resources/bin/keyhold, linked from a bin folder).
 */
const root = process.cwd()

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'keyhold-launcher-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

/** /opt/Keyhold with an app executable that prints the arguments it was given, one per line. */
function install(): { link: string } {
  const app = join(dir, 'opt', 'Keyhold')
  mkdirSync(join(app, 'resources', 'bin'), { recursive: true })
  writeFileSync(join(app, 'keyhold'), '#!/bin/sh\nprintf "%s\\n" "$@"\n')
  chmodSync(join(app, 'keyhold'), 0o755)
  copyFileSync(join(root, 'build/linux/keyhold'), join(app, 'resources', 'bin', 'keyhold'))
  chmodSync(join(app, 'resources', 'bin', 'keyhold'), 0o755)
  mkdirSync(join(dir, 'usr', 'bin'), { recursive: true })
  const link = join(dir, 'usr', 'bin', 'keyhold')
  symlinkSync(join(app, 'resources', 'bin', 'keyhold'), link)
  return { link }
}

describe('the keyhold launcher', () => {
  it('runs the app in CLI mode, headless, with the operator arguments after `--`', () => {
    const { link } = install()
    const args = ['account', 'create', 'bob', '--remote-debugging-port=9222', 'two words', '--', '$HOME']
    const result = spawnSync(link, args, { encoding: 'utf8' })
    expect(result.stderr).toBe('')
    expect(result.status).toBe(0)
    expect(result.stdout.split('\n').slice(0, -1)).toEqual([
      '--ozone-platform=headless',
      '--disable-gpu',
      '--cli',
      // Chromium stops reading switches here: `--remote-debugging-port=…` below is the CLI's text, not Chromium's.
      '--',
      ...args,
    ])
  })

  it('passes the exit status through', () => {
    const { link } = install()
    writeFileSync(join(dir, 'opt', 'Keyhold', 'keyhold'), '#!/bin/sh\nexit 2\n')
    expect(spawnSync(link, ['nonsense']).status).toBe(2)
  })

  it('is executable in git (a fresh clone must get it that way; electron-builder copies the mode)', () => {
    const entry = spawnSync('git', ['ls-files', '-s', 'build/linux/keyhold'], { cwd: root, encoding: 'utf8' }).stdout
    expect(entry).toMatch(/^100755 /)
  })
})

describe('deb/rpm install scripts', () => {
  const scripts = ['build/linux/after-install.sh', 'build/linux/after-remove.sh']

  it.each(scripts)('%s is valid bash', (script) => {
    const result = spawnSync('bash', ['-n', join(root, script)], { encoding: 'utf8' })
    expect(result.stderr).toBe('')
    expect(result.status).toBe(0)
  })

  it.each(scripts)('%s uses only the macros electron-builder fills in', (script) => {
    // electron-builder replaces every ${name} and fails the build on a name it does not know.
    const macros = [...readFileSync(join(root, script), 'utf8').matchAll(/\$\{([a-zA-Z]+)\}/g)].map((m) => m[1])
    expect(macros.length).toBeGreaterThan(0)
    for (const macro of macros) expect(['executable', 'sanitizedProductName', 'productFilename']).toContain(macro)
  })

  it('links /usr/bin/keyhold to the launcher, and the remove script unlinks it', () => {
    const install = readFileSync(join(root, 'build/linux/after-install.sh'), 'utf8')
    const remove = readFileSync(join(root, 'build/linux/after-remove.sh'), 'utf8')
    expect(install).toContain("launcher='/opt/${sanitizedProductName}/resources/bin/keyhold'")
    expect(install).toContain('update-alternatives --install "$link" keyhold "$launcher" 100')
    expect(remove).toContain('update-alternatives --remove keyhold "$launcher"')
    // electron-builder's chrome-sandbox handling is kept.
    expect(install).toContain("chmod 4755 '/opt/${sanitizedProductName}/chrome-sandbox'")
  })
})
