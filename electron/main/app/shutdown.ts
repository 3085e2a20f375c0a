import type { Logger } from './rotating-log'

/**
 * A clean shutdown, run exactly once: the IPC handlers go first (no new call reaches the services),
 * then the database closes, which checkpoints the WAL back into keyhold.db (keyhold.close() runs
 * `wal_checkpoint(TRUNCATE)`). A step that fails is logged and the next one still runs.
 *
 * The composition root runs it on `will-quit` (after every window has closed, so no page is waiting
 * on an IPC answer; `before-quit` comes while windows are still open) and, as a fallback for ways out
 * that skip `will-quit` such as `app.exit()`, on the process's `exit`. Whichever comes first does the work.
 */
export interface ShutdownStep {
  readonly name: string
  readonly run: () => void
}

export interface Shutdown {
  run(reason: string): void
  readonly done: boolean
}

export function createShutdown(steps: readonly ShutdownStep[], logger: Logger): Shutdown {
  let done = false
  return {
    run: (reason) => {
      if (done) return
      done = true
      for (const step of steps) {
        try {
          step.run()
        } catch (error) {
          logger.error(`shutdown: ${step.name} failed`, error)
        }
      }
      logger.info(`stopped (${reason})`)
    },
    get done() {
      return done
    },
  }
}
