import type { SecretStore } from '../electron/main/adapters/keychain/secret-store'
import { createSqlitePolicyStore } from '../electron/main/adapters/sqlite/sqlite-policy-store'
import { openKeyhold, type Keyhold } from '../electron/main/composition/open-keyhold'
import { createServices, type Services } from '../electron/main/services/create-services'
import type { EmailSender, OutgoingEmail, OutgoingSms, SmsSender } from '../electron/main/services/delivery-ports'
import type { MfaDeps } from '../electron/main/services/mfa-deps'
import type { Clock } from '../electron/main/services/ports'

/**
 * Keyhold as the app opens it (openKeyhold: database, migrations, vault,
 * repositories, services), with two stand-ins that are not what the bench
 * measures: the OS keychain is an in-memory map (so no D-Bus is needed and
 * no keychain call is timed), and email/SMS go to in-memory senders instead
 * of SMTP and Kannel (the bench times checking a code, not delivering it).
 */
export interface MemorySecretStore extends SecretStore {
  /** The entries, to hand to a child process that opens the same data folder. */
  entries(): Record<string, string>
}

export function memorySecretStore(initial: Record<string, string> = {}): MemorySecretStore {
  const map = new Map(Object.entries(initial))
  return {
    get: async (account) => map.get(account) ?? null,
    set: async (account, secret) => void map.set(account, secret),
    delete: async (account) => map.delete(account),
    entries: () => Object.fromEntries(map),
  }
}

/** A clock the bench moves by hand: each TOTP check needs a new time step (S7 refuses a replay). */
export interface ManualClock extends Clock {
  advance(ms: number): void
}

export function manualClock(start: number): ManualClock {
  let now = start
  return { now: () => now, advance: (ms) => void (now += ms) }
}

/** Keeps the newest message per destination (never logged: it holds a code). */
export interface MemorySenders {
  readonly email: EmailSender
  readonly sms: SmsSender
  /** The six-digit code in the newest message to `to`. */
  lastCode(to: string): string
}

export function memorySenders(): MemorySenders {
  const newest = new Map<string, string>()
  const keep = async (message: OutgoingEmail | OutgoingSms) => void newest.set(message.to, message.text)
  return {
    email: { isConfigured: () => true, send: keep },
    sms: { isConfigured: () => true, send: keep },
    lastCode(to) {
      const code = /\b\d{6}\b/.exec(newest.get(to) ?? '')?.[0]
      if (code === undefined) throw new Error(`no code was sent to ${to}`)
      return code
    },
  }
}

export interface BenchKeyhold {
  readonly keyhold: Keyhold
  /** openKeyhold's deps with the in-memory senders. */
  readonly deps: MfaDeps
  readonly services: Services
  readonly senders: MemorySenders
  close(): void
}

export async function openBenchKeyhold(options: {
  readonly dataDir: string
  readonly secrets: SecretStore
  readonly clock?: Clock
}): Promise<BenchKeyhold> {
  const keyhold = await openKeyhold({
    dataDir: options.dataDir,
    secretStore: options.secrets,
    ...(options.clock ? { clock: options.clock } : {}),
  })
  const senders = memorySenders()
  // Everything else is openKeyhold's own wiring: same repositories, vault, hasher and policy.
  const deps: MfaDeps = { ...keyhold.deps, email: senders.email, sms: senders.sms }
  const services = createServices(deps, {
    providers: keyhold.providers,
    tester: keyhold.senders,
    audit: keyhold.auditLog,
    policy: createSqlitePolicyStore(keyhold.db),
  })
  return { keyhold, deps, services, senders, close: () => keyhold.close() }
}
