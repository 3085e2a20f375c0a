import { computed, type ComputedRef, type Ref } from 'vue'
import { isSessionEnded } from '../api/keyhold-error'
import { useErrorText } from '../i18n/error-text'

/**
 * What a page says about a failed call (useAsyncAction's `error`): the
 * translated summary, or null while nothing failed. A session that ended is
 * not a page's to explain: it is handled app-wide (back to sign-in), so it
 * reads as null here too. `text` words the failure when the default will not do.
 */
export function useFailureText(
  error: Readonly<Ref<unknown>>,
  text?: (error: unknown) => string,
): ComputedRef<string | null> {
  const describe = useErrorText()
  const words = text ?? ((failure: unknown) => describe(failure).summary)
  return computed(() => (error.value === null || isSessionEnded(error.value) ? null : words(error.value)))
}
