import { describe, expect, it } from 'vitest'
import { isCommonPassword, commonPasswordCount } from '../../../electron/main/adapters/passwords/common-passwords'
import { AppError } from '../../../electron/main/domain/app-error'
import { checkNewPassword, type PasswordContext } from '../../../electron/main/domain/password-rules'

const noMfa: PasswordContext = { username: 'alice', email: 'alice.smith@example.org', hasMfa: false }
const withMfa: PasswordContext = { ...noMfa, hasMfa: true }

function refusal(password: string, context: PasswordContext = noMfa): AppError {
  try {
    checkNewPassword(password, context, isCommonPassword)
  } catch (error) {
    if (error instanceof AppError) return error
    throw error
  }
  throw new Error(`"${password}" was accepted`)
}

describe('password rules (S1, S2)', () => {
  it('S1: requires 15 characters without MFA and 8 with MFA', () => {
    expect(refusal('river-stone-42', noMfa).extra).toMatchObject({ reason: 'too-short', minLength: 15 })
    expect(checkNewPassword('river-stone-42', withMfa, isCommonPassword)).toBe('river-stone-42')
    expect(refusal('short-1', withMfa).extra).toMatchObject({ reason: 'too-short', minLength: 8 })
    expect(checkNewPassword('river-stone-421', noMfa, isCommonPassword)).toBe('river-stone-421')
  })

  it('S1: refuses more than 128 characters and never truncates', () => {
    const long = 'q'.repeat(60) + 'w'.repeat(69)
    expect(refusal(long).extra).toMatchObject({ reason: 'too-long' })
    const max = 'q'.repeat(60) + 'w'.repeat(68)
    expect(checkNewPassword(max, noMfa, isCommonPassword)).toHaveLength(128)
  })

  it('S1: counts Unicode code points after NFKC and returns the normalised form', () => {
    // 15 emoji are 30 UTF-16 units but 15 characters.
    expect(checkNewPassword('🔑'.repeat(15), noMfa, isCommonPassword)).toBe('🔑'.repeat(15))
    // The "ﬁ" ligature becomes "fi" under NFKC.
    expect(checkNewPassword('ﬁrefly-ocean-lamp', noMfa, isCommonPassword)).toBe('firefly-ocean-lamp')
  })

  it('S1: allows any composition: no digits, symbols or upper case needed', () => {
    expect(checkNewPassword('correct horse battery staple', noMfa, isCommonPassword)).toBe(
      'correct horse battery staple',
    )
  })

  it('S2: refuses common passwords, whatever their case, and says why', () => {
    expect(commonPasswordCount()).toBeGreaterThanOrEqual(10_000)
    expect(isCommonPassword('password')).toBe(true)
    const error = refusal('Password1', withMfa)
    expect(error.code).toBe('WEAK_PASSWORD')
    expect(error.extra.reason).toBe('common')
    expect(error.message).toMatch(/commonly used/)
  })

  it('S2: refuses the app name, the username and the email name inside the password', () => {
    expect(refusal('my-keyhold-password-1').extra.reason).toBe('context')
    expect(refusal('ALICE-loves-long-passwords').extra.reason).toBe('context')
    expect(refusal('alice.smith-has-a-secret').extra.reason).toBe('context')
  })
})
