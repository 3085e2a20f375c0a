import { flushPromises } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { errorCodes } from '../../electron/shared/errors'
import { initialLocale, localeStorageKey, matchLocale, supportedLocales } from '../../renderer/src/i18n'
import en from '../../renderer/src/i18n/locales/en.json'
import zhCN from '../../renderer/src/i18n/locales/zh-CN.json'
import {
  createFakeBridge,
  installBridge,
  ok,
  overview,
  readyState,
  sessionFor,
  totpMethod,
  type FakeBridge,
} from './support/fake-bridge'
import { inputByLabel, mountApp, pageText, type MountedApp } from './support/mount-app'

/** English and Chinese catalogues, and the language switch (issue 4, quality bar). */
type Catalogue = { readonly [key: string]: string | Catalogue }

function flatten(node: Catalogue, prefix = ''): Map<string, string> {
  const out = new Map<string, string>()
  for (const [key, value] of Object.entries(node)) {
    const path = prefix === '' ? key : `${prefix}.${key}`
    if (typeof value === 'string') out.set(path, value)
    else for (const [k, v] of flatten(value, path)) out.set(k, v)
  }
  return out
}

const catalogues: Record<string, Map<string, string>> = {
  en: flatten(en),
  'zh-CN': flatten(zhCN),
}

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()

describe('the catalogues', () => {
  it('every key in en.json exists in zh-CN.json, and the other way round', () => {
    const english = [...catalogues.en!.keys()].sort()
    const chinese = [...catalogues['zh-CN']!.keys()].sort()
    expect(chinese.filter((k) => !catalogues.en!.has(k))).toEqual([])
    expect(english.filter((k) => !catalogues['zh-CN']!.has(k))).toEqual([])
  })

  it('every message keeps its placeholders and plural forms in both languages', () => {
    for (const [key, english] of catalogues.en!) {
      const chinese = catalogues['zh-CN']!.get(key)!
      expect(placeholders(chinese), key).toEqual(placeholders(english))
      expect(chinese.split(' | ').length, key).toBe(english.split(' | ').length)
      expect(chinese.trim(), key).not.toBe('')
    }
  })

  it('no message uses vue-i18n syntax by accident (@ starts a linked message)', () => {
    for (const catalogue of Object.values(catalogues)) {
      for (const [key, text] of catalogue) expect(text, key).not.toMatch(/[@$]/)
    }
  })

  it('has a Chinese message for every error code of the contract', () => {
    for (const code of errorCodes) expect(catalogues['zh-CN']!.get(`errors.${code}`), code).toMatch(/\S/)
  })

  it('is the only place of user-facing text: every key the renderer names exists', () => {
    // Static keys as written in the source: t('a.b'), and 'a.b' inside t(cond ? 'a.b' : 'c.d').
    const sources = import.meta.glob<string>('../../renderer/src/**/*.{ts,vue}', {
      query: '?raw',
      import: 'default',
      eager: true,
    })
    expect(Object.keys(sources).length).toBeGreaterThan(30)
    const missing: string[] = []
    let checked = 0
    for (const [file, source] of Object.entries(sources)) {
      for (const call of source.matchAll(/\bt\(([^()]*?)[,)]/g)) {
        for (const literal of call[1]!.matchAll(/'([a-zA-Z]+(?:\.[\w-]+)+)'/g)) {
          checked += 1
          if (!catalogues.en!.has(literal[1]!)) missing.push(`${file}: ${literal[1]}`)
        }
      }
    }
    expect(missing).toEqual([])
    expect(checked).toBeGreaterThan(200)
  })
})

describe('choosing the language', () => {
  it('uses the remembered choice, else the window languages, else English', () => {
    expect(matchLocale('zh-Hans-CN')).toBe('zh-CN')
    expect(matchLocale('zh')).toBe('zh-CN')
    expect(matchLocale('zh-TW')).toBeNull()
    expect(matchLocale('en-GB')).toBe('en')
    expect(initialLocale(['fr-FR', 'zh-CN'])).toBe('zh-CN')
    expect(initialLocale(['fr-FR'])).toBe('en')
    window.localStorage.setItem(localeStorageKey, 'zh-CN')
    expect(initialLocale(['en-US'])).toBe('zh-CN')
    window.localStorage.setItem(localeStorageKey, 'klingon')
    expect(initialLocale(['en-US'])).toBe('en')
    window.localStorage.clear()
    expect(supportedLocales).toEqual(['en', 'zh-CN'])
  })
})

describe('the language switch', () => {
  let bridge: FakeBridge
  let app: MountedApp

  beforeEach(() => {
    bridge = createFakeBridge()
    bridge.getAppState.mockResolvedValue(ok(readyState({ session: sessionFor() })))
    bridge.listMethods.mockResolvedValue(ok(overview([totpMethod])))
    installBridge(bridge)
  })

  afterEach(() => {
    expect(app.missingKeys).toEqual([])
    app.unmount()
    installBridge(undefined)
  })

  it('switches every text at once, sets the page language and title, and remembers the choice', async () => {
    app = await mountApp('/account')
    const select = inputByLabel(app.wrapper, 'Language')
    expect(select.findAll('option').map((o) => o.text())).toEqual(['English', '简体中文'])
    expect(document.documentElement.lang).toBe('en')
    expect(document.title).toBe('My account – Keyhold')

    await select.setValue('zh-CN')
    await flushPromises()
    expect(app.wrapper.get('h1').text()).toBe('我的账户')
    expect(pageText(app.wrapper)).toContain('多重身份验证')
    expect(app.wrapper.get('.badge--preferred').text()).toBe('首选')
    expect(document.documentElement.lang).toBe('zh-CN')
    expect(document.title).toBe('我的账户 – Keyhold')
    expect(window.localStorage.getItem(localeStorageKey)).toBe('zh-CN')
    // The switch keeps its name in the new language, and each language keeps its own name.
    const switched = inputByLabel(app.wrapper, '语言')
    expect(switched.findAll('option').map((o) => o.text())).toEqual(['English', '简体中文'])

    await switched.setValue('en')
    await flushPromises()
    expect(app.wrapper.get('h1').text()).toBe('My account')
    expect(window.localStorage.getItem(localeStorageKey)).toBe('en')
  })

  it('opens in the remembered language', async () => {
    window.localStorage.setItem(localeStorageKey, 'zh-CN')
    app = await mountApp('/account')
    expect(app.wrapper.get('h1').text()).toBe('我的账户')
    expect(app.wrapper.get('#mfa-title').text()).toBe('多重身份验证')
  })
})
