import { withoutUnsafeSiteNameCharacters } from '../../../shared/site-name'
import { parseSmsCountries } from '../../domain/sms-countries'
import type { SiteSettings } from '../../services/mfa-deps'
import type { SettingsStore } from './sqlite-settings'

const siteNameKey = 'site.name'
/** JSON array of ISO country codes; absent means any country (installer defaults may write it). */
export const smsCountriesKey = 'sms.allowed-countries'
export const defaultSiteName = 'Keyhold'

/** The site's name: used in messages and as the TOTP issuer. */
export function createSiteSettings(settings: SettingsStore): SiteSettings {
  return {
    // A name stored before line breaks and control characters were refused must not carry them into messages.
    siteName: () => withoutUnsafeSiteNameCharacters(settings.get(siteNameKey) ?? '') || defaultSiteName,
    setSiteName: (name) => settings.set(siteNameKey, name),
    smsCountries: () => parseSmsCountries(settings.get(smsCountriesKey)),
    setSmsCountries: (countries) =>
      countries === null ? settings.delete(smsCountriesKey) : settings.set(smsCountriesKey, JSON.stringify(countries)),
  }
}
