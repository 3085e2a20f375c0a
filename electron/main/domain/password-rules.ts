import { AppError } from './app-error'

/**
 * S1 and S2: what a new password must be. Lengths count Unicode code points
 * after NFKC normalisation, so "ﬁ" and "fi" are the same password and an emoji
 * counts as one character. Nothing is ever truncated.
 */
export const minLengthWithMfa = 8
export const minLengthWithoutMfa = 15
export const maxLength = 128

/** Words that say nothing about the user: the app's own name among them (S2). */
const appWords = ['keyhold']

export interface PasswordContext {
  readonly username: string
  readonly email: string | null
  readonly hasMfa: boolean
}

export type CommonPasswordCheck = (lowercasePassword: string) => boolean

export function normalizePassword(password: string): string {
  return password.normalize('NFKC')
}

function codePoints(text: string): number {
  return [...text].length
}

/** Context words at least this long are refused anywhere inside a password. */
const shortestContextWord = 4

function contextWords(context: PasswordContext): string[] {
  const words = [...appWords, context.username.normalize('NFKC').toLowerCase()]
  if (context.email) words.push(context.email.split('@')[0]!.normalize('NFKC').toLowerCase())
  return words.filter((w) => codePoints(w) >= shortestContextWord)
}

/** Returns the normalised password, or throws WEAK_PASSWORD saying which rule refused it. */
export function checkNewPassword(password: string, context: PasswordContext, isCommon: CommonPasswordCheck): string {
  const normalized = normalizePassword(password)
  const length = codePoints(normalized)
  const minLength = context.hasMfa ? minLengthWithMfa : minLengthWithoutMfa
  if (length < minLength) {
    const why = context.hasMfa ? '' : ' for an account without multi-factor authentication'
    throw new AppError('WEAK_PASSWORD', `Password must be at least ${minLength} characters${why}`, {
      reason: 'too-short',
      minLength,
    })
  }
  if (length > maxLength) {
    throw new AppError('WEAK_PASSWORD', `Password must be at most ${maxLength} characters`, {
      reason: 'too-long',
      minLength,
    })
  }
  const lower = normalized.toLowerCase()
  if (isCommon(lower)) {
    throw new AppError('WEAK_PASSWORD', 'This password is one of the most commonly used passwords', {
      reason: 'common',
      minLength,
    })
  }
  const word = contextWords(context).find((w) => lower.includes(w))
  if (word !== undefined) {
    throw new AppError('WEAK_PASSWORD', 'Password must not contain the app name, your username or your email name', {
      reason: 'context',
      minLength,
    })
  }
  return normalized
}

/** S1: true when an account with this (normalised) password could not drop its last MFA method. */
export function isShortWithoutMfa(normalizedPassword: string): boolean {
  return codePoints(normalizedPassword) < minLengthWithoutMfa
}
