/** Types for system-deps.mjs, so tests can import it under `strict`. */
export interface SystemRequirement {
  readonly what: string
  readonly pkg: string
  readonly path?: string
  readonly command?: string
  readonly pkgConfig?: string
  readonly libFile?: string
}

export declare const BUILD_REQUIREMENTS: readonly SystemRequirement[]
export declare const SYSTEM_REQUIREMENTS: readonly SystemRequirement[]
export declare function findMissing(requirements?: readonly SystemRequirement[]): SystemRequirement[]
export declare function packagesFor(requirements: readonly SystemRequirement[]): string[]
export declare function ensureSystemDeps(options?: {
  install?: boolean
  requirements?: readonly SystemRequirement[]
  log?: (line: string) => void
}): boolean
