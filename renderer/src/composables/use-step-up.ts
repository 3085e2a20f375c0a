import { useStepUpStore } from '../stores/step-up-store'

/**
 * Wraps a sensitive call (S15) so that, when the engine asks for a fresh
 * password check, the "Confirm your password" dialog appears and the call is
 * retried once after it. Usable from components and from other setup stores.
 *
 *   const { withStepUp } = useStepUp()
 *   await withStepUp(() => client.setPreferredMethod(id))
 */
export function useStepUp() {
  const store = useStepUpStore()
  return { withStepUp: <T>(call: () => Promise<T>): Promise<T> => store.guard(call) }
}
