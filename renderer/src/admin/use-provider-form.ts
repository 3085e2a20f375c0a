import { computed, nextTick, ref, type Ref } from 'vue'
import { useI18n } from 'vue-i18n'
import { isKeyholdError, isSessionEnded } from '../api/keyhold-error'
import { useAsyncAction } from '../composables/use-async-action'
import { useErrorText } from '../i18n/error-text'
import { mapProviderFields } from './provider-errors'

/** What a provider form's frame lets the form move focus to. */
export interface ProviderFormFrameHandle {
  focusNotice(): void
  focusSummary(): void
}

/**
 * What the provider forms (email, SMS) share: a save that runs once at a time,
 * the errors beside the fields (the form's own checks over the main process's
 * VALIDATION fields, in the page's words), one summary line, the "saved" or
 * "cleared" notice, and where focus goes after each.
 */
export function useProviderForm(options: {
  /** Fields in the order they appear: focus goes to the first one with an error. */
  readonly fieldOrder: readonly string[]
  /** The element to focus for a field (e.g. "Change" while a stored secret is kept). */
  readonly focusId: (field: string) => string
}) {
  const { t, te } = useI18n()
  const describe = useErrorText()
  const saving = useAsyncAction()
  const clientErrors = ref<Record<string, string>>({})
  const notice = ref<'saved' | 'cleared' | null>(null)
  const frame: Ref<ProviderFormFrameHandle | null> = ref(null)

  function fieldMessage(field: string): string {
    const key = `admin.providers.fieldErrors.${field}`
    return te(key) ? t(key) : t('admin.providers.fieldErrors.default')
  }

  const serverErrors = computed<Record<string, string>>(() => {
    const error = saving.error.value
    if (!isKeyholdError(error) || error.code !== 'VALIDATION') return {}
    return Object.fromEntries(Object.keys(mapProviderFields(error.fields)).map((f) => [f, fieldMessage(f)]))
  })
  const errors = computed<Record<string, string>>(() => ({ ...serverErrors.value, ...clientErrors.value }))
  const summary = computed(() => {
    const error = saving.error.value
    if (error !== null && !isSessionEnded(error)) {
      return isKeyholdError(error) && error.code === 'VALIDATION' ? t('errors.VALIDATION') : describe(error).summary
    }
    return Object.keys(clientErrors.value).length > 0 ? t('errors.VALIDATION') : null
  })

  async function focusProblem(): Promise<void> {
    await nextTick()
    const first = options.fieldOrder.find((key) => errors.value[key] !== undefined)
    const target = first === undefined ? null : document.getElementById(options.focusId(first))
    if (target) target.focus()
    else frame.value?.focusSummary()
  }

  async function showNotice(kind: 'saved' | 'cleared'): Promise<void> {
    notice.value = kind
    await nextTick()
    frame.value?.focusNotice()
  }

  /**
   * Checks the form (`build` sets clientErrors and answers null when something
   * is missing), saves, then forgets typed secrets (`afterSend`) whatever happened.
   */
  async function submit<T>(build: () => T | null, save: (input: T) => Promise<unknown>, afterSend: () => void) {
    if (saving.pending.value) return
    saving.reset()
    notice.value = null
    const input = build()
    if (input === null) {
      await focusProblem()
      return
    }
    const saved = await saving.run(() => save(input))
    afterSend()
    if (saved !== undefined) await showNotice('saved')
    else await focusProblem()
  }

  /** What the frame shows, bound in one go (`v-bind="frameState"`). */
  const frameState = computed(() => ({
    pending: saving.pending.value,
    notice: notice.value,
    summary: summary.value,
  }))

  return {
    saving,
    clientErrors,
    errors,
    frameState,
    frame,
    fieldMessage,
    submit,
    afterClear: () => showNotice('cleared'),
  }
}
