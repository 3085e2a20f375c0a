import { defineStore } from 'pinia'
import { computed, ref, watch } from 'vue'
import { useSessionStore } from './session-store'

/**
 * What the policy asks of a signed-in account without MFA, as the window shows
 * it: Prompt → an invitation with "Later"; Required within its grace period →
 * a banner with the deadline, which may be dismissed for this session only, so
 * it comes back at the next sign-in. Past the deadline there is no prompt: the
 * router allows nothing but the setup pages (and the main process enforces it, S14).
 */
export const useMfaPromptStore = defineStore('mfa-prompt', () => {
  const session = useSessionStore()
  const dismissed = ref(false)

  /** The prompt to show now: 'invited', 'grace', or null. */
  const prompt = computed(() => {
    const setup = session.mfaSetup
    if (dismissed.value || setup === null || setup.state === 'required') return null
    return setup.state
  })
  const deadline = computed(() => session.mfaSetup?.deadline ?? null)

  function dismiss(): void {
    dismissed.value = true
  }

  // "For this session": a new sign-in (or another account) asks again.
  watch(
    () => session.account?.username ?? null,
    (now, before) => {
      if (now !== before) dismissed.value = false
    },
  )

  return { prompt, deadline, dismissed, dismiss }
})
