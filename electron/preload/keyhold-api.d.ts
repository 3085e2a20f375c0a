import type { KeyholdApi } from '../shared/api'

declare global {
  interface Window {
    /** Exposed by the preload (Electron) or the preview shim (browser); read only by renderer/src/api. */
    readonly keyhold: KeyholdApi
  }
}

export {}
