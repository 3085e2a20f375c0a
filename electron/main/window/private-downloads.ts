import { makeFilePrivate } from '../adapters/system/private-files'

/**
 * S31 for the files the window saves (the recovery codes, the audit log CSV): Chromium's download
 * manager writes them in the main process, with the mode a browser gives any download (readable by
 * others under a umask of 022). Once a download has completed, the saved file is made 0600; a link at
 * that name is left alone (makeFilePrivate refuses it) and reported.
 */
export interface DownloadItemLike {
  getSavePath(): string
  once(event: 'done', listener: (event: unknown, state: 'completed' | 'cancelled' | 'interrupted') => void): unknown
}

export interface DownloadSessionLike {
  on(event: 'will-download', listener: (event: unknown, item: DownloadItemLike) => void): unknown
}

const sessionsDone = new WeakSet<DownloadSessionLike>()

export function keepDownloadsPrivate(
  session: DownloadSessionLike,
  onProblem: (message: string, error: unknown) => void,
): void {
  // Every window shares the default session: one listener is enough.
  if (sessionsDone.has(session)) return
  sessionsDone.add(session)
  session.on('will-download', (_event, item) => {
    item.once('done', (_done, state) => {
      if (state !== 'completed') return
      try {
        makeFilePrivate(item.getSavePath())
      } catch (error) {
        onProblem('a saved file could not be made readable by you only', error)
      }
    })
  })
}
