import { nextTick } from 'vue'

/**
 * After a failed submit, moves focus to the first field (in form order) that
 * has an error, or else to the form's error message, so keyboard and screen
 * reader users land on what needs fixing. Field inputs have the id `${prefix}-${key}`.
 */
export async function focusFirstError(
  prefix: string,
  fieldKeys: readonly string[],
  errors: Readonly<Record<string, string>>,
  fallback?: { focus(): void } | null,
): Promise<void> {
  await nextTick()
  const first = fieldKeys.find((key) => errors[key] !== undefined)
  if (first !== undefined) {
    document.getElementById(`${prefix}-${first}`)?.focus()
    return
  }
  fallback?.focus()
}
