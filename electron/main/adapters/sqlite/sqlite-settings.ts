import type { SqliteDatabase } from './open-database'

/** Key/value settings in the `settings` table. */
export interface SettingsStore {
  get(key: string): string | null
  set(key: string, value: string): void
  delete(key: string): void
}

export function createSqliteSettings(db: SqliteDatabase): SettingsStore {
  const select = db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?')
  const upsert = db.prepare<[string, string]>(
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  )
  const remove = db.prepare<[string]>('DELETE FROM settings WHERE key = ?')
  return {
    get: (key) => select.get(key)?.value ?? null,
    set: (key, value) => void upsert.run(key, value),
    delete: (key) => void remove.run(key),
  }
}
