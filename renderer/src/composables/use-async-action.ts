import { ref, shallowRef } from 'vue'

/**
 * Runs one async action at a time for a view: `pending` drives the button's
 * disabled/busy state, `error` the messages. A failure is kept, not rethrown,
 * because the view shows it; `run` resolves to undefined then.
 */
export function useAsyncAction() {
  const pending = ref(false)
  const error = shallowRef<unknown>(null)

  async function run<T>(action: () => Promise<T>): Promise<T | undefined> {
    if (pending.value) return undefined
    pending.value = true
    error.value = null
    try {
      return await action()
    } catch (caught) {
      error.value = caught
      return undefined
    } finally {
      pending.value = false
    }
  }

  function reset(): void {
    error.value = null
  }

  return { pending, error, run, reset }
}
