import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron'
import { channelNames } from '../../shared/channels'
import type { Result } from '../../shared/errors'
import { isTrustedUrl } from '../window/trusted-origin'
import type { Router } from './router'

/**
 * The Electron transport (DESIGN.md): the only file that imports `ipcMain`.
 * One `ipcMain.handle` per contract channel, nothing else, and every call's
 * sender checked before the router sees it (S23).
 */
export interface ElectronTransportOptions {
  readonly router: Router
  /** `app://keyhold`, or the dev server's origin in development. */
  readonly trustedOrigin: string
  /** True only for the web contents of a window Keyhold created. */
  readonly isOwnWebContents: (contents: WebContents) => boolean
}

export type SenderCheckOptions = Pick<ElectronTransportOptions, 'trustedOrigin' | 'isOwnWebContents'>

const forbidden: Result<never> = {
  ok: false,
  error: { code: 'FORBIDDEN', message: 'This caller may not use Keyhold' },
}

const internal: Result<never> = {
  ok: false,
  error: { code: 'INTERNAL', message: 'Something went wrong inside Keyhold' },
}

/**
 * S23: the caller must be the top frame (not an iframe) of one of our windows,
 * showing our own page. `senderFrame` is null when the frame has navigated
 * away or gone since it sent the message; that caller is refused too.
 */
export function isTrustedSender(event: IpcMainInvokeEvent, options: SenderCheckOptions): boolean {
  try {
    const frame = event.senderFrame
    if (frame === null || frame === undefined) return false
    if (frame.parent !== null) return false
    const main = event.sender.mainFrame
    // Compared by ids, not object identity: Electron may hand out a fresh wrapper for the same frame.
    if (frame.processId !== main.processId || frame.routingId !== main.routingId) return false
    if (!options.isOwnWebContents(event.sender)) return false
    return isTrustedUrl(frame.url, options.trustedOrigin)
  } catch {
    // A destroyed frame or web contents throws on access: not a caller we can vouch for.
    return false
  }
}

/** Registers the handlers; the returned function removes them again (on quit, in tests). */
export function registerElectronTransport(options: ElectronTransportOptions): () => void {
  for (const channel of channelNames) {
    ipcMain.handle(channel, async (event, ...args: unknown[]) => {
      if (!isTrustedSender(event, options)) return forbidden
      try {
        // The preload sends exactly one argument; anything beyond it is ignored, never forwarded.
        return await options.router.dispatch(channel, args[0], {
          clientKey: `window:${event.sender.id}`,
          transport: 'window',
        })
      } catch {
        // The router never throws; should it ever, Electron would send the error's text to the page.
        return internal
      }
    })
  }
  return () => {
    for (const channel of channelNames) ipcMain.removeHandler(channel)
  }
}
