import { defineStore } from 'pinia'
import { ref, watch } from 'vue'
import type { AccountView } from '../../../electron/shared/schemas'
import * as client from '../api/keyhold-client'
import { useSessionStore } from './session-store'

/** The signed-in user's own account: the profile shown on "My account", and the password change. */
export const useAccountStore = defineStore('account', () => {
  const session = useSessionStore()
  const me = ref<AccountView | null>(null)

  async function loadMe(): Promise<AccountView> {
    const account = await client.getMyAccount()
    me.value = account
    return account
  }

  /**
   * S15: a password change needs a fresh password check, so the current
   * password is confirmed first (step-up) and only then is the new one sent.
   * A wrong current password stops here, before the new one leaves the page.
   */
  async function changePassword(currentPassword: string, newPassword: string): Promise<void> {
    await client.confirmPassword({ password: currentPassword })
    await client.changePassword({ newPassword })
    // "Password changed" is the main process's time: read it back rather than guess. The
    // change itself succeeded, so a failed read-back is not reported as a failed change.
    await loadMe().catch(() => undefined)
  }

  function clear(): void {
    me.value = null
  }

  // A profile must never outlive its session (sign-out, expiry, another user signing in).
  watch(
    () => session.account?.username ?? null,
    (now, before) => {
      if (now !== before) clear()
    },
  )

  return { me, loadMe, changePassword, clear }
})
