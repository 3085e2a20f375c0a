// ESLint flat config. Besides the usual TypeScript and Vue rules it enforces DESIGN.md's module
// boundaries ("Enforce them with ESLint, not memory"): what each folder may import, where the clock and
// randomness may be read, and that only the Electron transport touches ipcMain.
//
// `no-restricted-imports` (like every rule) takes its options from the LAST config object that matches
// a file; options are not merged. So each folder below gets one complete list, built from the named sets
// here, and the folders are ordered from general to specific.
import { builtinModules } from 'node:module'
import js from '@eslint/js'
import pluginVue from 'eslint-plugin-vue'
import { withVueTs, vueTsConfigs } from '@vue/eslint-config-typescript'
import prettier from 'eslint-config-prettier/flat'
import globals from 'globals'

const CODE = '**/*.{ts,mts,cts,js,mjs,cjs,vue}'

// Node builtins without the `node:` prefix ('fs', 'crypto', 'fs/promises', …); `node:*` is a pattern below.
const bareBuiltins = builtinModules.filter((name) => !name.startsWith('_'))

/** A named set of restrictions: `paths` and `patterns` entries of no-restricted-imports. */
const set = (paths = [], patterns = []) => ({ paths, patterns })

const ipcMainOnlyInTransport = set([
  {
    name: 'electron',
    importNames: ['ipcMain'],
    message: 'Only electron/main/ipc/electron-transport.ts registers IPC handlers (DESIGN.md, typed IPC).',
  },
])

const ipcRendererOnlyInPreload = set([
  {
    name: 'electron',
    importNames: ['ipcRenderer'],
    message: 'Only electron/preload touches ipcRenderer, and it never exposes it (DESIGN.md, S23).',
  },
])

const noElectron = (why) => set([{ name: 'electron', message: why }])

const noNodeBuiltins = (why) =>
  set(
    bareBuiltins.map((name) => ({ name, message: why })),
    [{ regex: '^node:', message: why }],
  )

const noCrypto = set(
  [
    { name: 'crypto', message: 'Randomness and hashing come from adapters (DESIGN.md); inject them.' },
    { name: 'node:crypto', message: 'Randomness and hashing come from adapters (DESIGN.md); inject them.' },
  ],
  [],
)

const SIDE_EFFECT_WHY = 'Only adapters touch libraries with side effects (DESIGN.md); depend on a port instead.'
const noSideEffectLibraries = set(
  ['better-sqlite3', 'keytar', 'nodemailer', '@node-rs/argon2'].map((name) => ({ name, message: SIDE_EFFECT_WHY })),
  [{ group: ['better-sqlite3/*', 'keytar/*', 'nodemailer/*', '@node-rs/argon2/*'], message: SIDE_EFFECT_WHY }],
)

const noAdapters = set(
  [],
  [
    {
      // Any specifier with an `adapters` path segment: '../adapters/x', '../../main/adapters/y', '@main/adapters'.
      regex: '(^|/)adapters(/|$)',
      message: 'domain and services never import adapters (DESIGN.md); declare a port in services/ports.ts.',
    },
  ],
)

// electron/shared is the contract: zod and its own files, nothing else. It is a flat folder, so a parent
// path ('../…') always leaves it.
const onlyZodAndShared = set(
  [],
  [
    {
      regex: '^(?!zod(/|$)|\\./)',
      message: 'electron/shared imports only zod and other files in electron/shared (DESIGN.md).',
    },
  ],
)

const RENDERER_WHY = 'The renderer is sandboxed: it talks to the main process only through window.keyhold (DESIGN.md).'
const noMainProcessCode = set(
  [],
  [
    { regex: '(^|/)electron/(main|preload)(/|$)', message: RENDERER_WHY },
    { regex: '^@(main|preload)(/|$)', message: RENDERER_WHY },
  ],
)

/** One complete no-restricted-imports setting made of the given sets. */
const restrictImports = (...sets) => ({
  'no-restricted-imports': [
    'error',
    { paths: sets.flatMap((s) => s.paths), patterns: sets.flatMap((s) => s.patterns) },
  ],
})

// Time and randomness are injected (DESIGN.md: services take a clock and a random source), so tests
// control them. Only adapters read the real ones.
const CLOCK_WHY = 'Read time and randomness through the injected clock/random deps; only adapters use the real ones.'
const clockAndRandomRules = {
  'no-restricted-properties': [
    'error',
    { object: 'Date', property: 'now', message: CLOCK_WHY },
    { object: 'Math', property: 'random', message: CLOCK_WHY },
    { object: 'globalThis', property: 'crypto', message: CLOCK_WHY },
    { object: 'performance', property: 'now', message: CLOCK_WHY },
  ],
  'no-restricted-globals': ['error', { name: 'crypto', message: CLOCK_WHY }],
}
const newDateWithoutArguments = {
  selector: "NewExpression[callee.name='Date'][arguments.length=0]",
  message: `new Date() reads the clock. ${CLOCK_WHY}`,
}
const defaultExport = {
  selector: 'ExportDefaultDeclaration',
  message: 'Named exports only (DESIGN.md house style); single-file components aside.',
}
const restrictSyntax = (...selectors) => ({ 'no-restricted-syntax': ['error', ...selectors] })

export default withVueTs(
  {
    name: 'keyhold/ignores',
    ignores: ['out/**', 'dist/**', 'node_modules/**', '.native/**', 'test-results/**', 'coverage/**', '.tmp/**'],
  },

  // ESLint's own recommended rules, then typescript-eslint's (which turns off the core rules that
  // TypeScript already checks, e.g. no-undef, in .ts and .vue files).
  { name: 'eslint/recommended', files: [CODE], ...js.configs.recommended },
  pluginVue.configs['flat/recommended'],
  vueTsConfigs.recommended,

  {
    name: 'keyhold/base',
    files: [CODE],
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      // `_`-prefixed names mark deliberately unused parameters (e.g. a port method a fake ignores).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
      ...restrictImports(ipcMainOnlyInTransport, ipcRendererOnlyInPreload),
    },
  },
  {
    name: 'keyhold/browser-globals',
    files: ['renderer/**', 'electron/preload/**', 'test/renderer/**', 'test/e2e/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // bin/ entries and .cjs files are CommonJS (package.json has no "type": "module", see ENVIRONMENT.md).
    name: 'keyhold/commonjs',
    files: ['**/*.cjs', 'bin/**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },

  // Named exports only. Tool configs at the root must export default; SFCs are exempt by extension.
  {
    name: 'keyhold/named-exports',
    files: ['{electron,renderer,db,test,scripts}/**/*.{ts,mts,cts,js,mjs,cjs}'],
    rules: restrictSyntax(defaultExport),
  },

  // ---- Module boundaries, general to specific (see the note at the top) ----
  {
    name: 'keyhold/boundaries/main',
    files: ['electron/main/**'],
    rules: {
      ...restrictImports(ipcMainOnlyInTransport, ipcRendererOnlyInPreload, noCrypto),
      ...clockAndRandomRules,
      ...restrictSyntax(defaultExport, newDateWithoutArguments),
    },
  },
  {
    name: 'keyhold/boundaries/adapters',
    files: ['electron/main/adapters/**'],
    rules: {
      ...restrictImports(ipcMainOnlyInTransport, ipcRendererOnlyInPreload),
      'no-restricted-properties': 'off',
      'no-restricted-globals': 'off',
      ...restrictSyntax(defaultExport),
    },
  },
  {
    name: 'keyhold/boundaries/domain-and-services',
    files: ['electron/main/domain/**', 'electron/main/services/**'],
    rules: restrictImports(
      noElectron('domain and services are pure: no Electron (DESIGN.md).'),
      noNodeBuiltins('domain and services never import node:* (DESIGN.md); put it behind a port in adapters.'),
      noSideEffectLibraries,
      noAdapters,
    ),
  },
  {
    name: 'keyhold/boundaries/node-transports',
    files: ['electron/main/cli/**', 'electron/main/preview/**'],
    rules: restrictImports(
      noElectron('The CLI and the browser preview run on plain Node, where electron cannot load (DESIGN.md).'),
      noCrypto,
    ),
  },
  {
    name: 'keyhold/boundaries/electron-transport',
    files: ['electron/main/ipc/electron-transport.ts'],
    rules: restrictImports(ipcRendererOnlyInPreload, noCrypto),
  },
  {
    name: 'keyhold/boundaries/preload',
    files: ['electron/preload/**'],
    rules: {
      ...restrictImports(ipcMainOnlyInTransport, noCrypto),
      ...clockAndRandomRules,
      ...restrictSyntax(defaultExport, newDateWithoutArguments),
    },
  },
  {
    name: 'keyhold/boundaries/shared',
    files: ['electron/shared/**'],
    rules: {
      ...restrictImports(onlyZodAndShared),
      ...clockAndRandomRules,
      ...restrictSyntax(defaultExport, newDateWithoutArguments),
    },
  },
  {
    name: 'keyhold/boundaries/renderer',
    files: ['renderer/**'],
    rules: restrictImports(
      noElectron(RENDERER_WHY),
      noNodeBuiltins(RENDERER_WHY),
      noSideEffectLibraries,
      noMainProcessCode,
    ),
  },
  {
    // Tests drive the main-process wiring through vi.mock('electron') and read the mocked ipcMain, and
    // they may use the real clock (e.g. for temp names); the production boundaries do not apply.
    name: 'keyhold/boundaries/tests',
    files: ['test/**'],
    rules: { 'no-restricted-imports': 'off' },
  },

  // Last: turn off every stylistic rule that Prettier owns.
  prettier,
)
