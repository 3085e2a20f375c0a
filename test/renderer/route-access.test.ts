import { describe, expect, it } from 'vitest'
import { redirectFor } from '../../renderer/src/router/route-access'

describe('redirectFor', () => {
  const ready = { available: true, setupRequired: false, signedIn: false, challengePending: false }

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
})
