import { z } from 'zod'

/**
 * The one table of MFA method types. Every type list in Keyhold — the zod
 * enums of the contract, the policy's choices, the renderer's choosers, icons,
 * routes, wizard steps and coverage chart — is derived from it, so a new type
 * is one entry here plus the code that must handle it (the exhaustive switches
 * fail typecheck until it does).
 *
 * It lives in electron/shared because the renderer may import only shared code
 * and needs these traits; the traits only the main process needs (default
 * labels, policy wording) are keyed by these names in
 * electron/main/domain/method-traits.ts.
 */

/** How the code reaches the person: made by an app, sent by a provider, or shown by a hardware token. */
export type CodeSource = 'app' | 'provider' | 'hardware'
/** What the code depends on: the time, a counter, or nothing (a fresh random code per send). */
export type CodeSequence = 'time' | 'counter' | 'random'
/** The provider that must be configured before the type can be used. */
export type ProviderKind = 'email' | 'sms'
/** The steps of the setup wizard as its progress list names them. */
export type WizardStep = 'password' | 'destination' | 'code' | 'enable'
/** The picture drawn by MethodIcon. */
export type MethodIconName = 'app-clock' | 'envelope' | 'speech-bubble'

export interface MethodTypeTraits {
  /** S8: counts for "strong methods only"; a method that is not strong is shown as weaker. */
  readonly strong: boolean
  readonly source: CodeSource
  readonly sequence: CodeSequence
  /** The provider it needs and, with it, the kind of destination (an email address or a phone number). */
  readonly provider: ProviderKind | null
  readonly wizardSteps: readonly [WizardStep, ...WizardStep[]]
  readonly icon: MethodIconName
  /** Catalogue keys (renderer/src/i18n/locales): its name, the wizard's code step, the hint under a code field. */
  readonly catalogue: {
    readonly name: string
    readonly codeStep: string
    readonly codeHint: string | null
    readonly passwordPending: string
    /** Sign-in: the line under the method's heading, and the variant naming the method's own label (null: no variant). */
    readonly challengeIntro: string
    readonly challengeIntroNamed: string | null
    /** Sign-in: the hint under the code field. */
    readonly challengeHint: string | null
  }
}

/** In the usual order: the order of choosers, policy options and charts. */
export const methodTypeTable = {
  totp: {
    strong: true,
    source: 'app',
    sequence: 'time',
    provider: null,
    wizardSteps: ['password', 'code', 'enable'],
    icon: 'app-clock',
    catalogue: {
      name: 'methodTypes.totp',
      codeStep: 'wizard.steps.scan',
      codeHint: 'wizard.totp.codeHint',
      passwordPending: 'wizard.password.pendingTotp',
      challengeIntro: 'challenge.totpIntro',
      challengeIntroNamed: 'challenge.totpIntroNamed',
      challengeHint: 'code.totpHint',
    },
  },
  email: {
    strong: false,
    source: 'provider',
    sequence: 'random',
    provider: 'email',
    wizardSteps: ['password', 'destination', 'code', 'enable'],
    icon: 'envelope',
    catalogue: {
      name: 'methodTypes.email',
      codeStep: 'wizard.steps.code',
      codeHint: null,
      passwordPending: 'wizard.password.pending',
      challengeIntro: 'challenge.emailIntro',
      challengeIntroNamed: null,
      challengeHint: null,
    },
  },
  sms: {
    strong: false,
    source: 'provider',
    sequence: 'random',
    provider: 'sms',
    wizardSteps: ['password', 'destination', 'code', 'enable'],
    icon: 'speech-bubble',
    catalogue: {
      name: 'methodTypes.sms',
      codeStep: 'wizard.steps.code',
      codeHint: null,
      passwordPending: 'wizard.password.pending',
      challengeIntro: 'challenge.smsIntro',
      challengeIntroNamed: null,
      challengeHint: null,
    },
  },
} as const satisfies Record<string, MethodTypeTraits>

export type MethodType = keyof typeof methodTypeTable

/** Every type name, in the usual order. */
export const methodTypes = Object.keys(methodTypeTable) as [MethodType, ...MethodType[]]

export const methodTypeSchema = z.enum(methodTypes)

export function isMethodType(value: string): value is MethodType {
  return Object.hasOwn(methodTypeTable, value)
}

export function traitsOf(type: MethodType): MethodTypeTraits {
  return methodTypeTable[type]
}

/** S8: the types "strong methods only" keeps. */
export const strongMethodTypes: readonly MethodType[] = methodTypes.filter((t) => methodTypeTable[t].strong)

export function isStrong(type: MethodType): boolean {
  return methodTypeTable[type].strong
}

/** The types whose codes a provider sends (each has a destination: an email address or a phone number). */
export type DeliveredMethodType = {
  [T in MethodType]: (typeof methodTypeTable)[T]['provider'] extends ProviderKind ? T : never
}[MethodType]

export function isDelivered(type: MethodType): type is DeliveredMethodType {
  return methodTypeTable[type].provider !== null
}

/** The provider a delivered type needs. */
export function providerOf(type: DeliveredMethodType): ProviderKind {
  return methodTypeTable[type].provider
}

/** One count per type, zero to start with (coverage). */
export function countsByType(): Record<MethodType, number> {
  return Object.fromEntries(methodTypes.map((t) => [t, 0])) as Record<MethodType, number>
}

/** The `never` check of an exhaustive switch over types: a new type fails typecheck until handled. */
export function unhandledType(type: never): never {
  throw new Error(`Unhandled method type: ${String(type)}`)
}
