import { describe, expect, it } from 'vitest'
import { checkPhone } from '../../renderer/src/phone/check-phone'
import { countryOptions, defaultCountry, filterCountries, flagOf } from '../../renderer/src/phone/countries'

describe('checkPhone (as the number is typed)', () => {
  it('is quiet while the number is empty or not finished', () => {
    expect(checkPhone('', 'GB')).toEqual({ state: 'empty' })
    expect(checkPhone('020', 'GB')).toEqual({ state: 'incomplete' })
    expect(checkPhone('+', 'GB')).toEqual({ state: 'incomplete' })
    expect(checkPhone('+4', 'US')).toEqual({ state: 'incomplete' })
  })

  it('gives the E.164 form to send and the international form to show', () => {
    expect(checkPhone('020 7946 0958', 'GB')).toEqual({
      state: 'valid',
      e164: '+442079460958',
      international: '+44 20 7946 0958',
      country: 'GB',
    })
    expect(checkPhone('(201) 555-0123', 'US')).toMatchObject({ state: 'valid', e164: '+12015550123' })
  })

  it('lets a typed country code win over the selected country', () => {
    expect(checkPhone('+33 1 23 45 67 89', 'US')).toMatchObject({ state: 'valid', e164: '+33123456789', country: 'FR' })
  })

  it('says why a number cannot be right', () => {
    expect(checkPhone('020 7946 09581234', 'GB')).toEqual({ state: 'invalid', problem: 'tooLong' })
    expect(checkPhone('+999 123 4567', 'US')).toEqual({ state: 'invalid', problem: 'invalidCountry' })
    expect(checkPhone('call me', 'US')).toEqual({ state: 'invalid', problem: 'notANumber' })
  })
})

describe('the country list', () => {
  it('has every country with its flag and dial code, named in the reader’s language', () => {
    const english = countryOptions('en')
    expect(english.length).toBeGreaterThan(200)
    expect(english.find((c) => c.code === 'GB')).toEqual({
      code: 'GB',
      name: 'United Kingdom',
      dialCode: '44',
      flag: '🇬🇧',
    })
    expect(countryOptions('zh-CN').find((c) => c.code === 'CN')?.name).toBe('中国')
    expect(flagOf('de')).toBe('🇩🇪')
  })

  it('filters by name, by two-letter code, and by dial code', () => {
    const all = countryOptions('en')
    // Names starting with the text come first, then names containing it (Algeria, Niger, Nigeria).
    expect(filterCountries(all, 'ger').map((c) => c.code)).toEqual(['DE', 'DZ', 'NE', 'NG'])
    expect(filterCountries(all, 'DE').map((c) => c.code)).toContain('DE')
    expect(filterCountries(all, '+49').map((c) => c.code)).toEqual(['DE'])
    expect(filterCountries(all, '44').map((c) => c.code)).toEqual(expect.arrayContaining(['GB', 'GG', 'IM', 'JE']))
    // A word inside the name matches too ("kingdom").
    expect(filterCountries(all, 'kingdom').map((c) => c.code)).toContain('GB')
    expect(filterCountries(all, '')).toBe(all)
    expect(filterCountries(all, 'xyzzy')).toEqual([])
  })

  it('starts from the account’s own number, else the language’s region, else the United States', () => {
    expect(defaultCountry('+441632960961', ['en-US'])).toBe('GB')
    expect(defaultCountry('+33123456789', ['en-US'])).toBe('FR')
    expect(defaultCountry(null, ['zh-CN'])).toBe('CN')
    expect(defaultCountry(null, ['en-AU', 'en'])).toBe('AU')
    expect(defaultCountry(null, ['not a tag'])).toBe('US')
  })
})
