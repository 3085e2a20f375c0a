/**
 * Which page a person may see, given the app state. Pure, so the rules are
 * tested without a router:
 * - unavailable: only the page that explains why;
 * - not set up: only first-run setup;
 * - signed out: sign-in (and redeeming a setup code); password right but a
 *   second factor owed (S14): only the second-factor page (its "Cancel" leads
 *   back); signed in: the account pages;
 * - signed in, but the policy requires MFA and the grace period is over: only
 *   the setup pages (the main process refuses everything else anyway, S14);
 * - the administration pages: administrators only. This only spares a user
 *   pages that could not load: the main process checks the role on every call.
 */
export type RouteAccess = 'setup' | 'guest' | 'challenge' | 'session' | 'enroll' | 'admin' | 'unavailable'

export type RouteName =
  | 'setup'
  | 'sign-in'
  | 'redeem-setup-code'
  | 'sign-in-challenge'
  | 'account'
  | 'change-password'
  | 'change-email'
  | 'change-phone'
  | 'mfa-choose'
  | 'mfa-setup'
  | 'admin-accounts'
  | 'admin-account'
  | 'admin-policy'
  | 'admin-providers'
  | 'admin-audit'
  | 'admin-coverage'
  | 'admin-settings'
  | 'unavailable'

export interface AccessState {
  readonly available: boolean
  readonly setupRequired: boolean
  readonly signedIn: boolean
  /** A second-factor challenge is waiting (the password was right). */
  readonly challengePending: boolean
  /** The signed-in account must set up MFA before anything else (policy Required, past the grace period). */
  readonly mfaSetupRequired: boolean
  /** The signed-in account has the admin role. */
  readonly isAdmin: boolean
}

/** The page to go to instead, or null when the requested page may be shown. */
export function redirectFor(access: RouteAccess, state: AccessState): RouteName | null {
  if (!state.available) return access === 'unavailable' ? null : 'unavailable'
  if (state.setupRequired) return access === 'setup' ? null : 'setup'
  const home: RouteName = state.signedIn
    ? state.mfaSetupRequired
      ? 'mfa-choose'
      : 'account'
    : state.challengePending
      ? 'sign-in-challenge'
      : 'sign-in'
  switch (access) {
    case 'setup':
    case 'unavailable':
      return home
    case 'guest':
      return state.signedIn || state.challengePending ? home : null
    case 'challenge':
      return home === 'sign-in-challenge' ? null : home
    case 'enroll':
      return state.signedIn ? null : home
    case 'session':
      return state.signedIn && !state.mfaSetupRequired ? null : home
    case 'admin':
      if (!state.signedIn || state.mfaSetupRequired) return home
      return state.isAdmin ? null : 'account'
  }
}
