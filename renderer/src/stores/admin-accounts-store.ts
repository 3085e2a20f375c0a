import { defineStore } from 'pinia'
import { ref, watch } from 'vue'
import * as client from '../api/keyhold-client'
import type {
  AdminAccountView,
  CreateAccountInput,
  CreatedAccount,
  SetupCode,
  UpdateAccountInput,
} from '../api/keyhold-client'
import { useStepUp } from '../composables/use-step-up'
import { useSessionStore } from './session-store'

/**
 * Account administration: the list (search and pages, read from the main
 * process, which keeps it fast at 100,000 accounts), one account's page, and
 * the changes. Every change needs a fresh password check (S15): `withStepUp`
 * asks for it when the engine does. Setup codes are handed to the caller and
 * never kept here: they are shown once.
 */
export const accountsPageSize = 50

export interface AccountListRequest {
  readonly search: string
  /** From 0. */
  readonly page: number
}

export const useAdminAccountsStore = defineStore('admin-accounts', () => {
  const session = useSessionStore()
  const { withStepUp } = useStepUp()

  const accounts = ref<AdminAccountView[]>([])
  const total = ref(0)
  /** The request the list on screen answers; null before the first answer. */
  const shown = ref<AccountListRequest | null>(null)
  /** The account whose page is open. */
  const current = ref<AdminAccountView | null>(null)
  /** A message for the list, from an account's page that is gone (it was deleted). */
  const flash = ref<{ readonly kind: 'deleted'; readonly username: string } | null>(null)
  let latest = 0

  /**
   * Reads one page. Answers can arrive out of order (search-as-you-type sends
   * several); only the newest request's answer is shown, older ones are dropped.
   * Resolves to false when this answer was dropped.
   */
  async function load(request: AccountListRequest): Promise<boolean> {
    const ticket = ++latest
    const search = request.search.trim()
    let answer: client.AccountList
    try {
      answer = await client.listAccounts({
        ...(search === '' ? {} : { search }),
        limit: accountsPageSize,
        offset: request.page * accountsPageSize,
      })
    } catch (error) {
      // A failure of a request nobody waits for any more is no news either.
      if (ticket !== latest) return false
      throw error
    }
    if (ticket !== latest) return false
    accounts.value = answer.accounts
    total.value = answer.total
    shown.value = { search: request.search, page: request.page }
    return true
  }

  /** Forgets any answer still on its way (the page is being left or the search changed). */
  function dropPending(): void {
    latest += 1
  }

  function replace(view: AdminAccountView): AdminAccountView {
    accounts.value = accounts.value.map((a) => (a.username === view.username ? view : a))
    if (current.value?.username === view.username) current.value = view
    return view
  }

  async function open(username: string): Promise<AdminAccountView> {
    current.value = null
    const view = await client.getAccount(username)
    current.value = view
    return view
  }

  async function create(input: CreateAccountInput): Promise<CreatedAccount> {
    return withStepUp(() => client.createAccount(input))
  }

  async function update(input: UpdateAccountInput): Promise<AdminAccountView> {
    return replace(await withStepUp(() => client.updateAccount(input)))
  }

  async function setDisabled(username: string, disabled: boolean): Promise<AdminAccountView> {
    return replace(await withStepUp(() => client.setAccountDisabled(username, disabled)))
  }

  async function unlock(username: string): Promise<AdminAccountView> {
    return replace(await withStepUp(() => client.unlockAccount(username)))
  }

  async function remove(username: string): Promise<void> {
    await withStepUp(() => client.deleteAccount(username))
    accounts.value = accounts.value.filter((a) => a.username !== username)
    total.value = Math.max(0, total.value - 1)
    if (current.value?.username === username) current.value = null
    flash.value = { kind: 'deleted', username }
  }

  function takeFlash() {
    const taken = flash.value
    flash.value = null
    return taken
  }

  /** A new setup code; the old password stops working. The account is read again (it now shows the code pending). */
  async function resetPassword(username: string): Promise<SetupCode> {
    const code = await withStepUp(() => client.resetAccountPassword(username))
    await refresh(username)
    return code
  }

  async function resetMfa(username: string): Promise<{ removed: number }> {
    const result = await withStepUp(() => client.resetAccountMfa(username))
    await refresh(username)
    return result
  }

  /** Best effort: the change itself succeeded, so a failed read-back is not reported as a failed change. */
  async function refresh(username: string): Promise<void> {
    const view = await client.getAccount(username).catch(() => null)
    if (view) replace(view)
  }

  function clear(): void {
    dropPending()
    accounts.value = []
    total.value = 0
    shown.value = null
    current.value = null
    flash.value = null
  }

  // Administration data never outlives the session that read it.
  watch(
    () => session.account?.username ?? null,
    (now, before) => {
      if (now !== before) clear()
    },
  )

  return {
    accounts,
    total,
    shown,
    current,
    flash,
    takeFlash,
    load,
    dropPending,
    open,
    create,
    update,
    setDisabled,
    unlock,
    remove,
    resetPassword,
    resetMfa,
    clear,
  }
})
