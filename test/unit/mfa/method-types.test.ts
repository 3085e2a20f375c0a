import { describe, expect, it } from 'vitest'
import { allowedMethodsOf, defaultRules } from '../../../electron/main/domain/mfa-policy'
import { serverMethodTraits } from '../../../electron/main/domain/method-traits'
import { adminAccountViewSchema, coverageSchema } from '../../../electron/shared/admin-schemas'
import {
  countsByType,
  isMethodType,
  methodTypeSchema,
  methodTypeTable,
  methodTypes,
  strongMethodTypes,
  traitsOf,
} from '../../../electron/shared/method-types'
import { beginEnrollmentSchema, methodViewSchema } from '../../../electron/shared/mfa-schemas'
import { policyRulesSchema } from '../../../electron/shared/policy-schemas'
import en from '../../../renderer/src/i18n/locales/en.json'
import zhCN from '../../../renderer/src/i18n/locales/zh-CN.json'

/**
 * The one table of method types (issue 12): every list of types in the contract
 * and the policy comes from it, and each trait holds what the code relies on.
 */
type Catalogue = { readonly [key: string]: string | Catalogue }

function has(catalogue: Catalogue, key: string): boolean {
  let node: string | Catalogue | undefined = catalogue
  for (const part of key.split('.')) {
    if (typeof node !== 'object') return false
    node = node[part]
  }
  return typeof node === 'string' && node.trim() !== ''
}

describe('method type table', () => {
  it('is the type list of the contract and the policy, in its own order', () => {
    expect(methodTypes).toEqual(['totp', 'email', 'sms'])
    expect(methodTypeSchema.options).toEqual(methodTypes)
    expect(defaultRules.allowedMethods).toEqual(methodTypes)
    expect(Object.keys(serverMethodTraits).sort()).toEqual([...methodTypes].sort())
    expect(Object.keys(countsByType())).toEqual(methodTypes)
    const view = { id: 1, label: 'x', destination: null, preferred: true, createdAt: 'a', lastUsedAt: null }
    for (const type of methodTypes) {
      expect(isMethodType(type)).toBe(true)
      expect(policyRulesSchema.shape.allowedMethods.safeParse([type]).success).toBe(true)
      expect(methodViewSchema.safeParse({ ...view, type, weaker: false }).success).toBe(true)
    }
    // Every type at once, and no more than every type.
    expect(policyRulesSchema.shape.allowedMethods.safeParse([...methodTypes]).success).toBe(true)
    expect(policyRulesSchema.shape.allowedMethods.safeParse([...methodTypes, 'totp']).success).toBe(false)
  })

  it('refuses a type it does not list, wherever a type comes in', () => {
    for (const name of ['fax', 'TOTP', '', 'constructor', '__proto__', 'toString']) {
      expect(isMethodType(name)).toBe(false)
      expect(methodTypeSchema.safeParse(name).success).toBe(false)
      expect(policyRulesSchema.shape.allowedMethods.safeParse([name]).success).toBe(false)
      expect(beginEnrollmentSchema.safeParse({ type: name }).success).toBe(false)
      expect(
        adminAccountViewSchema.shape.mfa.safeParse({ state: 'enrolled', methods: [name], deadline: null }).success,
      ).toBe(false)
    }
    // Coverage counts every type and only the types.
    expect(coverageSchema.shape.byMethod.safeParse(countsByType()).success).toBe(true)
    expect(coverageSchema.shape.byMethod.safeParse({ ...countsByType(), fax: 1 }).success).toBe(false)
    const { sms: _sms, ...withoutSms } = countsByType()
    expect(coverageSchema.shape.byMethod.safeParse(withoutSms).success).toBe(false)
  })

  it('S8: "strong methods only" keeps exactly the strong types; the strong ones need no provider', () => {
    expect(strongMethodTypes).toEqual(['totp'])
    const everything = { ...defaultRules, allowedMethods: [...methodTypes] }
    expect(allowedMethodsOf({ ...everything, strongMethodsOnly: true })).toEqual(strongMethodTypes)
    expect(allowedMethodsOf({ ...everything, strongMethodsOnly: false })).toEqual(methodTypes)
    for (const type of methodTypes) {
      const traits = traitsOf(type)
      // A code a provider delivers can be intercepted on the way: never strong (S8).
      if (traits.source === 'provider') expect(traits.strong).toBe(false)
      expect(traits.provider !== null).toBe(traits.source === 'provider')
    }
  })

  it('gives each type wizard steps that start with the password and end with Enable', () => {
    for (const type of methodTypes) {
      const steps = traitsOf(type).wizardSteps
      expect(steps[0]).toBe('password')
      expect(steps.at(-1)).toBe('enable')
      expect(steps).toContain('code')
      // A destination step exactly when a provider sends the code there.
      expect(steps.includes('destination')).toBe(traitsOf(type).provider !== null)
      expect(new Set(steps).size).toBe(steps.length)
    }
  })

  it('names catalogue keys that exist in English and in Chinese', () => {
    const missing: string[] = []
    for (const type of methodTypes) {
      for (const key of Object.values(methodTypeTable[type].catalogue)) {
        if (key === null) continue
        if (!has(en, key)) missing.push(`en: ${key}`)
        if (!has(zhCN, key)) missing.push(`zh-CN: ${key}`)
      }
    }
    expect(missing).toEqual([])
  })
})
