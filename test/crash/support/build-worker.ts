import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, isAbsolute, join, resolve } from 'node:path'
import { build, type Plugin } from 'vite'

/**
 * Builds a TypeScript worker (and the product code it imports) into one ES
 * module in a temp dir, with Vite's build API, so a test can fork it as a real
 * process on plain Node. Vite, not a loader hook: `db/migrations.ts` uses
 * `import.meta.glob`, which only a Vite build understands.
 *
 * Packages stay external (better-sqlite3 and @node-rs/argon2 are native). The
 * output lives outside the repo, where Node's resolver would not find
 * node_modules, so each package import is rewritten to the absolute path of
 * the file Vite resolved it to.
 */
export const repoRoot = resolve(import.meta.dirname, '../../..')

export interface BuiltWorker {
  /** The .mjs file to run with `node` (child_process.fork). */
  readonly file: string
  remove(): void
}

function isPackageImport(source: string): boolean {
  return !source.startsWith('.') && !isAbsolute(source) && !source.startsWith('\0') && !source.startsWith('/@')
}

/** Bare imports (packages) become external imports of an absolute file path. */
function absoluteExternals(): Plugin {
  return {
    name: 'keyhold-absolute-externals',
    enforce: 'pre',
    async resolveId(source, importer, options) {
      if (!isPackageImport(source) || source.startsWith('node:')) return null
      const resolved = await this.resolve(source, importer, { ...options, skipSelf: true })
      if (!resolved || resolved.external === 'absolute') return resolved
      // Node built-ins ("fs", "crypto") resolve to themselves.
      if (!isAbsolute(resolved.id)) return { id: source, external: true }
      return { id: resolved.id, external: 'absolute' }
    },
  }
}

export async function buildWorker(entry: string): Promise<BuiltWorker> {
  const outDir = mkdtempSync(join(tmpdir(), 'keyhold-worker-'))
  const name = basename(entry).replace(/\.ts$/, '')
  await build({
    configFile: false,
    root: repoRoot,
    logLevel: 'warn',
    plugins: [absoluteExternals()],
    // Vite would externalize packages by name; the plugin above does it by path instead.
    ssr: { noExternal: true },
    build: {
      ssr: entry,
      target: 'node20',
      outDir,
      emptyOutDir: false,
      minify: false,
      sourcemap: false,
      rolldownOptions: { output: { format: 'es', entryFileNames: `${name}.mjs` } },
    },
  })
  return { file: join(outDir, `${name}.mjs`), remove: () => rmSync(outDir, { recursive: true, force: true }) }
}
