import { parsePhoneNumberWithError, ParseError } from 'libphonenumber-js/max'
import { AppError } from './app-error'

/**
 * Phone numbers are stored in E.164. Input must carry its country code
 * (`+44 20 7946 0958`); the message says exactly what is wrong with it.
 */
export function toE164(input: string, field = 'phone'): string {
  const reasons: Record<string, string> = {
    INVALID_COUNTRY: 'Start the number with + and the country code, e.g. +44 20 7946 0958',
    NOT_A_NUMBER: 'This is not a phone number',
    TOO_SHORT: 'This phone number is too short',
    TOO_LONG: 'This phone number is too long',
    INVALID_LENGTH: 'This phone number has the wrong number of digits',
  }
  try {
    const parsed = parsePhoneNumberWithError(input)
    if (!parsed.isValid()) {
      throw new AppError('VALIDATION', 'This phone number is not valid for its country', {
        fields: [{ field, message: 'This phone number is not valid for its country' }],
      })
    }
    return parsed.number
  } catch (error) {
    if (error instanceof AppError) throw error
    const code = error instanceof ParseError ? error.message : 'NOT_A_NUMBER'
    const message = reasons[code] ?? reasons.NOT_A_NUMBER!
    throw new AppError('VALIDATION', message, { fields: [{ field, message }] })
  }
}

/** The country calling code of a stored E.164 number ("44" for +442079460958), for masking. */
export function callingCodeOf(e164: string): string | undefined {
  try {
    return parsePhoneNumberWithError(e164).countryCallingCode
  } catch {
    return undefined
  }
}
