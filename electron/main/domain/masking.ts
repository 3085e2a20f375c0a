/**
 * Destinations shown to someone who has only passed the password (sign-in
 * challenge, method list) are masked: enough to recognise, not to harvest.
 */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@')
  if (at <= 0) return '•••'
  const local = email.slice(0, at)
  const domain = email.slice(at + 1)
  const shown =
    local.length <= 2 ? `${local[0]}•` : `${local[0]}${'•'.repeat(Math.min(local.length - 2, 6))}${local.at(-1)}`
  return `${shown}@${domain}`
}

/** "+442079460958" → "+44 •••••••958": the country code and the last three digits. */
export function maskPhone(e164: string, countryCallingCode?: string): string {
  const digits = e164.replace(/^\+/, '')
  const cc = countryCallingCode ?? digits.slice(0, Math.min(3, Math.max(1, digits.length - 7)))
  const rest = digits.slice(cc.length)
  if (rest.length <= 3) return `+${cc} ${rest}`
  return `+${cc} ${'•'.repeat(rest.length - 3)}${rest.slice(-3)}`
}

export function maskDestination(type: 'email' | 'sms', destination: string, countryCallingCode?: string): string {
  return type === 'email' ? maskEmail(destination) : maskPhone(destination, countryCallingCode)
}
