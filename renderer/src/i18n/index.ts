import { createI18n, type I18nOptions } from 'vue-i18n'
import { readPreference, writePreference } from '../platform/local-preference'
import en from './locales/en.json'
import zhCN from './locales/zh-CN.json'

/**
 * Every user-facing string comes from one catalogue per locale. The build
 * precompiles these JSON files (electron.vite.config.ts), so the runtime has no
 * message compiler and needs no `unsafe-eval` under the CSP. Adding a locale:
 * put `xx.json` beside `en.json` with the same keys (the type below and a test
 * check it) and list it in `supportedLocales` and `messages`.
 */
export type MessageSchema = typeof en

export const supportedLocales = ['en', 'zh-CN'] as const
export type SupportedLocale = (typeof supportedLocales)[number]

export const defaultLocale: SupportedLocale = 'en'

/** Where the language switch remembers the choice. */
export const localeStorageKey = 'keyhold.locale'

export function isSupportedLocale(value: unknown): value is SupportedLocale {
  return typeof value === 'string' && (supportedLocales as readonly string[]).includes(value)
}

/** The supported locale closest to a BCP 47 tag (`zh-Hans-CN`, `zh` → zh-CN), or null. */
export function matchLocale(tag: string): SupportedLocale | null {
  const lower = tag.toLowerCase()
  if (lower === 'en' || lower.startsWith('en-')) return 'en'
  // Only Simplified Chinese is translated; Traditional (zh-TW, zh-HK, zh-Hant) reads better in English than in it.
  if (lower === 'zh' || lower === 'zh-cn' || lower === 'zh-sg' || lower.startsWith('zh-hans')) return 'zh-CN'
  return null
}

/** The remembered choice, else the first of the window's languages that Keyhold speaks, else English. */
export function initialLocale(languages: readonly string[] = navigator.languages ?? []): SupportedLocale {
  const stored = readPreference(localeStorageKey)
  if (isSupportedLocale(stored)) return stored
  for (const tag of languages) {
    const match = matchLocale(tag)
    if (match) return match
  }
  return defaultLocale
}

export function rememberLocale(locale: SupportedLocale): void {
  writePreference(localeStorageKey, locale)
}

export interface KeyholdI18nOptions {
  readonly locale?: SupportedLocale
  /** Called for a key with no message; tests use it to fail on a missing key. */
  readonly missing?: I18nOptions['missing']
}

export function createKeyholdI18n(options: KeyholdI18nOptions = {}) {
  return createI18n<[MessageSchema], SupportedLocale, false>({
    legacy: false,
    locale: options.locale ?? initialLocale(),
    fallbackLocale: defaultLocale,
    messages: { en, 'zh-CN': zhCN },
    missingWarn: options.missing === undefined,
    fallbackWarn: false,
    ...(options.missing === undefined ? {} : { missing: options.missing }),
  })
}

export type KeyholdI18n = ReturnType<typeof createKeyholdI18n>
