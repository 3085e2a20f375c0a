import fc from 'fast-check'
import { generateSync } from 'otplib'
import { describe, expect, it } from 'vitest'
import { totpEngine, totpCodeAt } from '../../../electron/main/adapters/otp/totp-engine'
import type { TotpParams } from '../../../electron/main/services/mfa-ports'

// RFC 6238 Appendix B: each algorithm with its own seed length (20, 32, 64 bytes).
const seeds = {
  sha1: Buffer.from('12345678901234567890'),
  sha256: Buffer.from('12345678901234567890123456789012'),
  sha512: Buffer.from('1234567890123456789012345678901234567890123456789012345678901234'),
}
const vectors: [number, string, string, string][] = [
  [59, '94287082', '46119246', '90693936'],
  [1111111109, '07081804', '68084774', '25091201'],
  [1111111111, '14050471', '67062674', '99943326'],
  [1234567890, '89005924', '91819424', '93441116'],
  [2000000000, '69279037', '90698825', '38618901'],
  [20000000000, '65353130', '77737706', '47863826'],
]

describe('TOTP (S4, S6)', () => {
  for (const [time, sha1, sha256, sha512] of vectors) {
    it(`S4: RFC 6238 vectors at T=${time}`, () => {
      const expected = { sha1, sha256, sha512 }
      for (const algorithm of ['sha1', 'sha256', 'sha512'] as const) {
        const params: TotpParams = { algorithm, digits: 8, period: 30 }
        const secret = new Uint8Array(seeds[algorithm])
        expect(totpCodeAt(secret, params, time * 1000)).toBe(expected[algorithm])
        // The verifying side agrees, and names the step it matched.
        expect(
          totpEngine.verify({ secret, code: expected[algorithm], params, nowMs: time * 1000, afterStep: null }),
        ).toBe(Math.floor(time / 30))
      }
    })
  }

  it('S4: RFC 4226 Appendix D HOTP vectors', () => {
    const hotp = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489']
    hotp.forEach((code, counter) => {
      expect(generateSync({ strategy: 'hotp', secret: new Uint8Array(seeds.sha1), counter })).toBe(code)
    })
  })

  it('S6: accepts one step of drift either way and no more', () => {
    const secret = new Uint8Array(seeds.sha1)
    const params: TotpParams = { algorithm: 'sha1', digits: 6, period: 30 }
    const now = 1_700_000_010_000
    const at = (offsetSteps: number) => totpCodeAt(secret, params, now + offsetSteps * 30_000)
    const verify = (code: string) => totpEngine.verify({ secret, code, params, nowMs: now, afterStep: null })
    expect(verify(at(0))).not.toBeNull()
    expect(verify(at(-1))).not.toBeNull()
    expect(verify(at(1))).not.toBeNull()
    expect(verify(at(-2))).toBeNull()
    expect(verify(at(2))).toBeNull()
  })

  it('S7: refuses the last accepted step and every earlier one', () => {
    const secret = new Uint8Array(seeds.sha1)
    const params: TotpParams = { algorithm: 'sha1', digits: 6, period: 30 }
    const now = 1_700_000_010_000
    const step = Math.floor(now / 30_000)
    const code = totpCodeAt(secret, params, now)
    expect(totpEngine.verify({ secret, code, params, nowMs: now, afterStep: step - 1 })).toBe(step)
    expect(totpEngine.verify({ secret, code, params, nowMs: now, afterStep: step })).toBeNull()
    const previous = totpCodeAt(secret, params, now - 30_000)
    expect(totpEngine.verify({ secret, code: previous, params, nowMs: now, afterStep: step })).toBeNull()
  })

  it('S4, S6: the check agrees with otplib for any secret, algorithm, length and time', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 16, maxLength: 64 }),
        fc.constantFrom('sha1', 'sha256', 'sha512'),
        fc.constantFrom(6, 8),
        fc.integer({ min: 120_000, max: 4_000_000_000_000 }),
        fc.integer({ min: -3, max: 3 }),
        (secret, algorithm, digits, nowMs, offset) => {
          const params: TotpParams = { algorithm, digits: digits === 8 ? 8 : 6, period: 30 }
          const code = totpCodeAt(secret, params, nowMs + offset * 30_000)
          const step = totpEngine.verify({ secret, code, params, nowMs, afterStep: null })
          // The newest step within one of now whose code (by otplib) is the one typed, or null.
          const current = Math.floor(nowMs / 30_000)
          const expected = [current + 1, current, current - 1].find(
            (candidate) => totpCodeAt(secret, params, candidate * 30_000) === code,
          )
          expect(step).toBe(expected ?? null)
          if (Math.abs(offset) <= 1) expect(step).toBeGreaterThanOrEqual(current + offset)
        },
      ),
      { numRuns: 300 },
    )
  })

  it('S4: refuses, without throwing, a secret under 128 bits or parameters no enrollment writes', () => {
    const secret = new Uint8Array(seeds.sha1)
    const params: TotpParams = { algorithm: 'sha1', digits: 6, period: 30 }
    const now = 1_700_000_010_000
    const code = totpCodeAt(secret, params, now)
    const verify = (s: Uint8Array, p: TotpParams, at = now) =>
      totpEngine.verify({ secret: s, code, params: p, nowMs: at, afterStep: null })
    expect(verify(secret, params)).toBe(Math.floor(now / 30_000))
    expect(verify(secret.subarray(0, 15), params)).toBeNull()
    expect(verify(secret, { ...params, period: 0 } as unknown as TotpParams)).toBeNull()
    expect(verify(secret, { ...params, digits: 7 } as unknown as TotpParams)).toBeNull()
    expect(verify(secret, params, Number.NaN)).toBeNull()
  })

  it('refuses codes of the wrong shape without throwing', () => {
    const secret = new Uint8Array(seeds.sha1)
    const params: TotpParams = { algorithm: 'sha1', digits: 6, period: 30 }
    for (const code of ['', '12345', '1234567', 'abcdef', '12 345']) {
      expect(totpEngine.verify({ secret, code, params, nowMs: 0, afterStep: null })).toBeNull()
    }
  })

  it('makes an otpauth URI with issuer and label', () => {
    const uri = totpEngine.uri({
      issuer: 'Acme Site',
      label: 'Acme Site:alice',
      secret: new Uint8Array(seeds.sha1),
      params: { algorithm: 'sha256', digits: 8, period: 30 },
    })
    const url = new URL(uri)
    expect(url.protocol).toBe('otpauth:')
    expect(url.searchParams.get('issuer')).toBe('Acme Site')
    expect(url.searchParams.get('algorithm')).toBe('SHA256')
    expect(url.searchParams.get('digits')).toBe('8')
    expect(url.searchParams.get('secret')).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ')
  })
})
