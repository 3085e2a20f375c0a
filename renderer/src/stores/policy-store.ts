import { defineStore } from 'pinia'
import { ref, watch } from 'vue'
import * as client from '../api/keyhold-client'
import type { PolicyDocument, PolicyView } from '../api/keyhold-client'
import { useStepUp } from '../composables/use-step-up'
import { useSessionStore } from './session-store'

/**
 * The site's MFA policy as the main process has it (versioned, audited). The
 * main process checks every value and that no change locks anyone out; a
 * change needs a fresh password check (S15).
 */
export const usePolicyStore = defineStore('policy', () => {
  const session = useSessionStore()
  const { withStepUp } = useStepUp()
  const policy = ref<PolicyView | null>(null)

  async function load(): Promise<PolicyView> {
    const view = await client.getPolicy()
    policy.value = view
    return view
  }

  async function save(document: PolicyDocument): Promise<PolicyView> {
    const view = await withStepUp(() => client.setPolicy(document))
    policy.value = view
    return view
  }

  watch(
    () => session.account?.username ?? null,
    (now, before) => {
      if (now !== before) policy.value = null
    },
  )

  return { policy, load, save }
})
