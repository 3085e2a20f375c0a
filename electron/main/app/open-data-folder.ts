import { shell } from 'electron'
import type { Logger } from './rotating-log'

/**
 * File › Open Data Folder: shows the data folder (database, window state, log) in the file manager, so
 * an administrator can find the log or back up the folder. `shell.openPath` opens a local path with
 * its default handler; it is not `openExternal` and takes no URL (S23: openExternal stays allow-listed).
 */
export async function openDataFolder(dataDir: string, logger: Logger): Promise<void> {
  const failure = await shell.openPath(dataDir)
  // openPath resolves to an error message, or '' when it worked.
  if (failure !== '') logger.warn(`could not open the data folder ${dataDir}: ${failure}`)
}
