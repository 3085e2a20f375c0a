import type { SiteSettings } from '../../services/mfa-deps'
import type { SettingsStore } from './sqlite-settings'

const siteNameKey = 'site.name'
export const defaultSiteName = 'Keyhold'

/** The site's name: used in messages and as the TOTP issuer. */
export function createSiteSettings(settings: SettingsStore): SiteSettings {
  return {
    siteName: () => settings.get(siteNameKey) ?? defaultSiteName,
    setSiteName: (name) => settings.set(siteNameKey, name),
  }
}
