import { defineStore } from 'pinia'
import { ref, watch } from 'vue'
import * as client from '../api/keyhold-client'
import type {
  EmailProviderInput,
  EmailProviderView,
  ProviderKind,
  ProvidersView,
  SmsProviderInput,
  SmsProviderView,
} from '../api/keyhold-client'
import { useStepUp } from '../composables/use-step-up'
import { useSessionStore } from './session-store'

/**
 * How Keyhold sends codes: the SMTP server and the SMS gateway. Secrets are
 * write-only (S20): the main process only says whether one is set, and a save
 * without one keeps the stored secret. Changes need a fresh password check (S15).
 */
export const useProvidersStore = defineStore('providers', () => {
  const session = useSessionStore()
  const { withStepUp } = useStepUp()
  const providers = ref<ProvidersView | null>(null)

  async function load(): Promise<ProvidersView> {
    const view = await client.getProviders()
    providers.value = view
    return view
  }

  async function saveEmail(input: EmailProviderInput): Promise<EmailProviderView> {
    const view = await withStepUp(() => client.setEmailProvider(input))
    if (providers.value) providers.value = { ...providers.value, email: view }
    return view
  }

  async function saveSms(input: SmsProviderInput, text: string): Promise<SmsProviderView> {
    const view = await withStepUp(() => client.setSmsProvider(input, text))
    if (providers.value) providers.value = { ...providers.value, sms: view, smsText: text }
    return view
  }

  async function clear(kind: ProviderKind): Promise<void> {
    await withStepUp(() => client.clearProvider(kind))
    // Clearing a provider also forgets its last send (main does the same).
    if (providers.value) {
      providers.value = {
        ...providers.value,
        [kind]: null,
        lastSend: { ...providers.value.lastSend, [kind]: null },
      }
    }
  }

  async function saveSmsCountries(countries: readonly string[] | null): Promise<string[] | null> {
    const saved = await withStepUp(() => client.setSmsCountries(countries))
    if (providers.value) providers.value = { ...providers.value, smsCountries: saved }
    return saved
  }

  /**
   * Sends the fixed test message; a refusal carries the provider's own words (DELIVERY_FAILED).
   * Either way the provider's "last send" changed, so it is read again.
   */
  async function test(kind: ProviderKind, to: string): Promise<void> {
    try {
      await withStepUp(() => client.testProvider(kind, to))
    } finally {
      await refreshLastSend()
    }
  }

  /** Only `lastSend` is replaced: the forms keep what is being typed into them. */
  async function refreshLastSend(): Promise<void> {
    if (!providers.value) return
    try {
      const fresh = await client.getProviders()
      if (providers.value) providers.value = { ...providers.value, lastSend: fresh.lastSend }
    } catch {
      // Informational only; the test's own outcome is what the page reports.
    }
  }

  watch(
    () => session.account?.username ?? null,
    (now, before) => {
      if (now !== before) providers.value = null
    },
  )

  return { providers, load, saveEmail, saveSms, saveSmsCountries, clear, test, refreshLastSend }
})
