import { defineStore } from 'pinia'
import { ref, watch } from 'vue'
import * as client from '../api/keyhold-client'
import type { Coverage } from '../api/keyhold-client'
import { useSessionStore } from './session-store'

/** How far MFA has reached: accounts by state and by method, locked ones, and who is late. */
export const useCoverageStore = defineStore('coverage', () => {
  const session = useSessionStore()
  const coverage = ref<Coverage | null>(null)

  async function load(): Promise<Coverage> {
    const answer = await client.getCoverage()
    coverage.value = answer
    return answer
  }

  watch(
    () => session.account?.username ?? null,
    (now, before) => {
      if (now !== before) coverage.value = null
    },
  )

  return { coverage, load }
})
