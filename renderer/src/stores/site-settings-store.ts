import { defineStore } from 'pinia'
import { ref, watch } from 'vue'
import * as client from '../api/keyhold-client'
import { useStepUp } from '../composables/use-step-up'
import { useSessionStore } from './session-store'

/** The site's settings: its name, which codes and authenticator apps show. Changing it needs step-up (S15). */
export const useSiteSettingsStore = defineStore('site-settings', () => {
  const session = useSessionStore()
  const { withStepUp } = useStepUp()
  const siteName = ref<string | null>(null)

  async function load(): Promise<string> {
    const answer = await client.getSettings()
    siteName.value = answer.siteName
    return answer.siteName
  }

  async function saveSiteName(name: string): Promise<string> {
    const answer = await withStepUp(() => client.setSiteName(name))
    siteName.value = answer.siteName
    return answer.siteName
  }

  watch(
    () => session.account?.username ?? null,
    (now, before) => {
      if (now !== before) siteName.value = null
    },
  )

  return { siteName, load, saveSiteName }
})
