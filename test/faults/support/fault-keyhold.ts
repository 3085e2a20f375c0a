import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { SecretStore } from '../../../electron/main/adapters/keychain/secret-store'
import type { DeliveryOptions } from '../../../electron/main/adapters/delivery/gateway-request'
import { openKeyhold, type Keyhold } from '../../../electron/main/composition/open-keyhold'
import { createHandlers } from '../../../electron/main/ipc/handlers'
import { createRouter, type CallContext, type Router } from '../../../electron/main/ipc/router'
import type { Channel } from '../../../electron/shared/channels'
import type { ErrorPayload } from '../../../electron/shared/errors'
import type { ResponseOf } from '../../../electron/shared/schemas'
import { fastHasher, manualClock, type ManualClock } from '../../crash/support/keyhold-harness'

/**
 * The real composition (openKeyhold: database, vault, configured SMTP/SMS
 * senders, services) behind the real router, as a window would reach it, for
 * fault tests. The keychain is an in-memory stand-in here (its own faults are
 * tested with a real gnome-keyring in keychain-locked.test.ts), time is a
 * manual clock (cooldowns and hourly limits pass without waiting), and
 * Argon2id runs with small parameters.
 */
export const password = 'violet-harbour-kettle-42'
export const actor = 'cli:fault-test'

export function memorySecretStore(): SecretStore {
  const entries = new Map<string, string>()
  return {
    get: async (account) => entries.get(account) ?? null,
    set: async (account, secret) => void entries.set(account, secret),
    delete: async (account) => entries.delete(account),
  }
}

export interface FaultKeyhold {
  readonly dir: string
  readonly clock: ManualClock
  readonly keyhold: Keyhold
  readonly router: Router
  /** A new window (client key) each call. */
  client(): CallContext
  /** Dispatches and returns the value, or throws with the refusal. */
  ok<C extends Channel>(channel: C, input: unknown, context: CallContext): Promise<ResponseOf<C>>
  /** Dispatches and returns the refusal, or throws if the call succeeded. */
  refused(channel: Channel, input: unknown, context: CallContext): Promise<ErrorPayload>
  close(): void
}

export async function openFaultKeyhold(options: { delivery?: DeliveryOptions } = {}): Promise<FaultKeyhold> {
  const dir = mkdtempSync(join(tmpdir(), 'keyhold-fault-'))
  const clock = manualClock(Date.UTC(2026, 10, 28, 9))
  const keyhold = await openKeyhold({
    dataDir: dir,
    secretStore: memorySecretStore(),
    clock,
    hasher: fastHasher,
    ...(options.delivery ? { delivery: options.delivery } : {}),
  })
  const router = createRouter({ handlers: createHandlers(keyhold), sessions: keyhold.auth })
  let clients = 0
  return {
    dir,
    clock,
    keyhold,
    router,
    client: () => ({ clientKey: `window:${(clients += 1)}`, transport: 'window' }),
    async ok(channel, input, context) {
      const result = await router.dispatch(channel, input, context)
      if (!result.ok) throw new Error(`${channel} was refused: ${result.error.code}: ${result.error.message}`)
      return result.value as ResponseOf<typeof channel>
    },
    async refused(channel, input, context) {
      const result = await router.dispatch(channel, input, context)
      if (result.ok) throw new Error(`${channel} succeeded, but a refusal was expected`)
      return result.error
    },
    close() {
      if (keyhold.db.open) keyhold.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
