/** Types for the pure helpers of postinstall.mjs, so tests can import them under `strict`. */
export interface ElectronInstall {
  readonly version: string
  readonly abi: string | null
  readonly executable: string
}

export interface BuildStamp {
  readonly electron: string
  readonly betterSqlite3: string
  readonly platform: string
  readonly arch: string
}

export type PostinstallOutcome = 'skipped' | 'up-to-date' | 'built' | 'failed'

export declare const electronNativeDir: readonly string[]
export declare const bindingFileName: string
export declare const stampFileName: string
export declare const electronHeadersUrl: string

export declare function findElectron(root: string, env?: NodeJS.ProcessEnv): ElectronInstall | null
export declare function buildStamp(options: {
  electronVersion: string
  betterSqlite3Version: string
  platform?: string
  arch?: string
}): BuildStamp
export declare function isUpToDate(root: string, stamp: BuildStamp): boolean
export declare function binaryTargetsAbi(bytes: Buffer, abi: string): boolean
export declare function electronBuildEnv(env?: NodeJS.ProcessEnv): NodeJS.ProcessEnv
export declare function runPostinstall(options: {
  root: string
  env?: NodeJS.ProcessEnv
  argv?: readonly string[]
  arch?: string
  log?: (line: string) => void
  warn?: (line: string) => void
}): PostinstallOutcome
