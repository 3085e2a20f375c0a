import { parsePhoneNumberFromString, validatePhoneNumberLength, type CountryCode } from 'libphonenumber-js/min'

/**
 * A phone number checked as it is typed. A number that is merely not finished
 * yet is `incomplete`, not an error; `invalid` says why it cannot be right.
 * A number typed with its own "+country code" wins over the selected country.
 */
export type PhoneProblem = 'notANumber' | 'tooLong' | 'invalidLength' | 'invalidCountry' | 'invalid'

export type PhoneCheck =
  | { readonly state: 'empty' }
  | { readonly state: 'incomplete' }
  | { readonly state: 'invalid'; readonly problem: PhoneProblem }
  | {
      readonly state: 'valid'
      /** What is sent to the main process, e.g. "+442079460958". */
      readonly e164: string
      /** For people, e.g. "+44 20 7946 0958". */
      readonly international: string
      readonly country: CountryCode | undefined
    }

const allowed = /^\+?[\d\s().-]*$/

export function checkPhone(text: string, country: CountryCode): PhoneCheck {
  const input = text.trim()
  if (input === '') return { state: 'empty' }
  if (!allowed.test(input)) return { state: 'invalid', problem: 'notANumber' }
  const digits = input.replace(/\D/g, '')
  if (digits === '') return { state: 'incomplete' }
  const length = validatePhoneNumberLength(input, country)
  switch (length) {
    case 'TOO_SHORT':
      return { state: 'incomplete' }
    case 'TOO_LONG':
      return { state: 'invalid', problem: 'tooLong' }
    case 'INVALID_LENGTH':
      return { state: 'invalid', problem: 'invalidLength' }
    case 'INVALID_COUNTRY':
      // "+4" may become "+44": only a finished-looking international number has a wrong country.
      return input.startsWith('+') && digits.length < 4
        ? { state: 'incomplete' }
        : { state: 'invalid', problem: 'invalidCountry' }
    case 'NOT_A_NUMBER':
      return { state: 'invalid', problem: 'notANumber' }
    default:
      break
  }
  const parsed = parsePhoneNumberFromString(input, country)
  if (!parsed) return { state: 'incomplete' }
  if (!parsed.isValid()) return { state: 'invalid', problem: 'invalid' }
  return { state: 'valid', e164: parsed.number, international: parsed.formatInternational(), country: parsed.country }
}
