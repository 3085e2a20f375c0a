import { ref, shallowRef } from 'vue'
import { isStepUpCancelled } from '../api/keyhold-error'

/**
 * Runs one async action at a time for a view: `pending` drives the button's
 * disabled/busy state, `error` the messages. A failure is kept, not rethrown,
 * because the view shows it; `run` resolves to undefined then. A cancelled
 * password confirmation (step-up) is no failure: the action just did not happen.
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
      error.value = isStepUpCancelled(caught) ? null : caught
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
