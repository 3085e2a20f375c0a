import { describe, expect, it } from 'vitest'
import {
  afterFailure,
  attemptsLeftBeforeLock,
  lockStatus,
  unlockedState,
  type LockState,
} from '../../../electron/main/domain/lockout'
import { defaultPolicy } from '../../../electron/main/domain/policy'

const minute = 60_000
const t0 = 1_000_000

function fail(times: number, start: LockState = unlockedState, now = t0): LockState {
  let state = start
  for (let i = 0; i < times; i++) state = afterFailure(state, now, defaultPolicy)
  return state
}

describe('lockout arithmetic (S13)', () => {
  it('does not lock before the threshold and counts attempts left', () => {
    const state = fail(9)
    expect(lockStatus(state, t0)).toEqual({ locked: false })
    expect(attemptsLeftBeforeLock(state, defaultPolicy)).toBe(1)
    expect(attemptsLeftBeforeLock(unlockedState, defaultPolicy)).toBe(10)
  })

  it('locks for 15 minutes at the 10th consecutive failure', () => {
    const state = fail(10)
    expect(lockStatus(state, t0)).toEqual({ locked: true, until: t0 + 15 * minute })
    expect(lockStatus(state, t0 + 15 * minute)).toEqual({ locked: false })
  })

  it('doubles each further lock and caps at 24 hours', () => {
    const durations: number[] = []
    let state = unlockedState
    for (let lock = 1; lock <= 9; lock++) {
      state = fail(10, state)
      durations.push((state.lockedUntil ?? 0) - t0)
    }
    expect(durations.slice(0, 4)).toEqual([15, 30, 60, 120].map((m) => m * minute))
    expect(Math.max(...durations)).toBe(24 * 60 * minute)
  })

  it('needs an administrator after 100 consecutive failures', () => {
    const state = fail(100)
    expect(state.adminLocked).toBe(true)
    expect(lockStatus(state, t0 + 365 * 24 * 60 * minute)).toEqual({ locked: true, until: null })
    expect(attemptsLeftBeforeLock(fail(95), defaultPolicy)).toBe(5)
  })

  it('honours a different threshold from the policy', () => {
    const policy = { ...defaultPolicy, lockoutThreshold: 3 }
    let state = unlockedState
    for (let i = 0; i < 3; i++) state = afterFailure(state, t0, policy)
    expect(lockStatus(state, t0).locked).toBe(true)
  })
})
