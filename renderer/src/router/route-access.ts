/**
 * Which page a person may see, given the app state. Pure, so the rules are
 * tested without a router:
 * - unavailable: only the page that explains why;
 * - not set up: only first-run setup;
 * - signed out: sign-in; signed in: the account pages.
 */
export type RouteAccess = 'setup' | 'guest' | 'session' | 'unavailable'

export type RouteName = 'setup' | 'sign-in' | 'account' | 'change-password' | 'unavailable'

export interface AccessState {
  readonly available: boolean
  readonly setupRequired: boolean
  readonly signedIn: boolean
}

/** The page to go to instead, or null when the requested page may be shown. */
export function redirectFor(access: RouteAccess, state: AccessState): RouteName | null {
  if (!state.available) return access === 'unavailable' ? null : 'unavailable'
  if (state.setupRequired) return access === 'setup' ? null : 'setup'
  const home: RouteName = state.signedIn ? 'account' : 'sign-in'
  switch (access) {
    case 'setup':
    case 'unavailable':
      return home
    case 'guest':
      return state.signedIn ? home : null
    case 'session':
      return state.signedIn ? null : home
  }
}
