import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { nodeTokenCrypto as crypto } from '../../electron/main/adapters/tokens/node-token-crypto'
import { resyncHotp, verifyHotp } from '../../electron/main/domain/tokens/hotp-verifier'
import { modhexToBytes } from '../../electron/main/domain/tokens/modhex'
import { verifyTotpToken } from '../../electron/main/domain/tokens/totp-token-verifier'
import { verifyYubicoOtp } from '../../electron/main/domain/tokens/yubico-otp-verifier'

/**
 * S25: whatever a person or a key types, the verifiers answer with a result, never throw, and
 * never accept what they cannot have produced. `npm run fuzz` sets KEYHOLD_FUZZ_RUNS=10000.
 */
const runs = Number(process.env.KEYHOLD_FUZZ_RUNS ?? 200)
const secret = new Uint8Array(20).fill(7)

describe('token verifiers under random input (S25)', () => {
  it('HOTP and resync: any text, any window in policy, any stored counter', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.string(),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 0, max: 2 ** 40 }),
        fc.constantFrom(6 as const, 8 as const),
        (code, second, window, nextCounter, digits) => {
          const token = { secret, hash: 'sha1' as const, digits, nextCounter }
          const result = verifyHotp(crypto, token, code, window)
          if (result.ok) expect(result.nextCounter).toBeGreaterThan(nextCounter)
          expect(typeof resyncHotp(crypto, token, code, second).ok).toBe('boolean')
        },
      ),
      { numRuns: runs },
    )
  })

  it('TOTP: any text, any time, any stored drift and step', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.integer({ min: 0, max: 2 ** 42 }),
        fc.integer({ min: -1000, max: 1000 }),
        fc.option(fc.integer({ min: 0, max: 2 ** 36 })),
        (code, nowMs, drift, lastStep) => {
          const token = { secret, hash: 'sha256' as const, digits: 6 as const, period: 30 as const, drift, lastStep }
          const result = verifyTotpToken(crypto, token, code, nowMs)
          if (result.ok) {
            expect(Math.abs(result.drift)).toBeLessThanOrEqual(10)
            if (lastStep !== null) expect(result.step).toBeGreaterThan(lastStep)
          }
        },
      ),
      { numRuns: runs },
    )
  })

  it('Yubico OTP: random text and random modhex after the right public id are refused', () => {
    const token = {
      publicId: 'cccccccccccb',
      aesKey: new Uint8Array(16).fill(1),
      privateId: new Uint8Array(6).fill(2),
      lastUsage: 0,
      lastSession: 0,
    }
    const modhex = fc.stringMatching(/^[cbdefghijklnrtuv]{32}$/)
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          modhex.map((tail) => token.publicId + tail),
        ),
        (otp) => {
          const result = verifyYubicoOtp(crypto, token, otp)
          // A random block passes CRC and private id with odds of 2^-64: never in a test run.
          expect(result.ok).toBe(false)
        },
      ),
      { numRuns: runs },
    )
    expect(() => modhexToBytes('xx')).toThrow(RangeError)
  })
})
