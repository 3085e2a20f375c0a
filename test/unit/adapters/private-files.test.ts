import Database from 'better-sqlite3'
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { snapshotDatabase } from '../../../electron/main/adapters/backup/database-file'
import { openAndMigrate } from '../../../electron/main/adapters/sqlite/open-database'
import {
  appendPrivateFile,
  createPrivateFile,
  ensurePrivateDir,
  makeFilePrivate,
  writePrivateFile,
} from '../../../electron/main/adapters/system/private-files'
import { createRotatingLog, logFileName } from '../../../electron/main/app/rotating-log'
import {
  createWindowStateStore,
  defaultWindowState,
  windowStateFileName,
} from '../../../electron/main/app/window-state'

/**
 * S31: every file Keyhold's main process or CLI writes is 0600 and the data
 * folder 0700, whatever mode an existing folder or file had, and Keyhold never
 * writes through a symbolic link it did not make. Checked on the real modes on
 * disk, in an existing 0755 folder holding 0644 files, as a user's umask of 022
 * leaves them (the tests set the modes explicitly, whatever the umask here is).
 */
const modeOf = (path: string) => statSync(path).mode & 0o777

let base: string
/** The data folder as an older Keyhold, or the user, left it: existing, 0755. */
let dir: string
/** Outside the data folder: where a planted link points. */
let elsewhere: string

beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'keyhold-private-'))
  dir = join(base, 'Keyhold')
  mkdirSync(dir)
  chmodSync(dir, 0o755)
  elsewhere = join(base, 'victim.txt')
  writeFileSync(elsewhere, 'not Keyhold’s\n')
  chmodSync(elsewhere, 0o644)
})
afterEach(() => rmSync(base, { recursive: true, force: true }))

/** A file as an older Keyhold left it: world-readable. */
function oldFile(path: string, text = ''): void {
  writeFileSync(path, text)
  chmodSync(path, 0o644)
}

function expectVictimUntouched(): void {
  expect(readFileSync(elsewhere, 'utf8')).toBe('not Keyhold’s\n')
  expect(modeOf(elsewhere)).toBe(0o644)
}

describe('S31: the database, its -wal and -shm', () => {
  const dbFile = () => join(dir, 'keyhold.db')

  function expectDatabaseFilesPrivate(): void {
    expect(modeOf(dir)).toBe(0o700)
    const names = readdirSync(dir).filter((name) => name.startsWith('keyhold.db'))
    expect(names).toEqual(expect.arrayContaining(['keyhold.db', 'keyhold.db-wal', 'keyhold.db-shm']))
    for (const name of names) expect([name, modeOf(join(dir, name))]).toEqual([name, 0o600])
  }

  it('are created 0600 in an existing 0755 folder, which becomes 0700, and stay so after a checkpoint and a reopen', () => {
    const { db } = openAndMigrate(dbFile())
    db.exec('CREATE TABLE probe (x)')
    db.prepare('INSERT INTO probe VALUES (?)').run('x'.repeat(10_000))
    expectDatabaseFilesPrivate()
    db.pragma('wal_checkpoint(TRUNCATE)')
    expectDatabaseFilesPrivate()
    db.close()
    const again = openAndMigrate(dbFile()).db
    again.prepare('INSERT INTO probe VALUES (?)').run('y')
    expectDatabaseFilesPrivate()
    again.close()
  })

  it('are made 0600 when an older Keyhold left them 0644 (another connection still has them open)', () => {
    oldFile(dbFile())
    const old = new Database(dbFile())
    old.pragma('journal_mode = WAL')
    old.exec('CREATE TABLE probe (x)')
    for (const suffix of ['', '-wal', '-shm']) chmodSync(`${dbFile()}${suffix}`, 0o644)
    try {
      const { db } = openAndMigrate(dbFile())
      db.prepare('INSERT INTO probe VALUES (1)').run()
      expectDatabaseFilesPrivate()
      db.close()
    } finally {
      old.close()
    }
  })

  it('is never opened through a symbolic link, and neither is the data folder', () => {
    symlinkSync(elsewhere, dbFile())
    expect(() => openAndMigrate(dbFile())).toThrow(/keyhold\.db is a symbolic link/)
    expectVictimUntouched()
    expect(existsSync(`${elsewhere}-wal`)).toBe(false)

    const realFolder = join(base, 'real')
    mkdirSync(realFolder)
    const linkedFolder = join(base, 'linked')
    symlinkSync(realFolder, linkedFolder)
    expect(() => openAndMigrate(join(linkedFolder, 'keyhold.db'))).toThrow(/linked is a symbolic link/)
    expect(readdirSync(realFolder)).toEqual([])
  })

  it('a backup copy of the database is 0600 however the folder it goes to is set', async () => {
    const { db } = openAndMigrate(dbFile())
    const copies = join(base, 'copies')
    mkdirSync(copies)
    chmodSync(copies, 0o755)
    const copy = join(copies, 'snapshot.db')
    await snapshotDatabase(db, copy)
    db.close()
    expect(modeOf(copy)).toBe(0o600)
    for (const name of readdirSync(copies)) expect([name, modeOf(join(copies, name))]).toEqual([name, 0o600])
  })
})

describe('S31: the log', () => {
  it('is made 0600 in a 0700 data folder when an earlier run left both open to others', () => {
    oldFile(join(dir, logFileName), 'an old line\n')
    createRotatingLog({ dir, clock: { now: () => 0 } }).info('started')
    expect(modeOf(dir)).toBe(0o700)
    expect(modeOf(join(dir, logFileName))).toBe(0o600)
    expect(readFileSync(join(dir, logFileName), 'utf8')).toMatch(/^an old line\n.*started\n$/)
  })

  it('is not written through a link planted in its place', () => {
    symlinkSync(elsewhere, join(dir, logFileName))
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {})
    try {
      createRotatingLog({ dir, clock: { now: () => 0 } }).info('started')
      expect(consoleError).toHaveBeenCalledWith(expect.stringMatching(/is a symbolic link/))
    } finally {
      consoleError.mockRestore()
    }
    expectVictimUntouched()
  })

  it('rotated generations stay 0600', () => {
    const log = createRotatingLog({ dir, clock: { now: () => 0 }, maxBytes: 200, maxFiles: 3 })
    for (let n = 0; n < 10; n += 1) log.info(`entry ${n} ${'x'.repeat(80)}`)
    expect(readdirSync(dir).sort()).toEqual([logFileName, `${logFileName}.1`, `${logFileName}.2`])
    for (const name of readdirSync(dir)) expect([name, modeOf(join(dir, name))]).toEqual([name, 0o600])
  })
})

describe('S31: the window state', () => {
  it('replaces a 0644 file with a 0600 one, in a 0700 data folder', () => {
    oldFile(join(dir, windowStateFileName), '{}')
    createWindowStateStore(dir).save(defaultWindowState)
    expect(modeOf(dir)).toBe(0o700)
    expect(modeOf(join(dir, windowStateFileName))).toBe(0o600)
    expect(createWindowStateStore(dir).load()).toEqual(defaultWindowState)
    expect(readdirSync(dir)).toEqual([windowStateFileName])
  })

  it('writes through no link: not one at the file, not one at a temporary name', () => {
    symlinkSync(elsewhere, join(dir, `${windowStateFileName}.partial`))
    symlinkSync(elsewhere, join(dir, windowStateFileName))
    createWindowStateStore(dir).save(defaultWindowState)
    expectVictimUntouched()
    // The link at the file's name was replaced by Keyhold's own file.
    expect(lstatSync(join(dir, windowStateFileName)).isFile()).toBe(true)
    expect(modeOf(join(dir, windowStateFileName))).toBe(0o600)
  })
})

describe('S31: the private-files adapter', () => {
  it('ensurePrivateDir creates 0700 folders and makes an existing one 0700; a link or a file is refused', () => {
    ensurePrivateDir(join(dir, 'a', 'b'))
    expect(modeOf(join(dir, 'a', 'b'))).toBe(0o700)
    ensurePrivateDir(dir)
    expect(modeOf(dir)).toBe(0o700)
    symlinkSync(dir, join(base, 'link'))
    expect(() => ensurePrivateDir(join(base, 'link'))).toThrow(/is a symbolic link/)
    expect(() => ensurePrivateDir(elsewhere)).toThrow()
  })

  it('writePrivateFile replaces an old 0644 file or a link with its own 0600 file, and leaves no temporary file', () => {
    const target = join(dir, 'export.csv')
    oldFile(target, 'old')
    writePrivateFile(target, 'new')
    expect([readFileSync(target, 'utf8'), modeOf(target)]).toEqual(['new', 0o600])
    const linked = join(dir, 'linked.csv')
    symlinkSync(elsewhere, linked)
    writePrivateFile(linked, 'data')
    expectVictimUntouched()
    expect(lstatSync(linked).isFile()).toBe(true)
    expect(readdirSync(dir).sort()).toEqual(['export.csv', 'linked.csv'])
  })

  it('appendPrivateFile and makeFilePrivate fix an old mode and refuse a link; createPrivateFile refuses anything there', () => {
    const file = join(dir, 'keyhold.log')
    oldFile(file, 'a')
    appendPrivateFile(file, 'b')
    expect([readFileSync(file, 'utf8'), modeOf(file)]).toEqual(['ab', 0o600])
    chmodSync(file, 0o644)
    expect(makeFilePrivate(file)).toBe(true)
    expect(modeOf(file)).toBe(0o600)
    expect(makeFilePrivate(join(dir, 'missing'))).toBe(false)

    const link = join(dir, 'link')
    symlinkSync(elsewhere, link)
    expect(() => appendPrivateFile(link, 'x')).toThrow(/is a symbolic link/)
    expect(() => makeFilePrivate(link)).toThrow(/is a symbolic link/)
    expect(() => createPrivateFile(link)).toThrow(/EEXIST/)
    const dangling = join(dir, 'dangling')
    symlinkSync(join(base, 'nothing-yet'), dangling)
    expect(() => createPrivateFile(dangling)).toThrow(/EEXIST/)
    expect(existsSync(join(base, 'nothing-yet'))).toBe(false)
    expectVictimUntouched()
  })
})
