import { resolve } from 'node:path'
import { defineConfig } from 'vitest/config'
import vue from '@vitejs/plugin-vue'

const root = import.meta.dirname

/**
 * One project per kind of test. `npm test` (scripts/test.mjs) runs them all
 * inside a private D-Bus session with an unlocked gnome-keyring, after a build.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/fuzz/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'cli',
          include: ['test/cli/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // One browser and one preview server at a time: two cores.
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'resilience',
          include: ['test/crash/**/*.test.ts', 'test/concurrency/**/*.test.ts', 'test/faults/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // These fork workers, kill processes and run peers: one file at a time on two cores.
          fileParallelism: false,
        },
      },
      {
        plugins: [vue()],
        resolve: { alias: { '@renderer': resolve(root, 'renderer/src') } },
        test: {
          name: 'renderer',
          include: ['test/renderer/**/*.test.ts'],
          environment: 'happy-dom',
        },
      },
    ],
  },
})
