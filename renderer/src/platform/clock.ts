import { inject, onScopeDispose, ref, type InjectionKey, type Ref } from 'vue'

/**
 * The renderer's only window on the wall clock, used for countdowns ("ask for a
 * new code in 0:42"). Every time that decides something (code lifetimes, lock
 * ends, step-up) comes from the main process as an ISO string; this clock only
 * says how long until one of those times. Injected, so tests move time by hand.
 */
export interface Clock {
  now(): number
  /** Calls `listener` every `ms` milliseconds until the returned function is called. */
  every(ms: number, listener: () => void): () => void
  /** Calls `listener` once, `ms` milliseconds from now, unless the returned function is called first. */
  after(ms: number, listener: () => void): () => void
}

export const systemClock: Clock = {
  // The one place the renderer reads the clock (see above).
  now: () => Date.now(),
  every(ms, listener) {
    const timer = setInterval(listener, ms)
    return () => clearInterval(timer)
  },
  after(ms, listener) {
    const timer = setTimeout(listener, ms)
    return () => clearTimeout(timer)
  },
}

export const clockKey: InjectionKey<Clock> = Symbol('keyhold.clock')

/** The app's clock: the injected one, or the system clock. Call from a component's setup. */
export function useClock(): Clock {
  return inject(clockKey, systemClock)
}

/** The current time as a ref that moves once a second while the calling component lives. */
export function useNow(clock: Clock = useClock()): Ref<number> {
  const now = ref(clock.now())
  const stop = clock.every(1000, () => {
    now.value = clock.now()
  })
  onScopeDispose(stop)
  return now
}
