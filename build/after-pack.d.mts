/** Types for build/after-pack.mjs, so the packaging tests can import it under `strict`. */
import type { FuseConfig } from '@electron/fuses'

export type FuseName =
  | 'RunAsNode'
  | 'EnableCookieEncryption'
  | 'EnableNodeOptionsEnvironmentVariable'
  | 'EnableNodeCliInspectArguments'
  | 'EnableEmbeddedAsarIntegrityValidation'
  | 'OnlyLoadAppFromAsar'
  | 'LoadBrowserProcessSpecificV8Snapshot'
  | 'GrantFileProtocolExtraPrivileges'

/** The part of electron-builder's AfterPackContext the hook reads. */
export interface AfterPackContextLike {
  readonly appOutDir: string
  readonly electronPlatformName: string
  readonly packager: {
    readonly appInfo: { readonly productFilename: string }
    readonly executableName: string
    readonly projectDir: string
  }
}

export declare const fuseOn: number
export declare const fuseOff: number
export declare const fuseSettings: Readonly<Partial<Record<FuseName, boolean>>>
export declare function fuseConfigFor(electronPlatformName: string): FuseConfig
export declare function electronBinaryPath(context: AfterPackContextLike): string
export declare function resourcesDir(context: AfterPackContextLike): string
export declare function checkNativeBinding(context: AfterPackContextLike): void
export declare function fusesNotApplied(wire: Readonly<Record<number, unknown>>): string[]
export declare function afterPack(context: AfterPackContextLike): Promise<void>
