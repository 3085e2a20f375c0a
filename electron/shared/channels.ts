/**
 * Channel names, the preload method that calls each, and who may call it.
 * Plain data with no imports, so the preload can use it without pulling in zod.
 *
 * access:
 * - `public`: no session needed (first-run setup, sign-in, app state).
 * - `pending`: a session waiting for its second factor may call it (S14), and so may a full one.
 * - `session`: a full session.
 * - `admin`: a full session of an administrator.
 */
export const channels = {
  'app:get-state': { method: 'getAppState', access: 'public' },
  'setup:create-admin': { method: 'createFirstAdmin', access: 'public' },
  'auth:sign-in': { method: 'signIn', access: 'public' },
  'auth:redeem-setup-code': { method: 'redeemSetupCode', access: 'public' },
  'auth:sign-out': { method: 'signOut', access: 'pending' },
  'auth:get-challenge': { method: 'getChallenge', access: 'pending' },
  'auth:send-code': { method: 'sendSignInCode', access: 'pending' },
  'auth:verify-code': { method: 'verifySignInCode', access: 'pending' },
  'auth:use-recovery-code': { method: 'useRecoveryCode', access: 'pending' },
  'auth:confirm-password': { method: 'confirmPassword', access: 'session' },
  'account:get-me': { method: 'getMyAccount', access: 'session' },
  'account:change-password': { method: 'changePassword', access: 'session' },
  'account:begin-contact-change': { method: 'beginContactChange', access: 'session' },
  'account:confirm-contact-change': { method: 'confirmContactChange', access: 'session' },
  'mfa:list': { method: 'listMethods', access: 'session' },
  'mfa:begin-enrollment': { method: 'beginEnrollment', access: 'session' },
  'mfa:resend-enrollment-code': { method: 'resendEnrollmentCode', access: 'session' },
  'mfa:verify-enrollment': { method: 'verifyEnrollment', access: 'session' },
  'mfa:enable-enrollment': { method: 'enableEnrollment', access: 'session' },
  'mfa:cancel-enrollment': { method: 'cancelEnrollment', access: 'session' },
  'mfa:set-preferred': { method: 'setPreferredMethod', access: 'session' },
  'mfa:rename-method': { method: 'renameMethod', access: 'session' },
  'mfa:remove-method': { method: 'removeMethod', access: 'session' },
  'mfa:regenerate-recovery-codes': { method: 'regenerateRecoveryCodes', access: 'session' },
  'settings:get': { method: 'getSettings', access: 'session' },
  'settings:set-site-name': { method: 'setSiteName', access: 'admin' },
  'provider:get': { method: 'getProviders', access: 'admin' },
  'provider:set-email': { method: 'setEmailProvider', access: 'admin' },
  'provider:set-sms': { method: 'setSmsProvider', access: 'admin' },
  'provider:clear': { method: 'clearProvider', access: 'admin' },
  'provider:set-sms-countries': { method: 'setSmsCountries', access: 'admin' },
  'provider:test': { method: 'testProvider', access: 'admin' },
  'audit:list': { method: 'listAudit', access: 'admin' },
  'audit:verify': { method: 'verifyAudit', access: 'admin' },
  'admin:list-accounts': { method: 'adminListAccounts', access: 'admin' },
  'admin:get-account': { method: 'adminGetAccount', access: 'admin' },
  'admin:create-account': { method: 'adminCreateAccount', access: 'admin' },
  'admin:update-account': { method: 'adminUpdateAccount', access: 'admin' },
  'admin:set-disabled': { method: 'adminSetDisabled', access: 'admin' },
  'admin:delete-account': { method: 'adminDeleteAccount', access: 'admin' },
  'admin:reset-password': { method: 'adminResetPassword', access: 'admin' },
  'admin:reset-mfa': { method: 'adminResetMfa', access: 'admin' },
  'admin:unlock': { method: 'adminUnlock', access: 'admin' },
  'admin:coverage': { method: 'adminCoverage', access: 'admin' },
  'policy:get': { method: 'getPolicy', access: 'admin' },
  'policy:set': { method: 'setPolicy', access: 'admin' },
} as const

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
