import { homedir, platform } from 'node:os'
import { join, resolve } from 'node:path'

/**
 * The data directory Electron's `app.getPath('userData')` gives an app named
 * "Keyhold", computed without Electron so the CLI and the preview find the
 * same data as the app. `KEYHOLD_DATA_DIR` overrides it.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.KEYHOLD_DATA_DIR) return resolve(env.KEYHOLD_DATA_DIR)
  switch (platform()) {
    case 'darwin':
      return join(homedir(), 'Library', 'Application Support', 'Keyhold')
    case 'win32':
      return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Keyhold')
    default:
      return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'Keyhold')
  }
}

export const databaseFileName = 'keyhold.db'
