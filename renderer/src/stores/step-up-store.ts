import { defineStore } from 'pinia'
import { ref } from 'vue'
import * as client from '../api/keyhold-client'
import { isStepUpRequired, StepUpCancelledError } from '../api/keyhold-error'

/**
 * S15: sensitive changes need a password check within the last five minutes.
 * The engine answers STEP_UP_REQUIRED when the last one is older; `guard` then
 * opens the one "Confirm your password" dialog (StepUpDialog in App.vue), and
 * after a successful confirmation retries the call once. Two calls refused at
 * the same time share one dialog. A dismissed dialog rejects with
 * StepUpCancelledError, which actions treat as "nothing happened".
 */
export const useStepUpStore = defineStore('step-up', () => {
  const open = ref(false)
  let settle: ((confirmed: boolean) => void) | null = null
  let waiting: Promise<boolean> | null = null

  /** Opens the dialog; resolves true once the password was confirmed, false when dismissed. */
  function request(): Promise<boolean> {
    if (waiting) return waiting
    open.value = true
    waiting = new Promise<boolean>((resolve) => {
      settle = resolve
    })
    return waiting
  }

  function finish(confirmed: boolean): void {
    const resolve = settle
    settle = null
    waiting = null
    open.value = false
    resolve?.(confirmed)
  }

  /** Checks the password; a refusal (wrong password, lock) is thrown for the dialog to show and the dialog stays. */
  async function confirm(password: string): Promise<void> {
    await client.confirmPassword({ password })
    finish(true)
  }

  function dismiss(): void {
    finish(false)
  }

  async function guard<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call()
    } catch (error) {
      if (!isStepUpRequired(error)) throw error
      if (!(await request())) throw new StepUpCancelledError()
      // Once: a second STEP_UP_REQUIRED (a clock jump, a policy change) is reported, not looped on.
      return call()
    }
  }

  return { open, request, confirm, dismiss, guard }
})
