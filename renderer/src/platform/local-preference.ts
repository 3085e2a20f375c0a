/**
 * Small preferences kept in the window's localStorage (the language). Storage
 * can be missing or refuse access (a private window, an opaque origin): then
 * the preference simply is not remembered.
 */
export function readPreference(key: string): string | null {
  try {
    return window.localStorage.getItem(key)
  } catch {
    return null
  }
}

export function writePreference(key: string, value: string): void {
  try {
    window.localStorage.setItem(key, value)
  } catch {
    // Not remembered; the choice still applies to this window.
  }
}
