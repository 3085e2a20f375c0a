/** Types for scripts/scan-electron.mjs, so tests can import it under `strict`. */
export interface ScanSource {
  readonly from: string
  readonly as: string
  readonly skip?: readonly string[]
  readonly builtBy?: string
}

export interface ScanConfig {
  readonly sources: readonly ScanSource[]
  readonly failOn: readonly string[]
  readonly excludedChecks: readonly { readonly check: string; readonly justification: string }[]
  readonly suppressions: readonly { readonly check: string; readonly file: string; readonly justification: string }[]
}

export interface Finding {
  readonly check: string
  readonly severity: string
  readonly confidence?: string
  readonly file: string
  readonly line?: number
  readonly description?: string
  readonly url?: string
}

export interface Judgement {
  readonly failures: Finding[]
  readonly accepted: (Finding & { readonly justification: string })[]
  readonly informational: Finding[]
  readonly unusedSuppressions: ScanConfig['suppressions'][number][]
}

export declare const configFileName: string
export declare function readScanConfig(root: string): ScanConfig
export declare function pinnedElectronVersion(packageJson: {
  devDependencies?: Record<string, string>
  dependencies?: Record<string, string>
}): string
export declare function stageSources(root: string, config: ScanConfig, stage: string): ScanSource[]
export declare function projectPath(config: ScanConfig, stagedFile: string): string
export declare function judgeFindings(config: ScanConfig, findings: readonly Finding[]): Judgement
export declare function scanElectron(options: {
  root: string
  scannerRoot?: string
  log?: (line: string) => void
}): Promise<{ problems: string[]; result: Judgement | null }>
