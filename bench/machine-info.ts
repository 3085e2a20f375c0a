import Database from 'better-sqlite3'
import { readFileSync } from 'node:fs'
import { cpus, loadavg, release, tmpdir, totalmem, type } from 'node:os'

/** The machine a run measured: figures from different machines are not comparable, ratios roughly are. */
export interface MachineInfo {
  readonly cpu: string
  readonly cores: number
  readonly memoryGiB: number
  readonly node: string
  readonly os: string
  /** Where the benchmark's databases live; tmpfs would make every fsync free. */
  readonly tempFilesystem: string
  readonly sqlite: string
  /** The 1-minute load average when the run began: other work on the machine shows up in the tails (p99). */
  readonly loadAverage: string
}

/** The filesystem type of the mount holding `path` (the longest matching mount point in /proc/mounts). */
function filesystemOf(path: string): string {
  try {
    let best = { mount: '', fs: 'unknown' }
    for (const line of readFileSync('/proc/mounts', 'utf8').split('\n')) {
      const [, mount, fs] = line.split(' ')
      if (mount === undefined || fs === undefined) continue
      const inside = path === mount || path.startsWith(mount.endsWith('/') ? mount : `${mount}/`)
      if (inside && mount.length > best.mount.length) best = { mount, fs }
    }
    return best.fs
  } catch {
    return 'unknown'
  }
}

function sqliteVersion(): string {
  const db = new Database(':memory:')
  try {
    return db.prepare<[], { v: string }>('SELECT sqlite_version() AS v').get()!.v
  } finally {
    db.close()
  }
}

export function machineInfo(): MachineInfo {
  const list = cpus()
  return {
    cpu: list[0]?.model.trim() ?? 'unknown CPU',
    cores: list.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.versions.node,
    os: `${type()} ${release()}`,
    tempFilesystem: filesystemOf(tmpdir()),
    sqlite: sqliteVersion(),
    loadAverage: loadavg()[0]!.toFixed(2),
  }
}
