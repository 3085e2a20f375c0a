import { foreignKeysOffMarker, type Migration } from './migrator'

/**
 * The SQL files of db/migrations, bundled into the build as text so a packaged
 * app needs no migration files on disk. Named `NNNN_name.sql`.
 */
const files = import.meta.glob<string>('./migrations/*.sql', { query: '?raw', import: 'default', eager: true })

export function parseMigrationFiles(sources: Record<string, string>): Migration[] {
  return Object.entries(sources)
    .map(([path, sql]) => {
      const match = /(\d{4})_([\w-]+)\.sql$/.exec(path)
      if (!match) throw new Error(`Migration file name must look like 0001_name.sql: ${path}`)
      const foreignKeysOff = sql.split('\n').some((line) => line.trim() === foreignKeysOffMarker)
      return { version: Number(match[1]), name: match[2]!, sql, foreignKeysOff }
    })
    .sort((a, b) => a.version - b.version)
}

export const migrations: readonly Migration[] = parseMigrationFiles(files)
