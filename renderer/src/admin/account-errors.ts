import { isKeyholdError } from '../api/keyhold-error'
import type { DescribedError, ErrorTextOptions, Translator } from '../i18n/error-text'

/**
 * Words for what the main process refuses about accounts. The general
 * messages (error-text.ts) do, except where the action says more: the last
 * enabled administrator (LAST_ADMIN) cannot be disabled, deleted or made a
 * user; an account that is gone; a phone number needs its country code here,
 * since these forms take it as typed.
 */
export type AccountAction =
  'create' | 'update' | 'disable' | 'enable' | 'delete' | 'resetPassword' | 'resetMfa' | 'unlock'

export function describeAccountError(
  error: unknown,
  action: AccountAction,
  describe: (error: unknown, options?: ErrorTextOptions) => DescribedError,
  tr: Pick<Translator, 't'>,
): DescribedError {
  const described = describe(error)
  if (!isKeyholdError(error)) return described
  switch (error.code) {
    case 'LAST_ADMIN':
      return { summary: tr.t(`admin.lastAdmin.${action === 'update' ? 'demote' : action}`), fields: {} }
    case 'NOT_FOUND':
      return { summary: tr.t('admin.account.notFound'), fields: {} }
    case 'VALIDATION': {
      const fields = { ...described.fields }
      if (fields.phone !== undefined) fields.phone = tr.t('admin.account.phoneInvalid')
      return { summary: described.summary, fields }
    }
    default:
      return described
  }
}
