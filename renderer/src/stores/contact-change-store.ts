import { defineStore } from 'pinia'
import { ref, watch } from 'vue'
import * as client from '../api/keyhold-client'
import type { SentCode } from '../api/keyhold-client'
import type { AccountView } from '../../../electron/shared/schemas'
import { isKeyholdError } from '../api/keyhold-error'
import { useStepUp } from '../composables/use-step-up'
import { useAccountStore } from './account-store'
import { useSessionStore } from './session-store'

/**
 * "My account → Contact details": a new email address or phone number takes
 * effect only when the code sent to it comes back, so nobody can point the
 * account's notifications at an address they do not hold. Starting a change
 * needs a fresh password check (S15).
 */
export type ContactField = 'email' | 'phone'

export const useContactChangeStore = defineStore('contact-change', () => {
  const session = useSessionStore()
  const accountStore = useAccountStore()
  const { withStepUp } = useStepUp()

  const field = ref<ContactField | null>(null)
  /** The new address, as sent (an email, or a phone number in E.164). */
  const value = ref('')
  const sent = ref<SentCode | null>(null)

  function reset(): void {
    field.value = null
    value.value = ''
    sent.value = null
  }

  async function sendCode(which: ContactField, newValue: string): Promise<SentCode> {
    const input = which === 'email' ? { email: newValue } : { phone: newValue }
    const answer = await withStepUp(() => client.beginContactChange(input))
    field.value = which
    value.value = newValue
    sent.value = answer
    return answer
  }

  async function resendCode(): Promise<SentCode> {
    if (field.value === null) throw new Error('No contact change is pending')
    return sendCode(field.value, value.value)
  }

  async function confirm(code: string): Promise<AccountView> {
    try {
      const account = await client.confirmContactChange(code)
      accountStore.adopt(account)
      reset()
      return account
    } catch (error) {
      // The code is gone: the change has to be started again (a new code to the new address).
      if (isKeyholdError(error) && error.code === 'EXPIRED') sent.value = null
      throw error
    }
  }

  watch(
    () => session.account?.username ?? null,
    (now, before) => {
      if (now !== before) reset()
    },
  )

  return { field, value, sent, sendCode, resendCode, confirm, reset }
})
