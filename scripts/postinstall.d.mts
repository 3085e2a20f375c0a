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

export interface NodeAddon {
  readonly name: string
  readonly binary: readonly string[]
}
export type AddonBuildOutcome = 'present' | 'built' | 'failed'
export interface ElectronDownload {
  readonly status: 'downloaded' | 'failed' | 'stalled'
  readonly reason?: string
}

export declare const nodeAddons: readonly NodeAddon[]
export declare const electronStallSeconds: number
export declare function addonsToBuild(root: string, addons?: readonly NodeAddon[]): NodeAddon[]
export declare function buildNodeAddons(options: {
  root: string
  env?: NodeJS.ProcessEnv
  log?: (line: string) => void
  warn?: (line: string) => void
  ensurePrerequisites?: (log: (line: string) => void) => boolean
  runInstallScript?: (root: string, name: string, env: NodeJS.ProcessEnv) => { ok: boolean; output: string }
}): AddonBuildOutcome
export declare function downloadFailureReason(output: string): string
export declare function downloadElectron(options: {
  root: string
  env?: NodeJS.ProcessEnv
  installScript?: string
  stallMs?: number
  pollMs?: number
}): Promise<ElectronDownload>
export declare function ensureElectron(options: {
  root: string
  env?: NodeJS.ProcessEnv
  log?: (line: string) => void
  download?: (options: { root: string; env: NodeJS.ProcessEnv }) => Promise<ElectronDownload>
}): Promise<ElectronInstall | null>
