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
  'auth:sign-out': { method: 'signOut', access: 'pending' },
  'auth:confirm-password': { method: 'confirmPassword', access: 'session' },
  'account:get-me': { method: 'getMyAccount', access: 'session' },
  'account:change-password': { method: 'changePassword', access: 'session' },
} as const

export type Channel = keyof typeof channels
export type ChannelAccess = 'public' | 'pending' | 'session' | 'admin'
export type MethodName = (typeof channels)[Channel]['method']
export type ChannelOfMethod<M extends MethodName> = {
  [C in Channel]: (typeof channels)[C]['method'] extends M ? C : never
}[Channel]

export const channelNames = Object.keys(channels) as Channel[]

export function isChannel(name: string): name is Channel {
  return Object.prototype.hasOwnProperty.call(channels, name)
}
