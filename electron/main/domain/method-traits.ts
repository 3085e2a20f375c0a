import type { MethodType } from '../../shared/method-types'

/**
 * The traits of each method type that only the main process needs, keyed by
 * the names of the shared table (electron/shared/method-types.ts): a `Record`
 * over every type, so a new type fails typecheck until it has its entry.
 */
export interface ServerMethodTraits {
  /** The type's name in English text (the CLI, reports), capitalised as a heading. */
  readonly displayName: string
  /** The label a new method gets when its owner gives none. */
  readonly defaultLabel: string
  /** How the policy's refusal names the type: "The site policy does not allow …". */
  readonly policyName: string
  /** Where the person reads the code of a type that has nothing to send ("Open … for this code"); null when a provider sends it. */
  readonly codeShownBy: string | null
}

export const serverMethodTraits: Record<MethodType, ServerMethodTraits> = {
  totp: {
    displayName: 'Authenticator app',
    defaultLabel: 'Authenticator app',
    policyName: 'authenticator apps',
    codeShownBy: 'your authenticator app',
  },
  email: { displayName: 'Email', defaultLabel: 'Email', policyName: 'email codes', codeShownBy: null },
  sms: {
    displayName: 'Text message',
    defaultLabel: 'Text message',
    policyName: 'text-message codes',
    codeShownBy: null,
  },
}
