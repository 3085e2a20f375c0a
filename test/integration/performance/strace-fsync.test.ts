import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { commitCount } from '../../../electron/main/adapters/sqlite/commit-counter'
import { openAndMigrate } from '../../../electron/main/adapters/sqlite/open-database'
import { createSqliteSettings } from '../../../electron/main/adapters/sqlite/sqlite-settings'
import { createSqliteUnitOfWork } from '../../../electron/main/adapters/sqlite/sqlite-unit-of-work'

/**
 * Issue 15 §1: the commit counter (commit-counter.ts) counts what reaches the disk. strace
 * (scripts/system-deps.mjs) attaches to this process and records every fsync/fdatasync with
 * the file it went to (-y), while the database is opened and closed exactly as Keyhold does.
 */
const dir = mkdtempSync(join(tmpdir(), 'keyhold-fsync-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** Runs `work` with strace attached to this process; the syncs it saw, by file. */
async function traced(work: () => void): Promise<string[]> {
  const log = join(dir, `trace-${Date.now()}`)
  const strace = spawn('strace', ['-f', '-y', '-e', 'trace=fsync,fdatasync', '-o', log, '-p', String(process.pid)])
  await new Promise<void>((resolve, reject) => {
    strace.on('error', reject)
    strace.stderr.on('data', (chunk: Buffer) => {
      if (/attached/.test(chunk.toString())) resolve()
    })
  })
  work()
  const exited = new Promise((resolve) => strace.on('exit', resolve))
  strace.kill('SIGINT')
  await exited
  return readFileSync(log, 'utf8')
    .split('\n')
    .map((line) => /(?:fsync|fdatasync)\(\d+<([^>]+)>/.exec(line)?.[1])
    .filter((file): file is string => file !== undefined)
}

it('issue 15: one fsync of keyhold.db-wal per counted commit; reads and empty transactions sync nothing', async () => {
  const file = join(dir, 'keyhold.db')
  // Created and migrated beforehand, then opened afresh as a process would.
  openAndMigrate(file).db.close()
  const writes = 5
  let commits = -1
  const syncs = await traced(() => {
    const { db } = openAndMigrate(file)
    const uow = createSqliteUnitOfWork(db)
    const settings = createSqliteSettings(db)
    for (let i = 0; i < writes; i++) uow.tx(() => settings.set('fsync-probe', String(i)))
    uow.tx(() => settings.get('fsync-probe'))
    settings.get('fsync-probe')
    commits = commitCount(db)
    // As Keyhold closes it (open-keyhold.ts): the WAL folded back, then closed.
    db.pragma('wal_checkpoint(TRUNCATE)')
    db.close()
  })
  expect(commits).toBe(writes)
  const wal = syncs.filter((name) => name === file + '-wal').length
  const folder = syncs.filter((name) => name === dir).length
  const main = syncs.filter((name) => name === file).length
  // SQLite's first write of a process also syncs the WAL header (one more -wal sync) and the folder;
  // the checkpoint at close syncs the WAL's frames into the main file and that file (two more).
  // Only the syncs of this data folder: anything else the test runner syncs meanwhile is not ours.
  const ours = syncs.filter((name) => name.startsWith(dir)).length
  expect({ wal, folder, main, ours }).toEqual({
    wal: commits + 2,
    folder: 1,
    main: 1,
    ours: commits + 4,
  })
})
