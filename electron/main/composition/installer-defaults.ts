import { existsSync, readFileSync } from 'node:fs'
import { basename } from 'node:path'
import { isSupportedCountry } from 'libphonenumber-js'
import { z } from 'zod'
import { policyDocumentSchema } from '../../shared/policy-schemas'
import {
  emailProviderInputSchema,
  emailSmsInputSchema,
  httpSmsInputSchema,
  kannelInputSchema,
  smsTextSchema,
  twilioInputSchema,
} from '../../shared/provider-schemas'
import { smsSettingKey } from '../adapters/delivery/provider-settings'
import { createSqliteSettings } from '../adapters/sqlite/sqlite-settings'
import { smsCountriesKey } from '../adapters/sqlite/sqlite-site-settings'
import { isAppError } from '../domain/app-error'
import type { Keyhold } from './open-keyhold'

/**
 * Installer defaults: an administrator who packages Keyhold for a site puts
 * `keyhold-defaults.json` into the app's resources (electron-builder
 * `extraResources`), and the first run imports it: the site name, the MFA
 * policy, the email and SMS providers WITHOUT their secrets (those never go
 * into an installer; an operator enters them later, write-only), and the
 * countries SMS may be sent to.
 *
 * First run only: no account exists yet and no defaults were applied before
 * (`defaults.applied` in settings). Everything is applied in one transaction
 * and audited. A file that is wrong in any way stops the first run with a
 * message naming the field, so a site never starts half configured.
 */
export const installerDefaultsFileName = 'keyhold-defaults.json'
export const appliedSetting = 'defaults.applied'
export const smsCountriesSetting = smsCountriesKey
const actor = 'installer-defaults'

const noSecret = (what: string) =>
  z.never({ error: `${what} is a secret and never goes into installer defaults; enter it after installing` }).optional()

/** The providers' own input schemas, minus the secret fields, which are refused by name. */
const emailDefaultsSchema = emailProviderInputSchema.extend({ password: noSecret('password') })
const smsDefaultsSchema = z.discriminatedUnion('kind', [
  kannelInputSchema.extend({ password: noSecret('password') }),
  httpSmsInputSchema.extend({ secretHeaders: noSecret('secretHeaders') }),
  twilioInputSchema.extend({ authToken: noSecret('authToken') }),
  // Email-to-SMS has no secret of its own (it sends through the email provider): taken as it is.
  emailSmsInputSchema,
])

const countryCode = z
  .string()
  .regex(/^[A-Z]{2}$/, 'Use an ISO 3166-1 alpha-2 country code in capitals, e.g. GB')
  .refine((code) => isSupportedCountry(code), 'This is not a country code phone numbers are known for')

export const installerDefaultsSchema = z
  .object({
    siteName: z
      .string()
      .trim()
      .min(1, 'A site name has 1 to 64 characters')
      .max(64, 'A site name has 1 to 64 characters')
      .optional(),
    policy: policyDocumentSchema.optional(),
    providers: z
      .object({
        email: emailDefaultsSchema.optional(),
        sms: smsDefaultsSchema.optional(),
        smsText: smsTextSchema.optional(),
      })
      .strict()
      .optional(),
    /** Where SMS codes may go; stored as a JSON array in settings `sms.allowed-countries`. */
    smsAllowedCountries: z
      .array(countryCode)
      .refine((codes) => new Set(codes).size === codes.length, 'A country is listed twice')
      .optional(),
  })
  .strict()

export type InstallerDefaults = z.output<typeof installerDefaultsSchema>

/** The defaults file is wrong; `field` is its path inside the file (`policy.site.lockoutThreshold`). */
export class InstallerDefaultsError extends Error {
  constructor(
    readonly file: string,
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${basename(file)}: ${field}: ${reason}`)
    this.name = 'InstallerDefaultsError'
  }
}

/** What the app's "cannot start" page and the CLI show for it (the same shape as describeStartupError's). */
export function describeDefaultsError(error: InstallerDefaultsError): {
  code: 'INVALID_DEFAULTS'
  message: string
  fix: string
} {
  return {
    code: 'INVALID_DEFAULTS',
    message: `The installer defaults are not valid, so Keyhold did not start: ${error.message}`,
    fix: `Correct "${error.field}" in ${error.file} (the file the installer placed in Keyhold's resources), or remove the file, then start Keyhold again.`,
  }
}

export type DefaultsOutcome =
  | { readonly status: 'applied'; readonly file: string }
  | { readonly status: 'no-file' | 'not-first-run' | 'already-applied' }

function readDefaults(file: string): InstallerDefaults {
  let data: unknown
  try {
    data = JSON.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    throw new InstallerDefaultsError(
      file,
      '(file)',
      error instanceof SyntaxError ? `not valid JSON: ${error.message}` : `cannot be read: ${String(error)}`,
    )
  }
  const parsed = installerDefaultsSchema.safeParse(data)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]!
  // An unknown key is named itself, so a misspelt "smsAllowedCountry" points at the right line.
  const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]!] : issue.path
  const field = path.map(String).join('.') || '(file)'
  const reason = issue.code === 'unrecognized_keys' ? 'unknown key' : issue.message
  throw new InstallerDefaultsError(file, field, reason)
}

/**
 * Applies `file` to a freshly opened data folder, on the first run only.
 * Call it right after openKeyhold and before the first-run page (or `keyhold
 * init`) creates the first administrator. Throws InstallerDefaultsError when
 * the file is invalid; nothing is changed then.
 */
export function applyInstallerDefaults(keyhold: Keyhold, file: string): DefaultsOutcome {
  if (!existsSync(file)) return { status: 'no-file' }
  const settings = createSqliteSettings(keyhold.db)
  if (settings.get(appliedSetting) !== null) return { status: 'already-applied' }
  if (keyhold.deps.accounts.count() > 0) return { status: 'not-first-run' }
  const defaults = readDefaults(file)
  const { services, deps } = keyhold
  const at = (prefix: string, error: unknown): never => {
    if (isAppError(error)) {
      const first = error.extra.fields?.[0]
      throw new InstallerDefaultsError(
        file,
        first ? `${prefix}.${first.field}` : prefix,
        first?.message ?? error.message,
      )
    }
    throw error
  }
  deps.uow.tx(() => {
    // Providers first: the policy check asks whether email or SMS codes can be sent at all.
    const providers = defaults.providers
    if (providers?.email) {
      try {
        services.providers.setEmail({ ...providers.email, password: undefined }, actor)
      } catch (error) {
        at('providers.email', error)
      }
    }
    if (providers?.sms) {
      const sms = providers.sms
      if (sms.kind === 'http' || sms.kind === 'email') {
        try {
          services.providers.setSms(
            sms.kind === 'http' ? { ...sms, secretHeaders: undefined } : sms,
            providers.smsText,
            actor,
          )
        } catch (error) {
          at('providers.sms', error)
        }
      } else {
        // Kannel and Twilio cannot be saved through the provider settings without their secret. They are
        // stored the way provider-settings stores them, with the secret "not set", so `provider list` and the
        // admin screen show what is missing and `provider set sms … --password-stdin` completes it.
        const stored =
          sms.kind === 'kannel'
            ? { kind: 'kannel', url: sms.url, username: sms.username, password: null, from: sms.from }
            : {
                kind: 'twilio',
                accountSid: sms.accountSid,
                authToken: null,
                from: sms.from,
                baseUrl: sms.baseUrl.replace(/\/+$/, ''),
              }
        settings.set(smsSettingKey, JSON.stringify(stored))
        if (providers.smsText !== undefined) keyhold.providers.setSmsText(providers.smsText)
        deps.audit.append(
          { actor, event: 'provider.sms-set', accountId: null, detail: { kind: sms.kind } },
          deps.clock.now(),
        )
      }
    } else if (providers?.smsText !== undefined) {
      keyhold.providers.setSmsText(providers.smsText)
    }
    if (defaults.siteName !== undefined) {
      try {
        services.site.setSiteName(defaults.siteName, actor)
      } catch (error) {
        at('siteName', error)
      }
    }
    if (defaults.smsAllowedCountries !== undefined) {
      settings.set(smsCountriesSetting, JSON.stringify(defaults.smsAllowedCountries))
    }
    if (defaults.policy !== undefined) {
      try {
        services.policy.set(defaults.policy, actor)
      } catch (error) {
        at('policy', error)
      }
    }
    const now = deps.clock.now()
    settings.set(appliedSetting, JSON.stringify({ file: basename(file), at: new Date(now).toISOString() }))
    deps.audit.append(
      {
        actor,
        event: 'defaults.applied',
        accountId: null,
        detail: {
          file: basename(file),
          siteName: defaults.siteName ?? null,
          policy: defaults.policy !== undefined,
          providers: [providers?.email ? 'email' : null, providers?.sms ? 'sms' : null].filter(Boolean).join(','),
          smsAllowedCountries: defaults.smsAllowedCountries?.join(',') ?? null,
        },
      },
      now,
    )
  })
  return { status: 'applied', file }
}
