import { defineStore } from 'pinia'
import { ref, watch } from 'vue'
import * as client from '../api/keyhold-client'
import type { AuditEntry, AuditVerification } from '../api/keyhold-client'
import { useSessionStore } from './session-store'

/**
 * The audit log (S22), newest first, as the main process returns it: at most
 * `limit` entries, of one account or of all, filtered by event text and time
 * in the database.
 */
export const auditLimitMax = 1000

export const useAuditStore = defineStore('audit', () => {
  const session = useSessionStore()
  const entries = ref<AuditEntry[] | null>(null)
  const verification = ref<AuditVerification | null>(null)
  let latest = 0

  async function load(query: {
    username: string
    limit: number
    filters?: { event?: string; from?: string; until?: string }
  }): Promise<boolean> {
    const ticket = ++latest
    const username = query.username.trim()
    const answer = await client.listAudit({
      ...(username === '' ? {} : { username }),
      ...query.filters,
      limit: query.limit,
    })
    if (ticket !== latest) return false
    entries.value = answer
    return true
  }

  async function verify(): Promise<AuditVerification> {
    verification.value = null
    const result = await client.verifyAudit()
    verification.value = result
    return result
  }

  watch(
    () => session.account?.username ?? null,
    (now, before) => {
      if (now === before) return
      latest += 1
      entries.value = null
      verification.value = null
    },
  )

  return { entries, verification, load, verify }
})
