import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createKeytarSecretStore } from '../../../electron/main/adapters/keychain/keytar-secret-store'
import { keychainAccountFor } from '../../../electron/main/adapters/vault/open-vault'
import { applyInstallerDefaults, InstallerDefaultsError } from '../../../electron/main/composition/installer-defaults'
import { openKeyhold, type Keyhold } from '../../../electron/main/composition/open-keyhold'

/**
 * Installer defaults take the providers' own input schemas; the email-to-SMS
 * kind has no secret, so it is stored as given and works from the first run.
 */
const store = createKeytarSecretStore()

/** A first run on a fresh data dir with `defaults` as the installer's file; everything is removed afterwards. */
async function withFresh(defaults: unknown, check: (keyhold: Keyhold, file: string) => void): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'keyhold-email-sms-defaults-'))
  const file = join(dir, 'keyhold-defaults.json')
  writeFileSync(file, JSON.stringify(defaults))
  const keyhold = await openKeyhold({ dataDir: dir, secretStore: store })
  try {
    check(keyhold, file)
  } finally {
    keyhold.close()
    await store.delete(keychainAccountFor(dir)).catch(() => false)
    rmSync(dir, { recursive: true, force: true })
  }
}

const email = { host: 'mail.acme.test', port: 587, security: 'starttls', username: null, from: 'keyhold@acme.test' }

describe('installer defaults with an email-to-SMS gateway', () => {
  it('is applied as given, with the country list, and audited like the other kinds', async () => {
    await withFresh(
      {
        providers: { email, sms: { kind: 'email', addressTemplate: '{number}@sms.acme.test' } },
        smsAllowedCountries: ['GB'],
      },
      (keyhold, file) => {
        expect(applyInstallerDefaults(keyhold, file)).toEqual({ status: 'applied', file })
        const view = keyhold.services.providers.get()
        expect(view.sms).toEqual({ kind: 'email', addressTemplate: '{number}@sms.acme.test' })
        expect(view.smsCountries).toEqual(['GB'])
        expect(keyhold.deps.sms.isConfigured()).toBe(true)
        const events = keyhold.db.prepare("SELECT detail FROM audit_log WHERE event = 'provider.sms-set'").all()
        expect(events).toEqual([{ detail: JSON.stringify({ kind: 'email' }) }])
      },
    )
  })

  it('a template without {number} stops the first run, naming the field', async () => {
    await withFresh({ providers: { sms: { kind: 'email', addressTemplate: 'sms@acme.test' } } }, (keyhold, file) => {
      let error: unknown
      try {
        applyInstallerDefaults(keyhold, file)
      } catch (caught) {
        error = caught
      }
      expect(error).toBeInstanceOf(InstallerDefaultsError)
      expect(error).toMatchObject({
        field: 'providers.sms.addressTemplate',
        reason: 'Put {number} where the phone number goes, e.g. {number}@sms.example.net',
      })
      expect(keyhold.services.providers.get().sms).toBeNull()
    })
  })
})
