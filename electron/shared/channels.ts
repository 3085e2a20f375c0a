/**
 * Channel names, the preload method that calls each, and who may call it.
 * Plain data with no imports, so the preload can use it without pulling in zod.
 *
 * access:
 * - `public`: no session needed (first-run setup, sign-in, app state).
 * - `pending`: a session waiting for its second factor may call it (S14), and so may a full one.
 * - `session`: a full session.
 * - `admin`: a full session of an administrator.
 *
 * stepUp (S15, S32): the channel needs a password check within the step-up
 * window. The router enforces it beside `access`, so no handler checks it by
 * hand. Every channel states it, true or false, so a new channel cannot be
 * added without deciding.
 */
export interface ChannelSpec {
  readonly method: string
  readonly access: ChannelAccess
  readonly stepUp: boolean
}

export const channels = {
  'app:get-state': { method: 'getAppState', access: 'public', stepUp: false },
  'setup:create-admin': { method: 'createFirstAdmin', access: 'public', stepUp: false },
  'auth:sign-in': { method: 'signIn', access: 'public', stepUp: false },
  'auth:redeem-setup-code': { method: 'redeemSetupCode', access: 'public', stepUp: false },
  'auth:sign-out': { method: 'signOut', access: 'pending', stepUp: false },
  'auth:get-challenge': { method: 'getChallenge', access: 'pending', stepUp: false },
  'auth:send-code': { method: 'sendSignInCode', access: 'pending', stepUp: false },
  'auth:verify-code': { method: 'verifySignInCode', access: 'pending', stepUp: false },
  'auth:use-recovery-code': { method: 'useRecoveryCode', access: 'pending', stepUp: false },
  'auth:confirm-password': { method: 'confirmPassword', access: 'session', stepUp: false },
  'account:get-me': { method: 'getMyAccount', access: 'session', stepUp: false },
  'account:change-password': { method: 'changePassword', access: 'session', stepUp: true },
  'account:begin-contact-change': { method: 'beginContactChange', access: 'session', stepUp: true },
  'account:confirm-contact-change': { method: 'confirmContactChange', access: 'session', stepUp: false },
  'mfa:list': { method: 'listMethods', access: 'session', stepUp: false },
  'mfa:begin-enrollment': { method: 'beginEnrollment', access: 'session', stepUp: true },
  'mfa:resend-enrollment-code': { method: 'resendEnrollmentCode', access: 'session', stepUp: false },
  'mfa:verify-enrollment': { method: 'verifyEnrollment', access: 'session', stepUp: false },
  'mfa:enable-enrollment': { method: 'enableEnrollment', access: 'session', stepUp: true },
  'mfa:cancel-enrollment': { method: 'cancelEnrollment', access: 'session', stepUp: false },
  'mfa:set-preferred': { method: 'setPreferredMethod', access: 'session', stepUp: true },
  'mfa:rename-method': { method: 'renameMethod', access: 'session', stepUp: false },
  'mfa:remove-method': { method: 'removeMethod', access: 'session', stepUp: true },
  'mfa:regenerate-recovery-codes': { method: 'regenerateRecoveryCodes', access: 'session', stepUp: true },
  'settings:get': { method: 'getSettings', access: 'session', stepUp: false },
  'settings:set-site-name': { method: 'setSiteName', access: 'admin', stepUp: true },
  'provider:get': { method: 'getProviders', access: 'admin', stepUp: false },
  'provider:set-email': { method: 'setEmailProvider', access: 'admin', stepUp: true },
  'provider:set-sms': { method: 'setSmsProvider', access: 'admin', stepUp: true },
  'provider:clear': { method: 'clearProvider', access: 'admin', stepUp: true },
  'provider:set-sms-countries': { method: 'setSmsCountries', access: 'admin', stepUp: true },
  'provider:test': { method: 'testProvider', access: 'admin', stepUp: true },
  'audit:list': { method: 'listAudit', access: 'admin', stepUp: false },
  'audit:verify': { method: 'verifyAudit', access: 'admin', stepUp: false },
  'admin:list-accounts': { method: 'adminListAccounts', access: 'admin', stepUp: false },
  'admin:get-account': { method: 'adminGetAccount', access: 'admin', stepUp: false },
  'admin:create-account': { method: 'adminCreateAccount', access: 'admin', stepUp: true },
  'admin:update-account': { method: 'adminUpdateAccount', access: 'admin', stepUp: true },
  'admin:set-disabled': { method: 'adminSetDisabled', access: 'admin', stepUp: true },
  'admin:delete-account': { method: 'adminDeleteAccount', access: 'admin', stepUp: true },
  'admin:reset-password': { method: 'adminResetPassword', access: 'admin', stepUp: true },
  'admin:reset-mfa': { method: 'adminResetMfa', access: 'admin', stepUp: true },
  'admin:unlock': { method: 'adminUnlock', access: 'admin', stepUp: true },
  'admin:coverage': { method: 'adminCoverage', access: 'admin', stepUp: false },
  'policy:get': { method: 'getPolicy', access: 'admin', stepUp: false },
  'policy:set': { method: 'setPolicy', access: 'admin', stepUp: true },
} as const satisfies Record<string, ChannelSpec>

export type Channel = keyof typeof channels
export type ChannelAccess = 'public' | 'pending' | 'session' | 'admin'
export type MethodName = (typeof channels)[Channel]['method']
export type ChannelOfMethod<M extends MethodName> = {
  [C in Channel]: (typeof channels)[C]['method'] extends M ? C : never
}[Channel]

export const channelNames = Object.keys(channels) as Channel[]

/**
 * What a session that must set up MFA first (policy Required, past its grace
 * period) may call besides the `pending` channels: the wizard and nothing else.
 */
export const allowedDuringRequiredSetup: ReadonlySet<Channel> = new Set<Channel>([
  'auth:confirm-password',
  'account:get-me',
  'settings:get',
  'mfa:list',
  'mfa:begin-enrollment',
  'mfa:resend-enrollment-code',
  'mfa:verify-enrollment',
  'mfa:enable-enrollment',
  'mfa:cancel-enrollment',
])

export function isChannel(name: string): name is Channel {
  return Object.prototype.hasOwnProperty.call(channels, name)
}
