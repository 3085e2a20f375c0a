import { chmodSync, copyFileSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { version } from '../../package.json'
import { makeTempDir, repoRoot, requireBuiltCli, runProcess } from './support/run-cli'

const temp = makeTempDir('entry')
beforeAll(() => requireBuiltCli({ keyring: false }))
afterAll(() => temp.remove())

describe('bin/keyhold.js (the `keyhold` command)', () => {
  it('runs the built CLI with its arguments and exit code', async () => {
    const bin = join(repoRoot, 'bin/keyhold.js')
    expect(readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true)
    const ok = await runProcess(['--version'], { command: [process.execPath, bin] })
    expect(ok).toEqual({ code: 0, stdout: `keyhold ${version}\n`, stderr: '' })
    const usage = await runProcess(['account', 'show'], { command: [process.execPath, bin] })
    expect(usage.code).toBe(2)
    expect(usage.stderr).toMatch(/^error: USAGE: missing NAME/)
  })

  it('says how to build when out/main/cli.js is missing', async () => {
    const copy = join(temp.path, 'unbuilt')
    mkdirSync(join(copy, 'bin'), { recursive: true })
    copyFileSync(join(repoRoot, 'bin/keyhold.js'), join(copy, 'bin/keyhold.js'))
    const run = await runProcess(['--version'], { command: [process.execPath, join(copy, 'bin/keyhold.js')] })
    expect(run).toEqual({ code: 1, stdout: '', stderr: 'error: Keyhold is not built yet; run: npm run build\n' })
  })
})

/**
 * scripts/cli.mjs in a scratch copy of the layout, with a stand-in for the built
 * CLI and a stand-in `npx` on PATH that records being asked to build.
 */
describe('scripts/cli.mjs (npm run cli)', () => {
  const root = join(temp.path, 'repo')
  const builtCli = join(root, 'out/main/cli.js')
  const source = join(root, 'electron/main/some-source.ts')
  const buildLog = join(root, 'build.log')
  const fakeBin = join(root, 'fake-bin')
  const old = new Date('2020-01-01T00:00:00Z')
  const newer = new Date('2021-01-01T00:00:00Z')

  beforeAll(() => {
    mkdirSync(join(root, 'scripts'), { recursive: true })
    mkdirSync(join(root, 'out/main'), { recursive: true })
    mkdirSync(join(root, 'electron/main'), { recursive: true })
    mkdirSync(join(root, 'db'), { recursive: true })
    mkdirSync(fakeBin)
    copyFileSync(join(repoRoot, 'scripts/cli.mjs'), join(root, 'scripts/cli.mjs'))
    writeFileSync(
      builtCli,
      "process.stdout.write(JSON.stringify(process.argv.slice(2)) + '\\n'); process.exitCode = Number(process.env.FAKE_EXIT ?? 0)\n",
    )
    writeFileSync(source, '// a source file\n')
    writeFileSync(join(root, 'db/0001.sql'), '-- sql\n')
    // The stand-in build: log the call, then refresh the built file's time as a real build would.
    writeFileSync(
      join(fakeBin, 'npx'),
      `#!/bin/sh\necho "$@" >> "${buildLog}"\necho noisy build output\ntouch "${builtCli}"\n`,
    )
    chmodSync(join(fakeBin, 'npx'), 0o755)
  })

  const run = (args: string[], env: Record<string, string> = {}) =>
    runProcess(args, {
      command: [process.execPath, join(root, 'scripts/cli.mjs')],
      cwd: temp.path,
      env: { PATH: `${fakeBin}:${process.env.PATH}`, ...env },
    })
  const builds = () => {
    try {
      return readFileSync(buildLog, 'utf8').trim().split('\n')
    } catch {
      return []
    }
  }

  it('runs the built CLI without building when it is newer than every source, passing args and exit code', async () => {
    for (const file of [source, join(root, 'db/0001.sql')]) utimesSync(file, old, old)
    utimesSync(builtCli, newer, newer)
    const result = await run(['account', 'list', '--json'], { FAKE_EXIT: '3' })
    expect(result).toEqual({ code: 3, stdout: '["account","list","--json"]\n', stderr: '' })
    expect(builds()).toEqual([])
  })

  it('builds quietly (progress on stderr only) when a source is newer than the build', async () => {
    utimesSync(builtCli, old, old)
    utimesSync(source, newer, newer)
    const result = await run(['--version'])
    expect(builds()).toEqual(['--no electron-vite build'])
    expect(result.code).toBe(0)
    expect(result.stdout).toBe('["--version"]\n')
    expect(result.stderr).toContain('building')
    expect(result.stderr).not.toContain('noisy build output')
  })
})
