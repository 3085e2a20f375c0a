import { app } from 'electron'

/**
 * One Keyhold per user: a second process would open the same database and
 * keep its own idea of which window is signed in. A second launch focuses the
 * first window and exits. Returns false when this process must quit.
 */
export function claimSingleInstance(onSecondInstance: () => void): boolean {
  if (!app.requestSingleInstanceLock()) return false
  app.on('second-instance', () => onSecondInstance())
  return true
}
