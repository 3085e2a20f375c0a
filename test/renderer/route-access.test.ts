import { describe, expect, it } from 'vitest'
import { redirectFor } from '../../renderer/src/router/route-access'

describe('redirectFor', () => {
  const ready = {
    available: true,
    setupRequired: false,
    signedIn: false,
    challengePending: false,
    mfaSetupRequired: false,
    isAdmin: false,
  }

  it('sends every page to the unavailable page while the app is unavailable', () => {
    const state = { ...ready, available: false }
    expect(redirectFor('setup', state)).toBe('unavailable')
    expect(redirectFor('guest', state)).toBe('unavailable')
    expect(redirectFor('session', { ...state, signedIn: true })).toBe('unavailable')
    expect(redirectFor('unavailable', state)).toBeNull()
  })

  it('allows only first-run setup until the first administrator exists', () => {
    const state = { ...ready, setupRequired: true }
    expect(redirectFor('guest', state)).toBe('setup')
    expect(redirectFor('session', state)).toBe('setup')
    expect(redirectFor('unavailable', state)).toBe('setup')
    expect(redirectFor('setup', state)).toBeNull()
  })

  it('sends a signed-out person to sign-in and a signed-in one to their account', () => {
    expect(redirectFor('session', ready)).toBe('sign-in')
    expect(redirectFor('guest', ready)).toBeNull()
    expect(redirectFor('setup', ready)).toBe('sign-in')
    expect(redirectFor('unavailable', ready)).toBe('sign-in')

    const signedIn = { ...ready, signedIn: true }
    expect(redirectFor('session', signedIn)).toBeNull()
    expect(redirectFor('guest', signedIn)).toBe('account')
    expect(redirectFor('setup', signedIn)).toBe('account')
    expect(redirectFor('challenge', signedIn)).toBe('account')
  })

  it('S14: while a second factor is owed, only the second-factor page is open', () => {
    const pending = { ...ready, challengePending: true }
    expect(redirectFor('challenge', pending)).toBeNull()
    expect(redirectFor('guest', pending)).toBe('sign-in-challenge')
    expect(redirectFor('session', pending)).toBe('sign-in-challenge')
    expect(redirectFor('setup', pending)).toBe('sign-in-challenge')
    // Without a challenge the page has nothing to ask: back to sign-in.
    expect(redirectFor('challenge', ready)).toBe('sign-in')
  })

  it('keeps the administration pages for administrators; a user is sent to their account', () => {
    const user = { ...ready, signedIn: true }
    expect(redirectFor('admin', user)).toBe('account')
    expect(redirectFor('admin', { ...user, isAdmin: true })).toBeNull()
    expect(redirectFor('admin', ready)).toBe('sign-in')
    expect(redirectFor('admin', { ...ready, challengePending: true, isAdmin: true })).toBe('sign-in-challenge')
  })

  it('S14: once MFA must be set up first, only the setup pages are open', () => {
    const mustEnroll = { ...ready, signedIn: true, mfaSetupRequired: true, isAdmin: true }
    expect(redirectFor('enroll', mustEnroll)).toBeNull()
    expect(redirectFor('session', mustEnroll)).toBe('mfa-choose')
    expect(redirectFor('admin', mustEnroll)).toBe('mfa-choose')
    expect(redirectFor('guest', mustEnroll)).toBe('mfa-choose')
    expect(redirectFor('setup', mustEnroll)).toBe('mfa-choose')
    // Without that, the setup pages are open to anyone signed in (Set up now), and to nobody else.
    expect(redirectFor('enroll', { ...ready, signedIn: true })).toBeNull()
    expect(redirectFor('enroll', ready)).toBe('sign-in')
  })
})
