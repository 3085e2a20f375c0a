import { defineStore } from 'pinia'
import { ref, watch } from 'vue'
import { traitsOf, unhandledType, type WizardStep } from '../../../electron/shared/method-types'
import * as client from '../api/keyhold-client'
import type { EnrollmentView, MethodView, SentCode } from '../api/keyhold-client'
import { isKeyholdError } from '../api/keyhold-error'
import { useStepUp } from '../composables/use-step-up'
import { useMfaMethodsStore, type MethodType } from './mfa-methods-store'
import { useSessionStore } from './session-store'

/**
 * The setup wizard, as the manual walks it: "Confirm your password" → "Next
 * Step" → (email/SMS: the address, "Send Code") or (authenticator: the QR code)
 * → "Enter your code" → "Next Step" → recovery codes, if the account gets its
 * first ones → "Enable". A pending enrollment is never a method (S18); leaving
 * the wizard (Back past it, Cancel) cancels it in the main process, and one that
 * expired (10 minutes) or failed five codes has to start again.
 *
 * Recovery codes live here only between "Next Step" and "Enable", to be shown
 * once (S11), and are dropped when the wizard ends.
 */
export type EnrollmentStep = WizardStep | 'recovery'

/** The wizard step before `which` for this type: the steps come from the type table. */
export function stepBefore(type: MethodType, which: WizardStep): WizardStep {
  const steps = traitsOf(type).wizardSteps
  return steps[steps.indexOf(which) - 1] ?? steps[0]
}
/** Why the main process no longer has this setup. */
export type EnrollmentEnd = 'expired' | 'tooManyCodes' | 'recoveryCodesChanged'
export type DestinationInput = { readonly email: string } | { readonly phone: string }

export const useEnrollmentStore = defineStore('enrollment', () => {
  const session = useSessionStore()
  const methodsStore = useMfaMethodsStore()
  const { withStepUp } = useStepUp()

  const type = ref<MethodType | null>(null)
  /** The "Add" line this setup came from; it goes once the method is enabled. */
  const draftId = ref<number | null>(null)
  const step = ref<EnrollmentStep>('password')
  const enrollment = ref<EnrollmentView | null>(null)
  const sent = ref<SentCode | null>(null)
  const verified = ref(false)
  const recoveryCodes = ref<string[] | null>(null)
  const ended = ref<EnrollmentEnd | null>(null)

  function forgetEnrollment(): string | null {
    const id = enrollment.value?.enrollmentId ?? null
    enrollment.value = null
    sent.value = null
    verified.value = false
    recoveryCodes.value = null
    return id
  }

  /** Cancels the pending enrollment in the main process. Best effort: it expires there anyway (S18). */
  async function discard(): Promise<void> {
    const id = forgetEnrollment()
    if (id !== null) await client.cancelEnrollment(id).catch(() => undefined)
  }

  function reset(): void {
    forgetEnrollment()
    type.value = null
    draftId.value = null
    step.value = 'password'
    ended.value = null
  }

  function start(next: MethodType, fromDraft: number | null = null): void {
    reset()
    type.value = next
    draftId.value = fromDraft
  }

  /** The setup is gone in the main process (expired, not found, too many wrong codes, its recovery codes gone). */
  function noteFailure(error: unknown): void {
    if (!isKeyholdError(error)) return
    if (error.code === 'EXPIRED' || error.code === 'NOT_FOUND') {
      forgetEnrollment()
      ended.value = 'expired'
    } else if (error.code === 'INVALID_CODE' && error.attemptsLeft === 0) {
      forgetEnrollment()
      ended.value = 'tooManyCodes'
    } else if (error.code === 'RECOVERY_CODES_CHANGED') {
      // S36: the main process ended it rather than turn MFA on without recovery codes.
      forgetEnrollment()
      ended.value = 'recoveryCodesChanged'
    }
  }

  async function tracked<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call()
    } catch (error) {
      noteFailure(error)
      throw error
    }
  }

  function requireType(): MethodType {
    if (type.value === null) throw new Error('The setup wizard was not started')
    return type.value
  }

  function requireEnrollment(): EnrollmentView {
    if (enrollment.value === null) throw new Error('No enrollment is pending')
    return enrollment.value
  }

  /** Step 1. For an authenticator app the QR code is made right after. */
  async function confirmPassword(password: string, label: string): Promise<void> {
    const kind = requireType()
    await client.confirmPassword({ password })
    ended.value = null
    // Exhaustive: a new type fails typecheck until the wizard knows how it begins.
    switch (kind) {
      case 'totp':
        await discard()
        enrollment.value = await withStepUp(() => client.beginEnrollment({ type: 'totp', label }))
        step.value = 'code'
        return
      case 'email':
      case 'sms':
        step.value = 'destination'
        return
      default:
        unhandledType(kind)
    }
  }

  /** Email/SMS: "Send Code" starts the enrollment (the engine sends the first code). */
  async function sendCode(destination: DestinationInput, label: string): Promise<SentCode> {
    const kind = requireType()
    if (traitsOf(kind).provider === null) throw new Error('This method needs no code to be sent')
    await discard()
    ended.value = null
    const input =
      'email' in destination
        ? { type: 'email' as const, email: destination.email, label }
        : { type: 'sms' as const, phone: destination.phone, label }
    const view = await withStepUp(() => client.beginEnrollment(input))
    enrollment.value = view
    sent.value = view.code
    step.value = 'code'
    // The engine always sends the first code for email/SMS; `code` is never null here.
    return view.code!
  }

  async function resendCode(): Promise<SentCode> {
    const { enrollmentId } = requireEnrollment()
    const answer = await tracked(() => client.resendEnrollmentCode(enrollmentId))
    sent.value = answer
    return answer
  }

  /** "Enter your code" → "Next Step". After Back from a later step the code is already confirmed. */
  async function verify(code: string): Promise<void> {
    if (!verified.value) {
      const { enrollmentId } = requireEnrollment()
      const result = await tracked(() => client.verifyEnrollment(enrollmentId, code))
      verified.value = true
      recoveryCodes.value = result.recoveryCodes
    }
    step.value = recoveryCodes.value === null ? 'enable' : 'recovery'
  }

  async function enable(recoveryCodesSaved: boolean): Promise<MethodView> {
    const { enrollmentId } = requireEnrollment()
    const method = await tracked(() => withStepUp(() => client.enableEnrollment(enrollmentId, recoveryCodesSaved)))
    if (draftId.value !== null) methodsStore.removeDraft(draftId.value)
    reset()
    return method
  }

  /** One step back. Going back before the code step drops the pending enrollment. */
  async function back(): Promise<void> {
    switch (step.value) {
      case 'destination':
        step.value = 'password'
        return
      case 'code':
        await discard()
        step.value = type.value === null ? 'password' : stepBefore(type.value, 'code')
        return
      case 'recovery':
      case 'enable':
        step.value = 'code'
        return
      case 'password':
        return
    }
  }

  /** After the setup ended in the main process: from the top, with the same type. */
  async function restart(): Promise<void> {
    await discard()
    ended.value = null
    step.value = 'password'
  }

  async function cancel(): Promise<void> {
    await discard()
    reset()
  }

  // A setup never outlives its session; the main process drops its enrollments on its own (S18).
  watch(
    () => session.account?.username ?? null,
    (now, before) => {
      if (now !== before) reset()
    },
  )

  return {
    type,
    draftId,
    step,
    enrollment,
    sent,
    verified,
    recoveryCodes,
    ended,
    start,
    confirmPassword,
    sendCode,
    resendCode,
    verify,
    enable,
    back,
    restart,
    cancel,
    reset,
  }
})
