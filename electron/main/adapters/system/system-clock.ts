import type { Clock } from '../../services/ports'

/** The one place that reads the wall clock (S6: time comes from the main process only). */
export const systemClock: Clock = { now: () => Date.now() }
