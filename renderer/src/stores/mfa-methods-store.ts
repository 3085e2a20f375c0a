import { defineStore } from 'pinia'
import { computed, ref, watch } from 'vue'
import { methodTypes, type MethodType } from '../../../electron/shared/method-types'
import type { MethodView, MfaOverview } from '../../../electron/shared/mfa-schemas'
import * as client from '../api/keyhold-client'
import { useStepUp } from '../composables/use-step-up'
import { useSessionStore } from './session-store'

/**
 * "My account → Multi-factor authentication": the account's methods and
 * recovery-code count as the main process has them, plus the new lines the
 * person added with "Add" (client-only until the wizard enables one). Changing
 * the preferred method, removing one and regenerating recovery codes need a
 * fresh password check (S15); `withStepUp` asks for it when the engine does.
 * New recovery codes are returned to the caller and never kept here: they are
 * shown once (S11).
 */
export type { MethodType }

export interface DraftMethod {
  readonly id: number
  type: MethodType
}

export const useMfaMethodsStore = defineStore('mfa-methods', () => {
  const session = useSessionStore()
  const { withStepUp } = useStepUp()

  const overview = ref<MfaOverview | null>(null)
  const drafts = ref<DraftMethod[]>([])
  let nextDraftId = 1

  const methods = computed(() => overview.value?.methods ?? [])
  const preferred = computed(() => methods.value.find((m) => m.preferred) ?? null)

  async function load(): Promise<MfaOverview> {
    const answer = await client.listMethods()
    overview.value = answer
    return answer
  }

  function replaceMethod(updated: MethodView): void {
    if (!overview.value) return
    overview.value = {
      ...overview.value,
      methods: overview.value.methods.map((m) =>
        m.id === updated.id ? updated : updated.preferred ? { ...m, preferred: false } : m,
      ),
    }
  }

  async function setPreferred(methodId: number): Promise<MethodView> {
    const updated = await withStepUp(() => client.setPreferredMethod(methodId))
    replaceMethod(updated)
    return updated
  }

  async function rename(methodId: number, label: string): Promise<MethodView> {
    const updated = await client.renameMethod(methodId, label)
    replaceMethod(updated)
    return updated
  }

  /** Another method may become preferred, and MFA may turn off: the list is read again. */
  async function remove(methodId: number, newPassword?: string): Promise<{ mfaEnabled: boolean }> {
    const result = await withStepUp(() => client.removeMethod(methodId, newPassword))
    await load()
    return result
  }

  async function regenerateRecoveryCodes(): Promise<string[]> {
    const codes = await withStepUp(() => client.regenerateRecoveryCodes())
    if (overview.value)
      overview.value = { ...overview.value, recoveryCodesRemaining: codes.length, recoveryCodesLow: false }
    return codes
  }

  function addDraft(type: MethodType = methodTypes[0]): DraftMethod {
    const draft: DraftMethod = { id: nextDraftId++, type }
    drafts.value = [...drafts.value, draft]
    return draft
  }

  function setDraftType(id: number, type: MethodType): void {
    drafts.value = drafts.value.map((d) => (d.id === id ? { ...d, type } : d))
  }

  function removeDraft(id: number): void {
    drafts.value = drafts.value.filter((d) => d.id !== id)
  }

  function clear(): void {
    overview.value = null
    drafts.value = []
  }

  // Methods must never outlive their session (sign-out, expiry, another user signing in).
  watch(
    () => session.account?.username ?? null,
    (now, before) => {
      if (now !== before) clear()
    },
  )

  return {
    overview,
    drafts,
    methods,
    preferred,
    load,
    setPreferred,
    rename,
    remove,
    regenerateRecoveryCodes,
    addDraft,
    setDraftType,
    removeDraft,
    clear,
  }
})
