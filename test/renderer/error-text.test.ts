import { beforeAll, describe, expect, it, vi } from 'vitest'
import { errorCodes } from '../../electron/shared/errors'
import { appProblemSchema } from '../../electron/shared/schemas'
import { KeyholdError } from '../../renderer/src/api/keyhold-error'
import { createKeyholdI18n } from '../../renderer/src/i18n'
import { describeError, type Translator } from '../../renderer/src/i18n/error-text'
import en from '../../renderer/src/i18n/locales/en.json'

// Lock times are shown in local time; pin "local" so the expected text is exact on any machine.
beforeAll(() => {
  vi.stubEnv('TZ', 'UTC')
})

const missing: string[] = []
const i18n = createKeyholdI18n({ missing: (_locale, key) => void missing.push(key) })
const tr: Translator = { t: i18n.global.t, te: (key: string) => i18n.global.te(key) }

function describeText(payload: ConstructorParameters<typeof KeyholdError>[0], options = {}) {
  return describeError(new KeyholdError(payload), tr, 'en', options)
}

/** ICU puts narrow no-break spaces in times; compare text as a person reads it. */
function plain(text: string): string {
  return text.replace(/\s+/g, ' ')
}

describe('the English catalogue', () => {
  it('has a message for every error code of the contract', () => {
    const errors: Record<string, string> = en.errors
    for (const code of errorCodes) {
      expect(errors[code], code).toMatch(/\S/)
    }
  })

  it('has a title for every startup problem the main process can report', () => {
    const titles: Record<string, string> = en.unavailable.problems
    for (const code of appProblemSchema.shape.code.options) {
      expect(titles[code], code).toMatch(/\S/)
    }
  })

  it('has a message for every weak-password reason', () => {
    const reasons: Record<string, string> = en.weakPassword
    for (const reason of ['too-short', 'too-long', 'common', 'context', 'mismatch']) {
      expect(reasons[reason], reason).toMatch(/\S/)
    }
  })
})

describe('describeError', () => {
  it('S13: says how many attempts are left after a wrong password', () => {
    expect(describeText({ code: 'INVALID_CREDENTIALS', message: 'x', attemptsLeft: 3 }).summary).toBe(
      'Wrong username or password. 3 attempts left before the account is locked.',
    )
    expect(describeText({ code: 'INVALID_CREDENTIALS', message: 'x', attemptsLeft: 1 }).summary).toBe(
      'Wrong username or password. 1 attempt left before the account is locked.',
    )
    expect(describeText({ code: 'INVALID_CREDENTIALS', message: 'x' }).summary).toBe('Wrong username or password.')
  })

  it('S13: gives the local time a lock ends, or says an administrator must unlock', () => {
    const timed = describeText({ code: 'LOCKED', message: 'x', lockedUntil: '2026-11-28T15:45:00.000Z' })
    expect(plain(timed.summary)).toBe(
      'This account is locked after too many failed attempts. Try again after Nov 28, 2026, 3:45 PM.',
    )
    const byAdmin = describeText({ code: 'LOCKED', message: 'x', lockedUntil: null })
    expect(byAdmin.summary).toBe(
      'This account is locked after too many failed attempts. An administrator must unlock it.',
    )
  })

  it('S10: says when another attempt is allowed after a rate limit', () => {
    const limited = describeText({ code: 'RATE_LIMITED', message: 'x', retryAt: '2026-11-28T09:05:00.000Z' })
    expect(plain(limited.summary)).toBe('Too many attempts in a short time. Try again after Nov 28, 2026, 9:05 AM.')
  })

  it('S1, S2: puts the weak-password reason, with the minimum length, on the new-password field', () => {
    const short = describeText(
      { code: 'WEAK_PASSWORD', message: 'x', reason: 'too-short', minLength: 15 },
      { newPasswordField: 'newPassword' },
    )
    expect(short.fields).toEqual({ newPassword: 'Use at least 15 characters.' })
    expect(short.summary).toBe('Choose a stronger password. Use at least 15 characters.')

    const common = describeText({ code: 'WEAK_PASSWORD', message: 'x', reason: 'common', minLength: 15 })
    expect(common.summary).toContain('one of the most commonly used passwords')
    const context = describeText({ code: 'WEAK_PASSWORD', message: 'x', reason: 'context', minLength: 15 })
    expect(context.summary).toContain('your username')
    const long = describeText({ code: 'WEAK_PASSWORD', message: 'x', reason: 'too-long', minLength: 15 })
    expect(long.summary).toContain('at most 128 characters')
  })

  it('translates VALIDATION and CONFLICT per field, never showing the English payload text', () => {
    const validation = describeText({
      code: 'VALIDATION',
      message: 'email: Enter a valid email address',
      fields: [
        { field: 'email', message: 'server text' },
        { field: 'somethingNew', message: 'server text' },
      ],
    })
    expect(validation.summary).toBe('Some fields need attention.')
    expect(validation.fields).toEqual({ email: 'Enter a valid email address.', somethingNew: 'Check this value.' })

    const conflict = describeText({
      code: 'CONFLICT',
      message: 'exists',
      fields: [{ field: 'username', message: 'server text' }],
    })
    expect(conflict.fields).toEqual({ username: 'This username is taken.' })
  })

  it('S30: says why a new username was refused: it looks like an existing one, or mixes scripts', () => {
    const lookAlike = describeText({
      code: 'CONFLICT',
      message: 'looks like',
      fields: [{ field: 'username', message: 'server text' }],
      usernameProblem: 'look-alike',
    })
    expect(lookAlike.fields).toEqual({
      username: 'This username looks like an existing one. Choose a name that cannot be mistaken for it.',
    })
    const mixed = describeText({
      code: 'VALIDATION',
      message: 'mixed',
      fields: [{ field: 'username', message: 'server text' }],
      usernameProblem: 'mixed-scripts',
    })
    expect(mixed.fields).toEqual({
      username: 'Use letters of one script. Latin letters may be mixed only with Chinese, Japanese or Korean.',
    })
  })

  it('reads a wrong current password as such during step-up, on that field', () => {
    const described = describeText(
      { code: 'INVALID_CREDENTIALS', message: 'Wrong password', attemptsLeft: 2 },
      { currentPasswordField: 'currentPassword' },
    )
    expect(described.fields).toEqual({
      currentPassword: 'The current password is wrong. 2 attempts left before the account is locked.',
    })
  })

  it('maps each remaining code to its own message, and anything unknown to INTERNAL', () => {
    expect(describeText({ code: 'ACCOUNT_DISABLED', message: 'x' }).summary).toBe(
      'This account is disabled. Ask an administrator to enable it.',
    )
    expect(describeText({ code: 'SESSION_EXPIRED', message: 'x' }).summary).toBe(
      'Your session has ended. Sign in again.',
    )
    expect(describeError(new Error('boom'), tr, 'en').summary).toBe('Something went wrong inside Keyhold. Try again.')
    expect(missing).toEqual([])
  })

  it('S13: a wrong code says how many tries are left, on the code field when there is one', () => {
    const wrong = describeText({ code: 'INVALID_CODE', message: 'x', attemptsLeft: 2 }, { codeField: 'code' })
    expect(wrong.summary).toBe('That code is not right. Check it and try again. 2 tries left.')
    expect(wrong.fields).toEqual({ code: wrong.summary })
    expect(describeText({ code: 'INVALID_CODE', message: 'x', attemptsLeft: 1 }).summary).toBe(
      'That code is not right. Check it and try again. 1 try left.',
    )
    expect(describeText({ code: 'INVALID_CODE', message: 'x' }).summary).toBe(
      'That code is not right. Check it and try again.',
    )
    // S7: a replayed code is not called wrong, but it counts like one.
    const reused = describeText({ code: 'CODE_REUSED', message: 'x', attemptsLeft: 2 }, { codeField: 'code' })
    expect(reused.summary).toBe('This code was just used. Wait for the next one. 2 tries left.')
    expect(reused.fields).toEqual({ code: reused.summary })
    expect(describeText({ code: 'EXPIRED', message: 'x' }, { codeField: 'code' }).fields).toEqual({
      code: 'That code has expired. Ask for a new one.',
    })
  })

  it("shows the provider's own words when a code could not be delivered", () => {
    expect(
      describeText({ code: 'DELIVERY_FAILED', message: 'the SMS gateway refused the message (403)' }).summary,
    ).toBe(
      'The message could not be sent. Try again later, or ask an administrator to check the email or SMS settings. Details: the SMS gateway refused the message (403)',
    )
    expect(describeText({ code: 'DELIVERY_FAILED', message: ' ' }).summary).toBe(
      'The message could not be sent. Try again later, or ask an administrator to check the email or SMS settings.',
    )
  })

  it('speaks Chinese in the Chinese catalogue', () => {
    const zh = createKeyholdI18n({ locale: 'zh-CN', missing: (_locale, key) => void missing.push(key) })
    const zhTr: Translator = { t: zh.global.t, te: (key: string) => zh.global.te(key) }
    const described = describeError(
      new KeyholdError({ code: 'INVALID_CODE', message: 'x', attemptsLeft: 3 }),
      zhTr,
      'zh-CN',
    )
    expect(described.summary).toBe('验证码不正确。请检查后重试。还剩 3 次尝试机会。')
    const reused = describeError(
      new KeyholdError({ code: 'CODE_REUSED', message: 'x', attemptsLeft: 2 }),
      zhTr,
      'zh-CN',
    )
    expect(reused.summary).toBe('此验证码刚刚用过。请等待下一个验证码。还剩 2 次尝试机会。')
    expect(missing).toEqual([])
  })
})
