import { createI18n, type I18nOptions } from 'vue-i18n'
import en from './locales/en.json'

/**
 * Every user-facing string comes from one catalogue per locale. The build
 * precompiles these JSON files (electron.vite.config.ts), so the runtime has no
 * message compiler and needs no `unsafe-eval` under the CSP. Adding a locale:
 * put `xx.json` beside `en.json` with the same keys and list it in `messages`.
 */
export type MessageSchema = typeof en

export const supportedLocales = ['en'] as const
export type SupportedLocale = (typeof supportedLocales)[number]

export const defaultLocale: SupportedLocale = 'en'

export interface KeyholdI18nOptions {
  readonly locale?: SupportedLocale
  /** Called for a key with no message; tests use it to fail on a missing key. */
  readonly missing?: I18nOptions['missing']
}

export function createKeyholdI18n(options: KeyholdI18nOptions = {}) {
  return createI18n<[MessageSchema], SupportedLocale, false>({
    legacy: false,
    locale: options.locale ?? defaultLocale,
    fallbackLocale: defaultLocale,
    messages: { en },
    missingWarn: options.missing === undefined,
    fallbackWarn: false,
    ...(options.missing === undefined ? {} : { missing: options.missing }),
  })
}

export type KeyholdI18n = ReturnType<typeof createKeyholdI18n>
