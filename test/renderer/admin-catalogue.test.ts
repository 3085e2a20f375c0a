import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { methodTypes } from '../../electron/shared/method-types'
import { ruleKeys } from '../../renderer/src/admin/policy-form'
import en from '../../renderer/src/i18n/locales/en.json'
import zhCN from '../../renderer/src/i18n/locales/zh-CN.json'
import {
  adminView,
  createFakeBridge,
  installBridge,
  ok,
  policyView,
  readyState,
  sessionFor,
  type FakeBridge,
} from './support/fake-bridge'
import { mountApp, type MountedApp } from './support/mount-app'

/**
 * Issue 5's strings: keys the pages build at run time (`admin.policy.rules.${rule}`)
 * exist in both catalogues, and every administration page renders in Chinese
 * with no key missing. (language.test.ts checks the literal keys and that both
 * catalogues have the same keys and placeholders.)
 */
type Catalogue = { readonly [key: string]: string | Catalogue }

function has(catalogue: Catalogue, key: string): boolean {
  let node: string | Catalogue | undefined = catalogue
  for (const part of key.split('.')) {
    if (typeof node !== 'object' || node === null) return false
    node = node[part]
  }
  return typeof node === 'string' && node.trim() !== ''
}

const families: Record<string, readonly string[]> = {
  'admin.mfaState': ['none', 'invited', 'grace', 'overdue', 'enrolled'],
  'admin.coverage.states': ['none', 'invited', 'grace', 'overdue', 'enrolled'],
  'admin.lastAdmin': ['create', 'demote', 'disable', 'enable', 'delete', 'resetPassword', 'resetMfa', 'unlock'],
  'admin.policy.rules': ruleKeys,
  // Each level of enforcement has its own hint instead (enforcementHints).
  'admin.policy.hints': ruleKeys.filter((key) => key !== 'enforcement'),
  'admin.policy.groups': ['methods', 'enforcement', 'limits', 'sessions', 'recovery'],
  'admin.policy.enforcement': ['optional', 'prompt', 'required'],
  'admin.policy.enforcementHints': ['optional', 'prompt', 'required'],
  'admin.policy.algorithms': ['sha1', 'sha256', 'sha512'],
  'admin.policy.errors': [
    'range',
    'allowedMethods',
    'strongLeavesNone',
    'noMethodLeft',
    'nobodyCanEnroll',
    'totpAlgorithms',
    'totpDigits',
    'invalid',
  ],
  'admin.policy.roleNames': ['admin', 'user'],
  'admin.policy.roleOverride': ['admin', 'user'],
  'admin.account.done': ['unlock', 'disable', 'enable', 'resetPassword', 'resetMfa'],
  'admin.account.hints': ['unlock', 'resetPassword', 'resetMfa', 'disable', 'enable', 'delete'],
  'admin.account.confirm.resetPassword': ['title', 'intro', 'submit', 'pending'],
  'admin.account.confirm.resetMfa': ['title', 'intro', 'submit', 'pending'],
  'admin.account.confirm.delete': ['title', 'intro', 'submit', 'pending'],
  'admin.providers.fieldErrors': [
    'default',
    'host',
    'port',
    'security',
    'username',
    'password',
    'from',
    'subject',
    'text',
    'url',
    'accountSid',
    'authToken',
    'baseUrl',
    'headers',
    'secretHeaders',
    'body',
    'method',
    'bodyEncoding',
    'kind',
  ],
  'admin.providers.required': ['host', 'from', 'twilioFrom', 'url', 'username', 'accountSid', 'text'],
  'admin.providers.email.security': ['none', 'starttls', 'tls'],
  'admin.providers.sms.kinds': ['kannel', 'http', 'twilio'],
  'admin.providers.sms.http.encodings': ['json', 'url'],
  'admin.providers.test.intro': ['email', 'sms'],
  'admin.providers.test.label': ['email', 'sms'],
  'admin.providers.test.required': ['email', 'sms'],
  'admin.providers.test.invalid': ['email', 'sms'],
  'admin.setupCode': ['copied', 'copyFailed'],
  'mfaPrompt.invited': ['title', 'text'],
  'mfaPrompt.grace': ['title', 'text'],
  'mfaChoose.notes': methodTypes,
  'wizard.forbidden': methodTypes,
  'wizard.defaultLabel': methodTypes,
  'wizard.conflict': methodTypes,
  nav: ['label', 'myAccount', 'accounts', 'policy', 'providers', 'audit', 'coverage', 'settings'],
}

describe('keys built at run time', () => {
  it('exist in English and in Chinese', () => {
    const missing: string[] = []
    for (const [prefix, names] of Object.entries(families)) {
      for (const name of names) {
        const key = `${prefix}.${name}`
        if (!has(en, key)) missing.push(`en: ${key}`)
        if (!has(zhCN, key)) missing.push(`zh-CN: ${key}`)
      }
    }
    expect(missing).toEqual([])
  })
})

describe('the administration pages in Chinese', () => {
  let bridge: FakeBridge
  let app: MountedApp

  beforeEach(() => {
    bridge = createFakeBridge()
    bridge.getAppState.mockResolvedValue(ok(readyState({ session: sessionFor() })))
    bridge.adminGetAccount.mockResolvedValue(
      ok(adminView({ username: 'bob', locked: true, lockedUntil: '2026-11-28T09:00:00.000Z' })),
    )
    bridge.getPolicy.mockResolvedValue(ok(policyView({ roles: { admin: { enforcement: 'required' } } })))
    installBridge(bridge)
  })

  afterEach(() => {
    app.unmount()
    installBridge(undefined)
  })

  it.each([
    ['/admin/accounts', '账户'],
    ['/admin/accounts/bob', '账户：bob'],
    ['/admin/policy', 'MFA 策略'],
    ['/admin/providers', '发送服务'],
    ['/admin/audit', '审计日志'],
    ['/admin/coverage', '覆盖情况'],
    ['/admin/settings', '设置'],
  ])('%s renders with every key found', async (path, title) => {
    app = await mountApp(path, { locale: 'zh-CN' })
    expect(app.wrapper.get('h1').text()).toBe(title)
    expect(app.missingKeys).toEqual([])
  })
})
