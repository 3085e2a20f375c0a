import { computed, ref, type Ref } from 'vue'
import { useI18n } from 'vue-i18n'
import type { DescribedError } from '../i18n/error-text'
import { focusFirstError } from './focus-first-error'

export type FieldErrors<K extends string> = Partial<Record<K, string>>

export interface FormErrorsOptions<K extends string> {
  /** Field inputs have the id `${prefix}-${key}`. */
  readonly prefix: string
  /** The fields in the order the form shows them: focus goes to the first one at fault. */
  readonly fieldOrder: readonly K[]
  /** The failed call (useAsyncAction's `error`), or null. */
  readonly failure: Readonly<Ref<unknown>>
  /** Its text (a summary and a message per field), or null when it is shown elsewhere (a session that ended). */
  readonly describe: (failure: unknown) => DescribedError | null
}

/**
 * A form's messages: the page's own findings (`passes`, before any round trip;
 * the main process checks again and decides) over the main process's answer,
 * one summary above the form and a message beside each field. `showErrors`
 * moves focus to the first field at fault, in form order, or else to the
 * summary: the NoticeMessage the page binds to `summaryBox`.
 */
export function useFormErrors<K extends string>(options: FormErrorsOptions<K>) {
  const { t } = useI18n()
  const clientErrors = ref({}) as Ref<FieldErrors<K>>
  const summaryBox = ref<{ focus(): void } | null>(null)
  const described = computed(() => (options.failure.value === null ? null : options.describe(options.failure.value)))
  const errors = computed<Record<string, string>>(() => ({ ...described.value?.fields, ...clientErrors.value }))
  const summary = computed(() => {
    if (described.value) return described.value.summary
    return Object.keys(clientErrors.value).length > 0 ? t('errors.VALIDATION') : null
  })

  async function showErrors(): Promise<void> {
    await focusFirstError(options.prefix, options.fieldOrder, errors.value, summaryBox.value)
  }

  /** Shows the page's own findings; true when there are none and the form may be sent. */
  async function passes(found: FieldErrors<K>): Promise<boolean> {
    clientErrors.value = found
    if (Object.keys(found).length === 0) return true
    await showErrors()
    return false
  }

  return { errors, summary, summaryBox, passes, showErrors }
}

/**
 * The fields of `keys` left empty, each with `message(key)`. Text is trimmed
 * first; the `passwords` are taken as typed (a space may be part of one).
 */
export function findMissing<K extends string>(
  form: Readonly<Record<K, string>>,
  keys: readonly K[],
  message: (key: K) => string,
  passwords: readonly K[] = [],
): FieldErrors<K> {
  const found: FieldErrors<K> = {}
  for (const key of keys) {
    const value = passwords.includes(key) ? form[key] : form[key].trim()
    if (value === '') found[key] = message(key)
  }
  return found
}

/** Adds `message` beside `repeat` when both passwords are filled in and differ. */
export function checkRepeated<K extends string>(
  found: FieldErrors<K>,
  form: Readonly<Record<K, string>>,
  first: K,
  repeat: K,
  message: string,
): FieldErrors<K> {
  if (found[first] === undefined && found[repeat] === undefined && form[first] !== form[repeat]) {
    found[repeat] = message
  }
  return found
}
