import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createKeytarSecretStore } from '../../../electron/main/adapters/keychain/keytar-secret-store'
import { createSqliteSettings } from '../../../electron/main/adapters/sqlite/sqlite-settings'
import { keychainAccountFor } from '../../../electron/main/adapters/vault/open-vault'
import {
  applyInstallerDefaults,
  describeDefaultsError,
  InstallerDefaultsError,
} from '../../../electron/main/composition/installer-defaults'
import { openKeyhold, type Keyhold } from '../../../electron/main/composition/open-keyhold'

/**
 * keyhold-defaults.json: applied on the first run only, all at once and
 * audited; never with a secret; a wrong field stops the first run and names it.
 */
const store = createKeytarSecretStore()
const dirs: string[] = []
afterAll(async () => {
  for (const dir of dirs) {
    await store.delete(keychainAccountFor(dir)).catch(() => false)
    rmSync(dir, { recursive: true, force: true })
  }
})

async function fresh(): Promise<{ keyhold: Keyhold; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'keyhold-defaults-'))
  dirs.push(dir)
  return { keyhold: await openKeyhold({ dataDir: dir, secretStore: store }), dir }
}

function defaultsFile(dir: string, content: unknown): string {
  const file = join(dir, 'keyhold-defaults.json')
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2))
  return file
}

async function policySite(): Promise<Record<string, unknown>> {
  const { keyhold } = await fresh()
  try {
    return { ...keyhold.services.policy.view().site }
  } finally {
    keyhold.close()
  }
}

const good = (site: Record<string, unknown>) => ({
  siteName: 'Acme Lab',
  policy: {
    site: { ...site, enforcement: 'required', gracePeriodDays: 14, allowedMethods: ['totp', 'sms'] },
    roles: {},
  },
  providers: {
    email: { host: 'mail.acme.test', port: 587, security: 'starttls', username: 'keyhold', from: 'keyhold@acme.test' },
    sms: { kind: 'kannel', url: 'http://10.0.0.5:13013/cgi-bin/sendsms', username: 'keyhold' },
    smsText: '{code} is your {site} code',
  },
  smsAllowedCountries: ['GB', 'DE', 'FR'],
})

function expectUntouched(keyhold: Keyhold): void {
  const settings = createSqliteSettings(keyhold.db)
  expect(settings.get('defaults.applied')).toBeNull()
  expect(settings.get('sms.allowed-countries')).toBeNull()
  expect(keyhold.services.site.siteName()).toBe('Keyhold')
  expect(keyhold.services.policy.view().version).toBe(0)
  expect(keyhold.providers.getEmail()).toBeNull()
  expect(keyhold.providers.getSms()).toBeNull()
}

describe('installer defaults', () => {
  it('are applied on the first run: site name, policy, providers without secrets, SMS countries; audited', async () => {
    const site = await policySite()
    const { keyhold, dir } = await fresh()
    try {
      const file = defaultsFile(dir, good(site))
      expect(applyInstallerDefaults(keyhold, file)).toEqual({ status: 'applied', file })
      expect(keyhold.services.site.siteName()).toBe('Acme Lab')
      expect(keyhold.services.policy.view()).toMatchObject({
        version: 1,
        updatedBy: 'installer-defaults',
        site: { enforcement: 'required', allowedMethods: ['totp', 'sms'] },
      })
      expect(keyhold.providers.getEmail()).toMatchObject({
        host: 'mail.acme.test',
        username: 'keyhold',
        passwordSet: false,
      })
      // Kannel's password is entered after installing: shown as not set until then.
      expect(keyhold.providers.getSms()).toEqual({
        kind: 'kannel',
        url: 'http://10.0.0.5:13013/cgi-bin/sendsms',
        username: 'keyhold',
        passwordSet: false,
        from: null,
      })
      expect(keyhold.providers.getSmsText()).toBe('{code} is your {site} code')
      const settings = createSqliteSettings(keyhold.db)
      expect(JSON.parse(settings.get('sms.allowed-countries')!)).toEqual(['GB', 'DE', 'FR'])
      expect(JSON.parse(settings.get('defaults.applied')!)).toMatchObject({ file: 'keyhold-defaults.json' })
      const events = keyhold.auditLog.list({ limit: 10 }).map((e) => `${e.actor} ${e.event}`)
      expect(events[0]).toBe('installer-defaults defaults.applied')
      expect(events).toContain('installer-defaults policy.changed')
      expect(keyhold.auditLog.verify().ok).toBe(true)

      // The operator completes the SMS gateway with its password, the same server: it is kept.
      keyhold.services.providers.setSms(
        { kind: 'kannel', url: 'http://10.0.0.5:13013/cgi-bin/sendsms', username: 'keyhold', password: 'kannel-pass' },
        undefined,
        'cli:test',
      )
      expect(keyhold.providers.getSms()).toMatchObject({ passwordSet: true })

      // Once only.
      expect(applyInstallerDefaults(keyhold, file)).toEqual({ status: 'already-applied' })
    } finally {
      keyhold.close()
    }
  })

  it('are not applied to a folder that already has accounts, nor when there is no file', async () => {
    const site = await policySite()
    const { keyhold, dir } = await fresh()
    try {
      expect(applyInstallerDefaults(keyhold, join(dir, 'missing.json'))).toEqual({ status: 'no-file' })
      await keyhold.accounts.createFirstAdmin({ username: 'alice', password: 'violet-harbour-kettle-42' }, 'test')
      expect(applyInstallerDefaults(keyhold, defaultsFile(dir, good(site)))).toEqual({ status: 'not-first-run' })
      expectUntouched(keyhold)
    } finally {
      keyhold.close()
    }
  })

  it('stop the first run with a message naming the field, and change nothing', async () => {
    const site = await policySite()
    const valid = good(site)
    const cases: [unknown, string, RegExp][] = [
      ['{ "siteName": ', '(file)', /^not valid JSON/],
      [
        { ...valid, policy: { ...valid.policy, site: { ...valid.policy.site, lockoutThreshold: 50 } } },
        'policy.site.lockoutThreshold',
        /^At most 20 failures$/,
      ],
      [
        { ...valid, providers: { ...valid.providers, email: { ...valid.providers.email, password: 'secret' } } },
        'providers.email.password',
        /is a secret and never goes into installer defaults/,
      ],
      [{ ...valid, smsAllowedCountries: ['GB', 'XX'] }, 'smsAllowedCountries.1', /not a country code/],
      [{ ...valid, smsAllowedCountries: ['gb'] }, 'smsAllowedCountries.0', /ISO 3166-1 alpha-2/],
      [{ ...valid, smsAllowedCountry: ['GB'] }, 'smsAllowedCountry', /^unknown key$/],
      [{ ...valid, siteName: '' }, 'siteName', /1 to 64 characters/],
      [
        // Valid on its own, but nobody could comply: SMS only, Required, and no SMS gateway (the policy service's check).
        {
          siteName: 'Acme',
          policy: { site: { ...site, enforcement: 'required', allowedMethods: ['sms'] }, roles: {} },
        },
        'policy.site.enforcement',
        /could set up a method/,
      ],
    ]
    for (const [content, field, reason] of cases) {
      const { keyhold, dir } = await fresh()
      try {
        const file = defaultsFile(dir, content)
        let error: unknown
        try {
          applyInstallerDefaults(keyhold, file)
        } catch (e) {
          error = e
        }
        expect(error, field).toBeInstanceOf(InstallerDefaultsError)
        const wrong = error as InstallerDefaultsError
        expect(wrong.field).toBe(field)
        expect(wrong.reason).toMatch(reason)
        expect(describeDefaultsError(wrong)).toMatchObject({
          code: 'INVALID_DEFAULTS',
          message: expect.stringContaining(`keyhold-defaults.json: ${field}: `),
          fix: expect.stringContaining(`Correct "${field}"`),
        })
        expectUntouched(keyhold)
      } finally {
        keyhold.close()
      }
    }
  })
})
