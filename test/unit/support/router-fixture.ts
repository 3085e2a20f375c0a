import { defaultRules } from '../../../electron/main/domain/mfa-policy'
import { createHandlers } from '../../../electron/main/ipc/handlers'
import { createRouter, type Router } from '../../../electron/main/ipc/router'
import type { PolicyDocument, PolicyRules } from '../../../electron/shared/policy-schemas'
import { actor, createCoreFixture, goodPassword, type CoreFixture } from './core-fixture'

/**
 * A core fixture with the IPC router over it and the two accounts most
 * channel tests need: alice (the first administrator) and bob (a user), both
 * with `goodPassword`. Callers sign in through the router themselves.
 */
export interface RouterFixture {
  readonly f: CoreFixture
  readonly router: Router
}

export async function createRouterFixture(): Promise<RouterFixture> {
  const f = createCoreFixture()
  const router = createRouter({ handlers: createHandlers({ services: f.services }), sessions: f.auth })
  await f.accounts.createFirstAdmin({ username: 'alice', email: 'alice@example.org', password: goodPassword }, actor)
  await f.accounts.createAccount({ username: 'bob', role: 'user', password: goodPassword }, actor)
  return { f, router }
}

/** The router's caller context for window number `n`. */
export const win = (n: number) => ({ clientKey: `window:${n}`, transport: 'window' as const })

/** A policy document: the SECURITY.md defaults with `site` changed, and per-role overrides. */
export const policyDoc = (site: Partial<PolicyRules>, roles: PolicyDocument['roles'] = {}): PolicyDocument => ({
  site: { ...defaultRules, ...site },
  roles,
})
