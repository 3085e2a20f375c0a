import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import vue from '@vitejs/plugin-vue'
import VueI18nPlugin from '@intlify/unplugin-vue-i18n/vite'

const root = import.meta.dirname

export default defineConfig({
  main: {
    build: {
      // zod goes into the bundle: loaded from node_modules it is ~100 small files, resolved and read one by
      // one at every start, about twice what the same code costs in one file (`keyhold auth`, issue 15).
      // The native modules, and the packages the code loads lazily, stay in node_modules.
      externalizeDeps: { exclude: ['zod'] },
      rolldownOptions: {
        // The app, and the two transports that run on plain Node (DESIGN.md).
        input: {
          index: resolve(root, 'electron/main/index.ts'),
          cli: resolve(root, 'electron/main/cli/index.ts'),
          preview: resolve(root, 'electron/main/preview/index.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      rolldownOptions: {
        input: { index: resolve(root, 'electron/preload/index.ts') },
      },
    },
  },
  renderer: {
    root: resolve(root, 'renderer'),
    build: {
      // electron-vite leaves minification off; the renderer is shipped, so make it small.
      minify: true,
      rolldownOptions: {
        input: { index: resolve(root, 'renderer/index.html') },
      },
    },
    plugins: [
      vue(),
      VueI18nPlugin({
        include: [resolve(root, 'renderer/src/i18n/locales/*.json')],
        // Messages are compiled at build time, so the runtime needs no eval (strict CSP).
        runtimeOnly: true,
        dropMessageCompiler: true,
        strictMessage: false,
      }),
    ],
  },
})
