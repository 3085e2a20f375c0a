import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { createKeytarSecretStore } from '../../electron/main/adapters/keychain/keytar-secret-store'
import { openKeyhold } from '../../electron/main/composition/open-keyhold'
import { createHandlers } from '../../electron/main/ipc/handlers'
import { createRouter } from '../../electron/main/ipc/router'

const dir = mkdtempSync(join(tmpdir(), 'keyhold-smoke-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

it('creates the first admin and signs in through the router', async () => {
  const keyhold = await openKeyhold({ dataDir: dir, secretStore: createKeytarSecretStore() })
  const router = createRouter({ handlers: createHandlers(keyhold), sessions: keyhold.auth })
  const ctx = { clientKey: 'w1', transport: 'window' as const }
  expect(await router.dispatch('app:get-state', {}, ctx)).toMatchObject({ ok: true, value: { setupRequired: true } })
  const created = await router.dispatch(
    'setup:create-admin',
    { username: 'alice', displayName: 'Alice', email: 'alice@example.org', password: 'correct horse battery staple' },
    ctx,
  )
  expect(created).toEqual({ ok: true, value: { username: 'alice' } })
  const signIn = await router.dispatch(
    'auth:sign-in',
    { username: 'ALICE', password: 'correct horse battery staple' },
    ctx,
  )
  expect(signIn).toMatchObject({ ok: true, value: { status: 'signed-in' } })
  expect(await router.dispatch('account:get-me', {}, ctx)).toMatchObject({
    ok: true,
    value: { username: 'alice', role: 'admin' },
  })
  expect(keyhold.auditLog.verify()).toMatchObject({ ok: true })
  keyhold.close()
})
