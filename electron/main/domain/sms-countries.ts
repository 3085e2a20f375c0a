import { isSupportedCountry, parsePhoneNumberWithError, type CountryCode } from 'libphonenumber-js/max'
import { AppError } from './app-error'

/**
 * The site's SMS country allow-list. Null means text messages may go to any
 * country; a list limits them to those ISO 3166-1 alpha-2 countries (toll
 * fraud and regulation are per country, so operators pin where codes go).
 */
export type SmsCountries = readonly CountryCode[] | null

/** The country a stored E.164 number belongs to (GB for +442079460958), or undefined when unknown. */
export function countryOfPhone(e164: string): CountryCode | undefined {
  try {
    return parsePhoneNumberWithError(e164).country
  } catch {
    return undefined
  }
}

export function isSmsCountryAllowed(e164: string, allowed: SmsCountries): boolean {
  if (allowed === null) return true
  const country = countryOfPhone(e164)
  return country !== undefined && allowed.includes(country)
}

/** Refuses a number the site may not text, with a message naming its country and the field. */
export function requireSmsCountryAllowed(e164: string, allowed: SmsCountries, field = 'phone'): void {
  if (isSmsCountryAllowed(e164, allowed)) return
  const country = countryOfPhone(e164)
  const message =
    country === undefined
      ? 'This site cannot send text messages to this number'
      : `This site does not send text messages to ${country} numbers`
  throw new AppError('VALIDATION', message, { fields: [{ field, message }] })
}

/** Reads the stored JSON list; anything that is not a list of known country codes counts as "no limit set". */
export function parseSmsCountries(stored: string | null): SmsCountries {
  if (stored === null) return null
  try {
    const value: unknown = JSON.parse(stored)
    if (!Array.isArray(value)) return null
    const codes = value.filter((code): code is CountryCode => typeof code === 'string' && isSupportedCountry(code))
    return codes.length === value.length ? codes : null
  } catch {
    return null
  }
}
