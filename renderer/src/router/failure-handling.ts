import type { Pinia } from 'pinia'
import type { Router } from 'vue-router'
import { onServiceUnavailable, onSessionEnded } from '../api/keyhold-client'
import { useAppStateStore } from '../stores/app-state-store'
import { useSessionStore } from '../stores/session-store'
import { useSignInChallengeStore } from '../stores/sign-in-challenge-store'
import { useStepUpStore } from '../stores/step-up-store'

/**
 * App-wide answers to failures any call can meet, so no view has to repeat them:
 * - the session ended (idle or absolute timeout S17, sign-out elsewhere, a lock,
 *   a second-factor challenge that ended): back to sign-in, saying why, with no
 *   challenge or password dialog left open;
 * - the main process became unavailable: re-read the app state, whose page explains it.
 * Returns a function that removes both handlers.
 */
export function installFailureHandling(router: Router, pinia: Pinia): () => void {
  const stopSession = onSessionEnded((error) => {
    useSignInChallengeStore(pinia).clear()
    useStepUpStore(pinia).dismiss()
    useSessionStore(pinia).end(error.code === 'SESSION_EXPIRED' ? 'sessionExpired' : 'signInRequired')
    void router.replace({ name: 'sign-in' })
  })
  const stopUnavailable = onServiceUnavailable(() => {
    void useAppStateStore(pinia)
      .load()
      .then(() => router.replace({ name: 'unavailable' }))
  })
  return () => {
    stopSession()
    stopUnavailable()
  }
}
