/**
 * Which page a person may see, given the app state. Pure, so the rules are
 * tested without a router:
 * - unavailable: only the page that explains why;
 * - not set up: only first-run setup;
 * - signed out: sign-in; password right but a second factor owed (S14): only
 *   the second-factor page (its "Cancel" leads back); signed in: the account pages.
 */
export type RouteAccess = 'setup' | 'guest' | 'challenge' | 'session' | 'unavailable'

export type RouteName =
  | 'setup'
  | 'sign-in'
  | 'sign-in-challenge'
  | 'account'
  | 'change-password'
  | 'change-email'
  | 'change-phone'
  | 'mfa-setup'
  | 'unavailable'

export interface AccessState {
  readonly available: boolean
  readonly setupRequired: boolean
  readonly signedIn: boolean
  /** A second-factor challenge is waiting (the password was right). */
  readonly challengePending: boolean
}

/** The page to go to instead, or null when the requested page may be shown. */
export function redirectFor(access: RouteAccess, state: AccessState): RouteName | null {
  if (!state.available) return access === 'unavailable' ? null : 'unavailable'
  if (state.setupRequired) return access === 'setup' ? null : 'setup'
  const home: RouteName = state.signedIn ? 'account' : state.challengePending ? 'sign-in-challenge' : 'sign-in'
  switch (access) {
    case 'setup':
    case 'unavailable':
      return home
    case 'guest':
    case 'challenge':
      return home === (access === 'guest' ? 'sign-in' : 'sign-in-challenge') ? null : home
    case 'session':
      return state.signedIn ? null : home
  }
}
