import { getCountries, getCountryCallingCode, isSupportedCountry, type CountryCode } from 'libphonenumber-js/min'
import { parsePhoneNumberFromString } from 'libphonenumber-js/min'

/**
 * The countries of libphonenumber-js's metadata (the `min` set keeps the
 * renderer small; the main process checks numbers again with the full set),
 * named in the reader's language by the browser's own Intl data, with their
 * flags (regional-indicator emoji) and dial codes.
 */
export type { CountryCode }

export interface CountryOption {
  readonly code: CountryCode
  readonly name: string
  /** Digits only, e.g. "44". */
  readonly dialCode: string
  readonly flag: string
}

/** "GB" → 🇬🇧: each letter shifted to its regional indicator symbol. */
export function flagOf(code: string): string {
  return String.fromCodePoint(...[...code.toUpperCase()].map((c) => 0x1f1e6 + c.charCodeAt(0) - 65))
}

function namer(locale: string): (code: string) => string {
  try {
    const names = new Intl.DisplayNames([locale], { type: 'region', fallback: 'code' })
    return (code) => names.of(code) ?? code
  } catch {
    return (code) => code
  }
}

const cache = new Map<string, readonly CountryOption[]>()

/** Every country, sorted by its name in `locale`. */
export function countryOptions(locale: string): readonly CountryOption[] {
  const cached = cache.get(locale)
  if (cached) return cached
  const name = namer(locale)
  const collator = new Intl.Collator(locale)
  const list = getCountries()
    .map((code) => ({ code, name: name(code), dialCode: getCountryCallingCode(code), flag: flagOf(code) }))
    .sort((a, b) => collator.compare(a.name, b.name))
  cache.set(locale, list)
  return list
}

/**
 * The options matching what the person typed: a part of the name, the ISO
 * code ("gb"), or the dial code ("+44", "44"). Names match from the start of
 * any word first, then anywhere.
 */
export function filterCountries(options: readonly CountryOption[], query: string): readonly CountryOption[] {
  const q = query.trim().toLocaleLowerCase()
  if (q === '') return options
  const digits = q.replace(/^\+/, '')
  if (/^\d+$/.test(digits)) return options.filter((o) => o.dialCode.startsWith(digits))
  const starts: CountryOption[] = []
  const contains: CountryOption[] = []
  for (const option of options) {
    const name = option.name.toLocaleLowerCase()
    if (option.code.toLowerCase() === q || name.startsWith(q) || name.split(/[\s(-]+/).some((w) => w.startsWith(q))) {
      starts.push(option)
    } else if (name.includes(q)) {
      contains.push(option)
    }
  }
  return [...starts, ...contains]
}

/**
 * The country to start with: the one of the number the account already has,
 * else the region of the window's language (en-GB → GB, zh-CN → CN), else US.
 */
export function defaultCountry(existingPhone: string | null | undefined, languages: readonly string[]): CountryCode {
  if (existingPhone) {
    const parsed = parsePhoneNumberFromString(existingPhone)
    // The `min` metadata cannot always tell countries that share a code apart (+44: GB, GG, IM, JE);
    // the first possible one is the code's main country.
    const country = parsed?.country ?? parsed?.getPossibleCountries()[0]
    if (country) return country
  }
  for (const tag of languages) {
    try {
      const region = new Intl.Locale(tag).maximize().region
      if (region && isSupportedCountry(region)) return region
    } catch {
      // Not a valid language tag: try the next one.
    }
  }
  return 'US'
}
