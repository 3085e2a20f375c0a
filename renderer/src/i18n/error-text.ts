import { useI18n } from 'vue-i18n'
import { isKeyholdError, type KeyholdError } from '../api/keyhold-error'
import { formatDateTime } from './date-format'

/**
 * Turns a failed call into translated text: one summary for the form, and a
 * message per field where the error concerns one. The English `message` of the
 * payload is never shown; only the code and its structured details are.
 */
export interface DescribedError {
  readonly summary: string
  readonly fields: Readonly<Record<string, string>>
}

export interface ErrorTextOptions {
  /** The form field a WEAK_PASSWORD error belongs to (`password`, `newPassword`). */
  readonly newPasswordField?: string
  /**
   * The field holding the password being checked when INVALID_CREDENTIALS means
   * "the current password is wrong" (step-up), rather than "wrong username or password".
   */
  readonly currentPasswordField?: string
  /** The code field a wrong or expired code belongs to, so the message sits beside it too. */
  readonly codeField?: string
}

export interface Translator {
  t(key: string): string
  t(key: string, named: Record<string, unknown>): string
  t(key: string, plural: number): string
  te(key: string): boolean
}

function fieldMessage(tr: Translator, group: string, field: string): string {
  const key = `${group}.${field}`
  return tr.te(key) ? tr.t(key) : tr.t(`${group}.default`)
}

/** S30: a refused new username says why: it looks like an existing one, or it mixes scripts. */
function usernameProblem(error: KeyholdError, tr: Translator, fields: Record<string, string>): void {
  const problem = error.payload.usernameProblem
  if (problem === 'look-alike') fields.username = tr.t('usernameProblems.lookAlike')
  else if (problem === 'mixed-scripts') fields.username = tr.t('usernameProblems.mixedScripts')
}

/** Chinese runs sentences together (its full stop carries the space); other languages put a space between. */
export function joinerFor(locale: string): string {
  return locale.toLowerCase().startsWith('zh') ? '' : ' '
}

export function describeError(
  error: unknown,
  tr: Translator,
  locale: string,
  options: ErrorTextOptions = {},
): DescribedError {
  if (!isKeyholdError(error)) return { summary: tr.t('errors.INTERNAL'), fields: {} }
  const joiner = joinerFor(locale)
  const join = (...sentences: string[]): string => sentences.filter((s) => s !== '').join(joiner)
  const fields: Record<string, string> = {}
  switch (error.code) {
    case 'VALIDATION':
      usernameProblem(error, tr, fields)
      for (const f of error.fields) fields[f.field] ??= fieldMessage(tr, 'fieldErrors', f.field)
      return { summary: tr.t('errors.VALIDATION'), fields }
    case 'CONFLICT': {
      // S35: a provider change refused because it would lock accounts out says how many.
      const affected = error.payload.affectedAccounts
      if (affected !== undefined) return { summary: tr.t('errors.lockoutChange', affected), fields }
      usernameProblem(error, tr, fields)
      for (const f of error.fields) fields[f.field] ??= fieldMessage(tr, 'conflictFieldErrors', f.field)
      return { summary: tr.t('errors.CONFLICT'), fields }
    }
    case 'WEAK_PASSWORD': {
      const reason = error.reason
      const detail = reason === undefined ? '' : tr.t(`weakPassword.${reason}`, { minLength: error.minLength ?? '' })
      if (options.newPasswordField !== undefined && detail !== '') fields[options.newPasswordField] = detail
      return { summary: join(tr.t('errors.WEAK_PASSWORD'), detail), fields }
    }
    case 'INVALID_CREDENTIALS': {
      const attempts = error.attemptsLeft === undefined ? '' : tr.t('errors.attemptsLeft', error.attemptsLeft)
      if (options.currentPasswordField !== undefined) {
        const text = join(tr.t('errors.wrongCurrentPassword'), attempts)
        fields[options.currentPasswordField] = text
        return { summary: text, fields }
      }
      return { summary: join(tr.t('errors.INVALID_CREDENTIALS'), attempts), fields }
    }
    case 'LOCKED': {
      const until = error.lockedUntil
      const detail =
        until === null
          ? tr.t('errors.lockedByAdmin')
          : until === undefined
            ? ''
            : tr.t('errors.lockedUntil', { time: formatDateTime(until, locale) })
      return { summary: join(tr.t('errors.LOCKED'), detail), fields }
    }
    case 'INVALID_CODE':
    case 'CODE_REUSED': {
      // A replayed code counts like a wrong one (S13), so the tries left are said for both.
      const attempts = error.attemptsLeft === undefined ? '' : tr.t('errors.codeAttemptsLeft', error.attemptsLeft)
      const text = join(tr.t(`errors.${error.code}`), attempts)
      if (options.codeField !== undefined) fields[options.codeField] = text
      return { summary: text, fields }
    }
    case 'EXPIRED': {
      const text = tr.t('errors.EXPIRED')
      if (options.codeField !== undefined) fields[options.codeField] = text
      return { summary: text, fields }
    }
    case 'DELIVERY_FAILED': {
      // The provider's own words (e.g. "the SMS gateway refused the message (403)") help whoever
      // fixes the settings; they hold no secret (the adapters never put one in a message).
      const detail = error.payload.message.trim()
      return {
        summary: join(tr.t('errors.DELIVERY_FAILED'), detail === '' ? '' : tr.t('errors.deliveryDetail', { detail })),
        fields,
      }
    }
    case 'RATE_LIMITED': {
      const at = error.retryAt
      const detail = at === undefined ? '' : tr.t('errors.retryAt', { time: formatDateTime(at, locale) })
      return { summary: join(tr.t('errors.RATE_LIMITED'), detail), fields }
    }
    default:
      return { summary: tr.t(`errors.${error.code}`), fields }
  }
}

/** `describeError` bound to the current locale, for views. */
export function useErrorText() {
  const { t, te, locale } = useI18n()
  const tr: Translator = { t, te: (key: string) => te(key) }
  return (error: unknown, options?: ErrorTextOptions): DescribedError => describeError(error, tr, locale.value, options)
}
