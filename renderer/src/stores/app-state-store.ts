import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { AppProblem } from '../../../electron/shared/schemas'
import * as client from '../api/keyhold-client'
import type { CreateFirstAdminInput } from '../api/keyhold-client'
import { isKeyholdError, KeyholdError } from '../api/keyhold-error'
import { useSessionStore } from './session-store'

/**
 * What the main process says about the app as a whole: ready (and whether the
 * first administrator still has to be created) or unavailable (keychain or
 * database trouble, with a fix to show). The router's guard reads it.
 */
export type AppStatus = 'unknown' | 'ready' | 'unavailable' | 'unreachable'

export const useAppStateStore = defineStore('app-state', () => {
  const session = useSessionStore()
  const status = ref<AppStatus>('unknown')
  const setupRequired = ref(false)
  const problem = ref<AppProblem | null>(null)
  /** The main process holds a sign-in of this window that waits for its second factor (a reload came between). */
  const challengePending = ref(false)
  /** Set when the state itself could not be read (no bridge, bridge failed). */
  const loadError = ref<KeyholdError | null>(null)
  const loading = ref(false)
  let inflight: Promise<void> | null = null

  const loaded = computed(() => status.value !== 'unknown')
  const available = computed(() => status.value === 'ready')

  async function fetchState(): Promise<void> {
    try {
      const state = await client.getAppState()
      loadError.value = null
      if (state.status === 'ready') {
        status.value = 'ready'
        problem.value = null
        setupRequired.value = state.setupRequired
        challengePending.value = state.challengePending && state.session === null
        session.adopt(state.session)
      } else {
        status.value = 'unavailable'
        problem.value = state.problem
        session.adopt(null)
      }
    } catch (error) {
      status.value = 'unreachable'
      problem.value = null
      loadError.value = isKeyholdError(error)
        ? error
        : new KeyholdError({ code: 'INTERNAL', message: 'Could not read the app state' }, { cause: error })
      session.adopt(null)
    }
  }

  /** Never throws: a failure is a state the unavailable page explains. Concurrent calls share one request. */
  function load(): Promise<void> {
    if (inflight) return inflight
    loading.value = true
    inflight = fetchState().finally(() => {
      loading.value = false
      inflight = null
    })
    return inflight
  }

  /** Whether a waiting second-factor step is to be resumed; answers true once, for the one who resumes it. */
  function takeChallengePending(): boolean {
    const pending = challengePending.value
    challengePending.value = false
    return pending
  }

  /** Creates the first administrator and returns its username (as the main process normalised it). */
  async function createFirstAdmin(input: CreateFirstAdminInput): Promise<string> {
    try {
      const { username } = await client.createFirstAdmin(input)
      setupRequired.value = false
      return username
    } catch (error) {
      // Someone else finished setup first: there is nothing left to set up.
      if (isKeyholdError(error) && error.code === 'SETUP_DONE') setupRequired.value = false
      throw error
    }
  }

  return {
    status,
    setupRequired,
    problem,
    loadError,
    loading,
    loaded,
    available,
    load,
    takeChallengePending,
    createFirstAdmin,
  }
})
