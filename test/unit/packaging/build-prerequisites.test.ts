import { spawnSync } from 'node:child_process'
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  BUILD_REQUIREMENTS,
  SYSTEM_REQUIREMENTS,
  ensureSystemDeps,
  findMissing,
  packagesFor,
} from '../../../scripts/system-deps.mjs'

/**
 * What `npm install` makes sure of before it compiles keytar and better-sqlite3 (scripts/postinstall.mjs
 * → scripts/system-deps.mjs --build), and how it stops when it cannot install them: with the exact
 * command to run (issue 14).
 */
afterEach(() => vi.restoreAllMocks())

describe('build prerequisites', () => {
  it("are what node-gyp and keytar's binding.gyp use, as Debian packages", () => {
    expect(packagesFor(BUILD_REQUIREMENTS)).toEqual(['g++', 'make', 'python3', 'pkg-config', 'libsecret-1-dev'])
    // npm test and .ci/run install them too, before `npm ci`.
    for (const requirement of BUILD_REQUIREMENTS) expect(SYSTEM_REQUIREMENTS).toContain(requirement)
  })

  it('are all there once `npm test` has installed the system packages (it checks the same list)', () => {
    expect(findMissing(BUILD_REQUIREMENTS)).toEqual([])
    const run = spawnSync(process.execPath, ['scripts/system-deps.mjs', '--check', '--build'], { encoding: 'utf8' })
    expect(run.status).toBe(0)
    expect(run.stdout).toBe('System packages: all present.\n')
  })

  it('stop the install with the exact apt-get line when they cannot be installed', () => {
    const errors: string[] = []
    vi.spyOn(console, 'error').mockImplementation((line: string) => void errors.push(line))
    const lines: string[] = []
    const missing = { what: 'a tool no machine has', command: 'keyhold-no-such-tool', pkg: 'keyhold-no-such-package' }
    expect(ensureSystemDeps({ install: false, requirements: [missing], log: (line) => void lines.push(line) })).toBe(
      false,
    )
    expect(lines).toEqual(['System packages missing: a tool no machine has'])
    expect(errors).toEqual(['error: missing system packages; run: sudo apt-get install -y keyhold-no-such-package'])
  })
})
