import { hasUnsafeSiteNameCharacters, siteNameMaxLength, siteNameUnsafeMessage } from '../../shared/site-name'
import { AppError } from '../domain/app-error'
import type { MfaDeps } from './mfa-deps'

/** Site-wide settings an administrator changes; every change is audited. */
export function createSiteService(deps: MfaDeps) {
  return {
    siteName: () => deps.site.siteName(),
    setSiteName(name: string, actor: string): string {
      const trimmed = name.trim()
      if (trimmed.length === 0 || trimmed.length > siteNameMaxLength) {
        throw new AppError('VALIDATION', 'A site name has 1 to 64 characters', {
          fields: [{ field: 'siteName', message: 'A site name has 1 to 64 characters' }],
        })
      }
      // Checked here too, not only in the contract: the CLI and installer defaults call this directly.
      if (hasUnsafeSiteNameCharacters(trimmed)) {
        throw new AppError('VALIDATION', siteNameUnsafeMessage, {
          fields: [{ field: 'siteName', message: siteNameUnsafeMessage }],
        })
      }
      deps.uow.tx(() => {
        deps.site.setSiteName(trimmed)
        deps.audit.append(
          { actor, event: 'settings.site-name-changed', accountId: null, detail: { siteName: trimmed } },
          deps.clock.now(),
        )
      })
      return trimmed
    },
  }
}
