import { z } from 'zod'

/**
 * The site name goes into email bodies and subjects, SMS texts and the
 * authenticator app's issuer. A line break there could add lines of the
 * attacker's choosing to a message, a control character or a bidirectional
 * override could garble or disguise it: so none is accepted (C0/C1 controls,
 * line and paragraph separators, bidi embedding/override/isolate marks).
 */
const unsafe = /[\p{Cc}\p{Zl}\p{Zp}\u202A-\u202E\u2066-\u2069]/u
const unsafeEverywhere = /[\p{Cc}\p{Zl}\p{Zp}\u202A-\u202E\u2066-\u2069]+/gu

export const siteNameMaxLength = 64
export const siteNameUnsafeMessage = 'A site name cannot contain line breaks or control characters'

export function hasUnsafeSiteNameCharacters(name: string): boolean {
  return unsafe.test(name)
}

/** For a name stored before the rule: each run of such characters becomes one space. */
export function withoutUnsafeSiteNameCharacters(name: string): string {
  return name.replace(unsafeEverywhere, ' ').replace(/ {2,}/g, ' ').trim()
}

export const siteNameSchema = z
  .string()
  .trim()
  .min(1, 'Enter a site name')
  .max(siteNameMaxLength)
  .refine((name) => !hasUnsafeSiteNameCharacters(name), siteNameUnsafeMessage)
