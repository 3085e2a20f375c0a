import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { traitsOf } from '../../../electron/shared/method-types'
import type { MethodView } from '../../../electron/shared/mfa-schemas'
import type { SessionView } from '../../../electron/shared/schemas'
import * as client from '../api/keyhold-client'
import type { ChallengeView } from '../api/keyhold-client'
import { isSessionEnded } from '../api/keyhold-error'

type MethodType = MethodView['type']

/** What the sign-in page says when the app sends someone there. */
export type SignInNotice =
  | 'adminCreated'
  | 'setupDone'
  | 'signedOut'
  | 'sessionExpired'
  | 'signInRequired'
  | 'signInCancelled'
  | 'challengeEnded'
  | 'challengeExpired'

/** What a right password leads to: a session, or a second-factor challenge (S14). */
export type SignInOutcome =
  { readonly status: 'signed-in' } | { readonly status: 'second-factor'; readonly challenge: ChallengeView }

/**
 * The signed-in session as the main process described it. The main process is
 * the authority: this is only what the renderer last heard, and any call can
 * still answer that the session has ended.
 */
export const useSessionStore = defineStore('session', () => {
  const session = ref<SessionView | null>(null)
  const notice = ref<SignInNotice | null>(null)
  /** Prefilled on the sign-in page (after setup, after a session ended). */
  const lastUsername = ref('')

  const signedIn = computed(() => session.value !== null)
  const account = computed(() => session.value?.account ?? null)
  const isAdmin = computed(() => session.value?.account.role === 'admin')
  /** What the policy asks of this account about MFA (invited, grace, required), or null. */
  const mfaSetup = computed(() => session.value?.mfaSetup ?? null)
  /** S14: past the grace period of a Required policy, the session can only set up a method. */
  const mfaSetupRequired = computed(() => mfaSetup.value?.state === 'required')
  /**
   * The method types the policy for this account's role lets it set up and use
   * ("strong methods only" leaves the authenticator app alone), in the order the
   * window offers them. The main process refuses the others anyway.
   */
  const allowedMethods = computed<readonly MethodType[]>(() => session.value?.mfaOptions.methods ?? [])
  /** The countries this site texts codes to; null when any country is fine. */
  const smsCountries = computed<readonly string[] | null>(() => session.value?.mfaOptions.smsCountries ?? null)
  /** What "Add" and the setup page offer: the allowed types, less SMS when the site texts no country at all. */
  const setupChoices = computed<readonly MethodType[]>(() =>
    allowedMethods.value.filter(
      (type) => traitsOf(type).provider !== 'sms' || smsCountries.value === null || smsCountries.value.length > 0,
    ),
  )

  function canSetUp(type: MethodType): boolean {
    return setupChoices.value.includes(type)
  }

  function adopt(view: SessionView | null): void {
    session.value = view
    if (view) lastUsername.value = view.account.username
  }

  /** Sends the next sign-in page a message, and optionally a username to prefill. */
  function announce(next: SignInNotice, username?: string): void {
    notice.value = next
    if (username !== undefined) lastUsername.value = username
  }

  /**
   * 'second-factor' (with the challenge) when the password was right but the
   * account has MFA (S14): the main process then holds a session that can only
   * finish signing in, and nothing here counts as signed in yet.
   */
  async function signIn(username: string, password: string): Promise<SignInOutcome> {
    return settle(username, await client.signIn({ username, password }))
  }

  /**
   * First sign-in with a setup code from an administrator: the code and a new
   * password, then on like a sign-in (a reset password keeps the account's
   * methods, so a second factor may still be owed, S14).
   */
  async function redeemSetupCode(username: string, setupCode: string, newPassword: string): Promise<SignInOutcome> {
    return settle(username, await client.redeemSetupCode({ username, setupCode, newPassword }))
  }

  function settle(username: string, result: client.SignInResult): SignInOutcome {
    notice.value = null
    if (result.status === 'signed-in') {
      adopt(result.session)
      return { status: 'signed-in' }
    }
    lastUsername.value = username
    return { status: 'second-factor', challenge: result.challenge }
  }

  async function signOut(): Promise<void> {
    try {
      await client.signOut()
    } catch (error) {
      // Already gone on the main-process side: the outcome the user asked for.
      if (!isSessionEnded(error)) throw error
    }
    session.value = null
    notice.value = 'signedOut'
  }

  /** The main process said the session is gone (expired, or never there). */
  function end(reason: 'sessionExpired' | 'signInRequired'): void {
    const wasSignedIn = session.value !== null
    session.value = null
    notice.value = wasSignedIn ? 'sessionExpired' : reason
  }

  return {
    session,
    notice,
    lastUsername,
    signedIn,
    account,
    isAdmin,
    mfaSetup,
    mfaSetupRequired,
    allowedMethods,
    smsCountries,
    setupChoices,
    canSetUp,
    adopt,
    announce,
    signIn,
    redeemSetupCode,
    signOut,
    end,
  }
})
