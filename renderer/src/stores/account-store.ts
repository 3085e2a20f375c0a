import { defineStore } from 'pinia'
import { ref, watch } from 'vue'
import type { AccountView } from '../../../electron/shared/schemas'
import * as client from '../api/keyhold-client'
import { useSessionStore } from './session-store'

/** A one-time message for the next "My account" page, from a page that finished something. */
export type AccountFlash =
  | { readonly kind: 'methodEnabled'; readonly label: string; readonly preferred: boolean }
  | { readonly kind: 'setupCancelled' }
  | { readonly kind: 'contactChanged'; readonly field: 'email' | 'phone' }
  | { readonly kind: 'recoverySignIn'; readonly remaining: number; readonly low: boolean }

/** The signed-in user's own account: the profile shown on "My account", and the password change. */
export const useAccountStore = defineStore('account', () => {
  const session = useSessionStore()
  const me = ref<AccountView | null>(null)
  const flash = ref<AccountFlash | null>(null)

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

  /** The main process answered a change with the account as it now is. */
  function adopt(account: AccountView): void {
    me.value = account
  }

  function announce(next: AccountFlash): void {
    flash.value = next
  }

  /** Hands the message to the page that shows it, once. */
  function takeFlash(): AccountFlash | null {
    const taken = flash.value
    flash.value = null
    return taken
  }

  function clear(): void {
    me.value = null
  }

  // A profile must never outlive its session (sign-out, expiry, another user signing in).
  // A message set while signing in (a recovery code was used) is for the session that starts.
  watch(
    () => session.account?.username ?? null,
    (now, before) => {
      if (now !== before) clear()
      if (now === null) flash.value = null
    },
  )

  return { me, flash, loadMe, changePassword, adopt, announce, takeFlash, clear }
})
