import { describe, expect, it } from 'vitest'
import { nodeTokenCrypto as crypto } from '../../../electron/main/adapters/tokens/node-token-crypto'
import { resyncHotp, verifyHotp, type HotpToken } from '../../../electron/main/domain/tokens/hotp-verifier'
import { oathCode } from '../../../electron/main/domain/tokens/oath-code'
import { verifyTotpToken, type TotpToken } from '../../../electron/main/domain/tokens/totp-token-verifier'

const rfcSecret = new TextEncoder().encode('12345678901234567890')
// RFC 6238 Appendix B uses a 32-byte seed for SHA-256.
const rfcSecret256 = new TextEncoder().encode('12345678901234567890123456789012')
// RFC 4226 Appendix D, counters 0…9.
const appendixD = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489']

function hotp(nextCounter = 0): HotpToken {
  return { secret: rfcSecret, hash: 'sha1', digits: 6, nextCounter }
}

describe('RFC vectors', () => {
  it('RFC 4226 Appendix D', () => {
    appendixD.forEach((code, counter) => {
      expect(oathCode(crypto, 'sha1', rfcSecret, counter, 6)).toBe(code)
    })
  })

  it('RFC 6238 Appendix B (SHA-1 and SHA-256, 8 digits, 30 s)', () => {
    const vectors: [number, string, string][] = [
      [59, '94287082', '46119246'],
      [1111111109, '07081804', '68084774'],
      [1234567890, '89005924', '91819424'],
      [20000000000, '65353130', '77737706'],
    ]
    for (const [seconds, sha1, sha256] of vectors) {
      const step = Math.floor(seconds / 30)
      expect(oathCode(crypto, 'sha1', rfcSecret, step, 8)).toBe(sha1)
      expect(oathCode(crypto, 'sha256', rfcSecret256, step, 8)).toBe(sha256)
    }
  })
})

describe('HOTP (S6, S7)', () => {
  it('accepts the next code and moves the counter past it', () => {
    expect(verifyHotp(crypto, hotp(0), appendixD[0]!)).toEqual({ ok: true, nextCounter: 1 })
  })

  it('accepts a code inside the look-ahead window and not beyond it', () => {
    expect(verifyHotp(crypto, hotp(0), appendixD[9]!)).toEqual({ ok: true, nextCounter: 10 })
    expect(verifyHotp(crypto, hotp(0), appendixD[9]!, 9)).toEqual({ ok: false, reason: 'wrong' })
    expect(verifyHotp(crypto, hotp(0), appendixD[1]!, 1)).toEqual({ ok: false, reason: 'wrong' })
  })

  it('S7: a code at or behind the last accepted counter is "reused", not "wrong"', () => {
    expect(verifyHotp(crypto, hotp(5), appendixD[4]!)).toEqual({ ok: false, reason: 'reused' })
    expect(verifyHotp(crypto, hotp(5), appendixD[0]!)).toEqual({ ok: false, reason: 'reused' })
    expect(verifyHotp(crypto, hotp(5), appendixD[5]!)).toEqual({ ok: true, nextCounter: 6 })
  })

  it('refuses a wrong code and text that is not a code', () => {
    expect(verifyHotp(crypto, hotp(0), '000000')).toEqual({ ok: false, reason: 'wrong' })
    expect(verifyHotp(crypto, hotp(0), '75522')).toEqual({ ok: false, reason: 'malformed' })
    expect(verifyHotp(crypto, hotp(0), '75522x')).toEqual({ ok: false, reason: 'malformed' })
  })

  it('S6: the window is limited to 1–50', () => {
    expect(() => verifyHotp(crypto, hotp(0), appendixD[0]!, 0)).toThrow(RangeError)
    expect(() => verifyHotp(crypto, hotp(0), appendixD[0]!, 51)).toThrow(RangeError)
    expect(verifyHotp(crypto, hotp(0), appendixD[0]!, 50).ok).toBe(true)
  })

  it('resync: two consecutive codes up to 100 counters ahead', () => {
    const code = (c: number): string => oathCode(crypto, 'sha1', rfcSecret, c, 6)
    expect(resyncHotp(crypto, hotp(0), code(70), code(71))).toEqual({ ok: true, nextCounter: 72 })
    expect(resyncHotp(crypto, hotp(0), code(99), code(100))).toEqual({ ok: true, nextCounter: 101 })
    // S6: one code is never enough, and the two must be in order and adjacent.
    expect(resyncHotp(crypto, hotp(0), code(71), code(70))).toEqual({ ok: false, reason: 'wrong' })
    expect(resyncHotp(crypto, hotp(0), code(70), code(72))).toEqual({ ok: false, reason: 'wrong' })
    expect(resyncHotp(crypto, hotp(0), code(100), code(101))).toEqual({ ok: false, reason: 'wrong' })
    // S7: used counters are not found again.
    expect(resyncHotp(crypto, hotp(10), code(3), code(4))).toEqual({ ok: false, reason: 'wrong' })
  })
})

describe('hardware TOTP (S6, S7)', () => {
  const base: TotpToken = {
    secret: rfcSecret,
    hash: 'sha1',
    digits: 8,
    period: 30,
    drift: 0,
    lastStep: null,
  }
  const at = (step: number, period = 30): number => step * period * 1000 + 1234
  const code = (step: number, t: TotpToken = base): string => oathCode(crypto, t.hash, t.secret, step, t.digits)

  it('accepts the current step and one either side, not two', () => {
    const now = at(1000)
    expect(verifyTotpToken(crypto, base, code(1000), now)).toEqual({ ok: true, step: 1000, drift: 0 })
    expect(verifyTotpToken(crypto, base, code(999), now)).toEqual({ ok: true, step: 999, drift: -1 })
    expect(verifyTotpToken(crypto, base, code(1001), now)).toEqual({ ok: true, step: 1001, drift: 1 })
    expect(verifyTotpToken(crypto, base, code(1002), now)).toEqual({ ok: false, reason: 'wrong' })
    expect(verifyTotpToken(crypto, base, code(998), now)).toEqual({ ok: false, reason: 'wrong' })
  })

  it('S6: the window follows the stored drift, and drift follows accepted codes', () => {
    const drifted = { ...base, drift: 5 }
    const now = at(1000)
    expect(verifyTotpToken(crypto, drifted, code(1006), now)).toEqual({ ok: true, step: 1006, drift: 6 })
    expect(verifyTotpToken(crypto, drifted, code(1000), now)).toEqual({ ok: false, reason: 'wrong' })
  })

  it('S6: drift is capped at ±10 steps', () => {
    const edge = { ...base, drift: 10 }
    const now = at(1000)
    expect(verifyTotpToken(crypto, edge, code(1011), now)).toEqual({ ok: true, step: 1011, drift: 10 })
    const beyond = { ...base, drift: 40 }
    expect(verifyTotpToken(crypto, beyond, code(1040), now)).toEqual({ ok: false, reason: 'wrong' })
    expect(verifyTotpToken(crypto, { ...base, drift: -10 }, code(989), now)).toEqual({
      ok: true,
      step: 989,
      drift: -10,
    })
  })

  it('S7: a step at or before the last accepted one is "reused"', () => {
    const now = at(1000)
    const used = { ...base, lastStep: 1000 }
    expect(verifyTotpToken(crypto, used, code(1000), now)).toEqual({ ok: false, reason: 'reused' })
    expect(verifyTotpToken(crypto, used, code(999), now)).toEqual({ ok: false, reason: 'reused' })
    expect(verifyTotpToken(crypto, used, code(1001), now)).toEqual({ ok: true, step: 1001, drift: 1 })
  })

  it('60-second step, 6 digits, SHA-256', () => {
    const t: TotpToken = { ...base, period: 60, digits: 6, hash: 'sha256', secret: rfcSecret256 }
    expect(verifyTotpToken(crypto, t, code(500, t), at(500, 60))).toEqual({ ok: true, step: 500, drift: 0 })
    expect(verifyTotpToken(crypto, t, code(500, t).slice(1) + 'x', at(500, 60))).toEqual({
      ok: false,
      reason: 'malformed',
    })
  })
})
