import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createHandlers } from '../../../electron/main/ipc/handlers'
import { createRouter } from '../../../electron/main/ipc/router'
import { schemas } from '../../../electron/shared/schemas'
import { actor, createCoreFixture, goodPassword, type CoreFixture } from '../support/core-fixture'
import { refusal } from '../support/mfa-helpers'

/**
 * Found in review: the site name reaches mail bodies, SMS texts and the
 * authenticator's issuer name, so a line break or a control character in it
 * could add lines to a message or break the otpauth URI. Refused everywhere.
 */
const bad = [
  'Acme\nDear user, call +1 555 0100',
  'Acme\r\nBcc: x@example.org',
  'Acme\tLab',
  'Acme\u0000',
  'Acme\u2028Lab',
  'Acme\u202ELab',
  'Acme\u0085Lab',
]

describe('the site name', () => {
  let f: CoreFixture
  beforeEach(async () => {
    f = createCoreFixture()
    await f.accounts.createFirstAdmin({ username: 'alice', email: 'alice@example.org', password: goodPassword }, actor)
  })
  afterEach(() => f.close())

  it('refuses line breaks and control characters in the service, naming the field, and keeps the old name', async () => {
    f.services.site.setSiteName('Acme Lab', actor)
    for (const name of bad) {
      const error = await refusal(() => f.services.site.setSiteName(name, actor))
      expect(error).toMatchObject({ code: 'VALIDATION', extra: { fields: [{ field: 'siteName' }] } })
      expect(error.message).toMatch(/line breaks or control characters/)
    }
    expect(f.services.site.siteName()).toBe('Acme Lab')
    // Ordinary names in any script still work, spaces around are trimmed.
    expect(f.services.site.setSiteName('  王 Plant – Nord ', actor)).toBe('王 Plant – Nord')
  })

  it('refuses them in the contract, so the window never gets as far as the service', async () => {
    const schema = schemas['settings:set-site-name'].request
    for (const name of bad) {
      const parsed = schema.safeParse({ siteName: name })
      expect(parsed.success).toBe(false)
      expect(parsed.error!.issues[0]!.message).toMatch(/line breaks or control characters/)
    }
    expect(schema.safeParse({ siteName: 'Acme Lab' }).success).toBe(true)
    const router = createRouter({ handlers: createHandlers({ services: f.services }), sessions: f.auth })
    const window = { clientKey: 'window:1', transport: 'window' as const }
    await router.dispatch('auth:sign-in', { username: 'alice', password: goodPassword }, window)
    expect(await router.dispatch('settings:set-site-name', { siteName: 'Acme\nLab' }, window)).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION' },
    })
    expect(f.services.site.siteName()).toBe('Keyhold')
  })

  it('a name stored before the rule reaches messages without its line breaks', async () => {
    f.db.prepare("INSERT OR REPLACE INTO settings (key, value) VALUES ('site.name', ?)").run('Acme\nCall 555')
    expect(f.services.site.siteName()).toBe('Acme Call 555')
  })
})
