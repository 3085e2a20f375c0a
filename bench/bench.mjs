#!/usr/bin/env node
// `npm run bench`: builds bench/run-bench.ts (and the product code it imports) into one ES module
// with Vite's build API, then runs it on this Node with --expose-gc (the memory figures collect
// garbage before reading the heap). Vite, not a TypeScript loader: db/migrations.ts uses
// import.meta.glob, which only a Vite build understands. The output goes under node_modules/.cache,
// inside the project, so Node resolves the packages it imports (better-sqlite3, @node-rs/argon2,
// otplib, tinybench) from node_modules as usual. Only the `keyhold auth` part needs a keychain: it runs
// its loop in a child under scripts/with-keyring.sh (bench/cli-suite.ts).
import { spawn } from 'node:child_process'
import { join, resolve } from 'node:path'
import { build } from 'vite'

const root = resolve(import.meta.dirname, '..')
const outDir = join(root, 'node_modules', '.cache', 'keyhold-bench')

await build({
  configFile: false,
  root,
  logLevel: 'warn',
  build: {
    ssr: join(root, 'bench', 'run-bench.ts'),
    target: 'node20',
    outDir,
    emptyOutDir: true,
    minify: false,
    sourcemap: false,
    rolldownOptions: { output: { format: 'es', entryFileNames: 'run-bench.mjs' } },
  },
})

const child = spawn(process.execPath, ['--expose-gc', join(outDir, 'run-bench.mjs')], {
  cwd: root,
  env: { ...process.env, KEYHOLD_BENCH_ROOT: root },
  stdio: 'inherit',
})
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal))
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
