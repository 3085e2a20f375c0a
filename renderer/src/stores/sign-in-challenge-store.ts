import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import * as client from '../api/keyhold-client'
import type { ChallengeView, SentCode } from '../api/keyhold-client'
import { isKeyholdError, isSessionEnded, KeyholdError } from '../api/keyhold-error'
import { useAccountStore } from './account-store'
import { useSessionStore } from './session-store'

/**
 * The second step of signing in (S14). The main process holds a session that
 * can only verify, switch method, send a code, use a recovery code or cancel;
 * this store is what the page knows of it: the methods (preferred first), the
 * one in use, codes sent and when another may be sent, and a lock if one came.
 * Nothing here counts as signed in until the main process returns a session.
 */
export type ChallengeMode = 'method' | 'recovery'

export const useSignInChallengeStore = defineStore('sign-in-challenge', () => {
  const session = useSessionStore()
  const accountStore = useAccountStore()

  const challenge = ref<ChallengeView | null>(null)
  const activeMethodId = ref<number | null>(null)
  const mode = ref<ChallengeMode>('method')
  /** The last code sent per method: where to, and when another may be asked for. */
  const sent = ref<Record<number, SentCode>>({})
  /** RATE_LIMITED told us when sending is allowed again, per method. */
  const retryAt = ref<Record<number, string>>({})
  /** The account was locked (S13): the challenge is over; the page says until when. */
  const lock = ref<KeyholdError | null>(null)

  const pending = computed(() => challenge.value !== null)
  const methods = computed(() => challenge.value?.methods ?? [])
  const activeMethod = computed(() => methods.value.find((m) => m.id === activeMethodId.value) ?? null)
  const otherMethods = computed(() => methods.value.filter((m) => m.id !== activeMethodId.value))
  const recoveryCodesAvailable = computed(() => challenge.value?.recoveryCodesAvailable ?? false)

  function start(view: ChallengeView): void {
    challenge.value = view
    activeMethodId.value = view.preferredMethodId
    mode.value = 'method'
    sent.value = {}
    retryAt.value = {}
    lock.value = null
  }

  /**
   * After a reload the window has forgotten the challenge, but the main process
   * still holds it: ask for it again. False when it is gone (expired meanwhile):
   * then the sign-in page says so.
   */
  async function resume(): Promise<boolean> {
    try {
      start(await guarded(() => client.getChallenge()))
      return true
    } catch {
      return false
    }
  }

  function clear(): void {
    challenge.value = null
    activeMethodId.value = null
    mode.value = 'method'
    sent.value = {}
    retryAt.value = {}
    lock.value = null
  }

  function choose(methodId: number): void {
    if (!methods.value.some((m) => m.id === methodId)) return
    activeMethodId.value = methodId
    mode.value = 'method'
  }

  function chooseRecoveryCode(): void {
    mode.value = 'recovery'
  }

  /** When another code may be sent to the active method (ISO), if that is known. */
  const resendAvailableAt = computed(() => {
    const id = activeMethodId.value
    if (id === null) return null
    return retryAt.value[id] ?? sent.value[id]?.resendAvailableAt ?? null
  })

  /**
   * Failures that end the challenge. SESSION_EXPIRED after the fifth wrong code
   * (attemptsLeft 0) or when the challenge timed out: the app-wide handler has
   * already gone back to sign-in; this only picks the message. LOCKED: the main
   * process ended every session of the account; the page shows until when.
   */
  function noteFailure(error: unknown): void {
    if (!isKeyholdError(error)) return
    if (error.code === 'SESSION_EXPIRED' || error.code === 'UNAUTHENTICATED') {
      const tooMany = error.code === 'SESSION_EXPIRED' && error.attemptsLeft === 0
      clear()
      session.announce(tooMany ? 'challengeEnded' : 'challengeExpired')
      return
    }
    if (error.code === 'LOCKED') lock.value = error
    if (error.code === 'RATE_LIMITED' && error.retryAt !== undefined && activeMethodId.value !== null) {
      retryAt.value = { ...retryAt.value, [activeMethodId.value]: error.retryAt }
    }
  }

  async function guarded<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call()
    } catch (error) {
      noteFailure(error)
      throw error
    }
  }

  async function sendCode(): Promise<SentCode> {
    const methodId = activeMethodId.value
    if (methodId === null) throw new KeyholdError({ code: 'VALIDATION', message: 'No method chosen' })
    const answer = await guarded(() => client.sendSignInCode(methodId))
    sent.value = { ...sent.value, [methodId]: answer }
    const { [methodId]: _done, ...rest } = retryAt.value
    retryAt.value = rest
    return answer
  }

  async function verify(code: string): Promise<void> {
    const methodId = activeMethodId.value
    if (methodId === null) throw new KeyholdError({ code: 'VALIDATION', message: 'No method chosen' })
    const result = await guarded(() => client.verifySignInCode(methodId, code))
    clear()
    session.adopt(result.session)
  }

  async function signInWithRecoveryCode(code: string): Promise<void> {
    const result = await guarded(() => client.signInWithRecoveryCode(code))
    clear()
    // S12: say how many are left (and warn when few are) on the first page after sign-in.
    accountStore.announce({
      kind: 'recoverySignIn',
      remaining: result.recoveryCodesRemaining,
      low: result.recoveryCodesLow,
    })
    session.adopt(result.session)
  }

  /** "Cancel": ends the waiting session in the main process too. */
  async function cancel(): Promise<void> {
    try {
      await client.signOut()
    } catch (error) {
      // Already gone (it expired, or a lock ended it): the outcome asked for.
      if (!isSessionEnded(error)) throw error
    }
    const locked = lock.value !== null
    clear()
    session.announce(locked ? 'signInRequired' : 'signInCancelled')
  }

  return {
    challenge,
    activeMethodId,
    mode,
    sent,
    lock,
    pending,
    methods,
    activeMethod,
    otherMethods,
    recoveryCodesAvailable,
    resendAvailableAt,
    start,
    resume,
    clear,
    choose,
    chooseRecoveryCode,
    sendCode,
    verify,
    signInWithRecoveryCode,
    cancel,
  }
})
