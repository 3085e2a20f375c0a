import {
  chmodSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectFailure, okJson } from './support/mfa-cli'
import { cliFor, makeTempDir, requireBuiltCli } from './support/run-cli'

/**
 * S31, through the real CLI: the data folder ends 0700 and every file in it
 * 0600 even when it already existed 0755 with 0644 files, and exports and
 * backups are 0600 and never written through a link someone put at their name.
 */
const temp = makeTempDir('private')
const dataDir = join(temp.path, 'data')
const cli = cliFor(dataDir)
const strong = 'Orbit lantern 7 meadow'
const passphrase = 'correct horse battery staple'
const victim = join(temp.path, 'victim.txt')
const modeOf = (path: string) => statSync(path).mode & 0o777

function expectDataFolderPrivate(dir: string): void {
  expect(modeOf(dir)).toBe(0o700)
  const files = readdirSync(dir)
  expect(files).toContain('keyhold.db')
  for (const name of files) expect([name, modeOf(join(dir, name))]).toEqual([name, 0o600])
}

function oldFile(path: string, text: string): void {
  writeFileSync(path, text)
  chmodSync(path, 0o644)
}

function expectVictimUntouched(): void {
  expect(readFileSync(victim, 'utf8')).toBe('not Keyhold’s\n')
  expect(modeOf(victim)).toBe(0o644)
}

beforeAll(async () => {
  requireBuiltCli({ keyring: true })
  oldFile(victim, 'not Keyhold’s\n')
  // The folder exists already, open to everyone, as a user's umask 022 or an older Keyhold left it.
  mkdirSync(dataDir)
  chmodSync(dataDir, 0o755)
  expect((await cli(['init', '--admin', 'alice'], { input: `${strong}\n` })).code).toBe(0)
}, 60_000)
afterAll(() => temp.remove())

describe('S31: the data folder', () => {
  it('init in an existing 0755 folder leaves it 0700, the database 0600', () => {
    expectDataFolderPrivate(dataDir)
  })

  it('a data folder an older Keyhold left 0755 with a 0644 database, -wal and -shm is made private by the next command', async () => {
    chmodSync(dataDir, 0o755)
    oldFile(join(dataDir, 'keyhold.db-wal'), '')
    oldFile(join(dataDir, 'keyhold.db-shm'), '')
    chmodSync(join(dataDir, 'keyhold.db'), 0o644)
    expect((await cli(['account', 'create', 'bob', '--password-stdin'], { input: `${strong}\n` })).code).toBe(0)
    expectDataFolderPrivate(dataDir)
  })

  it('a data folder reached through a link is refused with the fix, and nothing is written through it', async () => {
    const linked = join(temp.path, 'linked-data')
    symlinkSync(dataDir, linked)
    const before = readdirSync(dataDir).sort()
    const run = await cliFor(linked)(['account', 'list'])
    expectFailure(run, 'DATABASE_ERROR', /linked-data is a symbolic link/)
    expect(run.stderr).toContain('fix: Point Keyhold at the real folder')
    expect(readdirSync(dataDir).sort()).toEqual(before)
  })
})

describe('S31: exports, backups and setup-code files', () => {
  it('account export replaces an old 0644 file with a 0600 one and replaces a link instead of writing through it', async () => {
    const old = join(temp.path, 'old.csv')
    oldFile(old, 'old\n')
    okJson(await cli(['account', 'export', old, '--json']))
    expect(modeOf(old)).toBe(0o600)
    expect(readFileSync(old, 'utf8')).toMatch(/^username,display_name/)

    const linked = join(temp.path, 'linked.csv')
    symlinkSync(victim, linked)
    okJson(await cli(['account', 'export', linked, '--json']))
    expectVictimUntouched()
    expect(lstatSync(linked).isFile()).toBe(true)
    expect(modeOf(linked)).toBe(0o600)
    expect(readdirSync(temp.path).filter((name) => name.endsWith('.tmp'))).toEqual([])
  })

  it('backup --force replaces an old 0644 file or a link with its own 0600 file', async () => {
    const old = join(temp.path, 'old.kbak')
    oldFile(old, 'old\n')
    expect((await cli(['backup', old, '--force'], { input: `${passphrase}\n` })).code).toBe(0)
    expect(modeOf(old)).toBe(0o600)
    const linked = join(temp.path, 'linked.kbak')
    symlinkSync(victim, linked)
    expect((await cli(['backup', linked, '--force'], { input: `${passphrase}\n` })).code).toBe(0)
    expectVictimUntouched()
    expect(lstatSync(linked).isFile()).toBe(true)
    expect(modeOf(linked)).toBe(0o600)
  })

  it('restore into an existing 0755 folder leaves it 0700 with 0600 files', async () => {
    const target = join(temp.path, 'restored')
    mkdirSync(target)
    chmodSync(target, 0o755)
    const run = await cliFor(target)(['restore', join(temp.path, 'old.kbak'), '--json'], { input: `${passphrase}\n` })
    expect(okJson(run)).toMatchObject({ replaced: false })
    expectDataFolderPrivate(target)
  })

  it('--codes-file never writes through a link, even one pointing nowhere yet', async () => {
    const header = 'username,display_name,email,phone,role'
    const people = join(temp.path, 'people.csv')
    writeFileSync(people, `${header}\ncarol,,,,\n`)
    const dangling = join(temp.path, 'codes.csv')
    const target = join(temp.path, 'planted-codes.csv')
    symlinkSync(target, dangling)
    expectFailure(await cli(['account', 'import', people, '--codes-file', dangling]), 'CONFLICT')
    expect(readdirSync(temp.path)).not.toContain('planted-codes.csv')
  })
})
