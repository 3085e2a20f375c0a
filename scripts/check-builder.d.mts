/** Types for scripts/check-builder.mjs, so tests can import it under `strict`. */
export interface ReferencedPath {
  readonly kind: string
  readonly path: string
}

export interface BuilderCheck {
  readonly problems: string[]
  readonly present: ReferencedPath[]
  readonly optionalMissing: (ReferencedPath & { readonly reason: string })[]
}

export declare const configFileName: string
export declare const optionalSources: Readonly<Record<string, string>>
export declare function schemaPath(root: string): string
export declare function validateAgainstSchema(config: unknown, schema: object): string[]
export declare function referencedPaths(config: Record<string, unknown>): ReferencedPath[]
export declare function checkBuilderConfig(options: {
  root: string
  configFile?: string
  schema?: object
}): BuilderCheck
