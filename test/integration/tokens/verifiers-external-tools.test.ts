/**
 * The verifiers against tools nobody here wrote: oathtool (HOTP and TOTP codes) and the YubiKey
 * simulator of Debian's python3-yubiotp (Yubico OTPs). scripts/system-deps.mjs installs both.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { nodeTokenCrypto as crypto } from '../../../electron/main/adapters/tokens/node-token-crypto'
import { resyncHotp, verifyHotp } from '../../../electron/main/domain/tokens/hotp-verifier'
import { verifyTotpToken, type TotpToken } from '../../../electron/main/domain/tokens/totp-token-verifier'
import { verifyYubicoOtp, type YubicoToken } from '../../../electron/main/domain/tokens/yubico-otp-verifier'

const secretHex = '3132333435363738393031323334353637383930'
const secret = Buffer.from(secretHex, 'hex')
const secret256Hex = '3132333435363738393031323334353637383930313233343536373839303132'

function oathtool(args: string[]): string {
  return execFileSync('oathtool', args, { encoding: 'utf8' }).trim()
}

describe('HOTP against oathtool --hotp', () => {
  const hotpCode = (counter: number, digits = 6): string =>
    oathtool(['--hotp', '-c', String(counter), '-d', String(digits), secretHex])

  it('accepts oathtool codes in turn; S7: the same code twice is refused as reused', () => {
    let nextCounter = 0
    for (let counter = 0; counter < 5; counter += 1) {
      const code = hotpCode(counter)
      const result = verifyHotp(crypto, { secret, hash: 'sha1', digits: 6, nextCounter }, code)
      expect(result).toEqual({ ok: true, nextCounter: counter + 1 })
      nextCounter = counter + 1
      expect(verifyHotp(crypto, { secret, hash: 'sha1', digits: 6, nextCounter }, code)).toEqual({
        ok: false,
        reason: 'reused',
      })
    }
  })

  it('S6: window and resync with 8-digit codes', () => {
    const token = { secret, hash: 'sha1' as const, digits: 8 as const, nextCounter: 20 }
    expect(verifyHotp(crypto, token, hotpCode(29, 8))).toEqual({ ok: true, nextCounter: 30 })
    expect(verifyHotp(crypto, token, hotpCode(30, 8))).toEqual({ ok: false, reason: 'wrong' })
    expect(resyncHotp(crypto, token, hotpCode(90, 8), hotpCode(91, 8))).toEqual({ ok: true, nextCounter: 92 })
  })
})

describe('hardware TOTP against oathtool --totp', () => {
  const epoch = 1_800_000_000
  const totpCode = (seconds: number, period: number, digits: number, sha: string, key: string): string =>
    oathtool([`--totp=${sha}`, '-N', `@${seconds}`, `--time-step-size=${period}`, '--digits', String(digits), key])

  const cases: { period: 30 | 60; digits: 6 | 8; hash: 'sha1' | 'sha256' }[] = [
    { period: 30, digits: 6, hash: 'sha1' },
    { period: 60, digits: 8, hash: 'sha1' },
    { period: 30, digits: 8, hash: 'sha256' },
    { period: 60, digits: 6, hash: 'sha256' },
  ]
  for (const { period, digits, hash } of cases) {
    it(`${period} s, ${digits} digits, ${hash}`, () => {
      const key = hash === 'sha1' ? secretHex : secret256Hex
      const token: TotpToken = {
        secret: Buffer.from(key, 'hex'),
        hash,
        digits,
        period,
        drift: 0,
        lastStep: null,
      }
      const code = totpCode(epoch, period, digits, hash.toUpperCase(), key)
      const step = Math.floor(epoch / period)
      expect(verifyTotpToken(crypto, token, code, epoch * 1000)).toEqual({ ok: true, step, drift: 0 })
      // S7: replay of the accepted step.
      expect(verifyTotpToken(crypto, { ...token, lastStep: step }, code, epoch * 1000)).toEqual({
        ok: false,
        reason: 'reused',
      })
    })
  }

  it('S6: a fob 4 steps fast is learned from one accepted code at the edge, then kept', () => {
    const token: TotpToken = { secret, hash: 'sha1', digits: 6, period: 30, drift: 3, lastStep: null }
    const now = epoch * 1000
    const fobCode = totpCode(epoch + 4 * 30, 30, 6, 'SHA1', secretHex)
    const first = verifyTotpToken(crypto, token, fobCode, now)
    expect(first).toEqual({ ok: true, step: Math.floor(epoch / 30) + 4, drift: 4 })
    // Without the stored drift the same fob would be refused.
    const later = epoch + 600
    const laterCode = totpCode(later + 4 * 30, 30, 6, 'SHA1', secretHex)
    expect(verifyTotpToken(crypto, { ...token, drift: 0, lastStep: null }, laterCode, later * 1000).ok).toBe(false)
    if (!first.ok) throw new Error('unreachable')
    expect(
      verifyTotpToken(crypto, { ...token, drift: first.drift, lastStep: first.step }, laterCode, later * 1000).ok,
    ).toBe(true)
  })
})

describe('Yubico OTP against the python3-yubiotp simulator', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keyhold-yubikey-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  const publicId = 'vvcccccbdefg'
  const keyHex = '8e2b5c4a1f3d7e6b9a0c1d2e3f405162'
  const uidHex = 'a1b2c3d4e5f6'
  let n = 0

  function simulator(): () => string {
    n += 1
    const state = join(dir, `state-${n}`)
    const run = (args: string[]): string =>
      execFileSync('/usr/bin/yubikey', ['-f', state, ...args], {
        encoding: 'utf8',
        env: { ...process.env, PYTHONWARNINGS: 'ignore' },
      }).trim()
    run(['init', '-p', publicId, '-k', keyHex, '-u', uidHex, '-s', '1'])
    return () => run(['gen'])
  }

  const token = (over: Partial<YubicoToken> = {}): YubicoToken => ({
    publicId,
    aesKey: Buffer.from(keyHex, 'hex'),
    privateId: Buffer.from(uidHex, 'hex'),
    lastUsage: null,
    lastSession: null,
    ...over,
  })

  it('accepts each OTP once, in order; S7: replay and an older OTP are refused', () => {
    const gen = simulator()
    const otps = [gen(), gen(), gen()]
    let state = token()
    for (const otp of otps) {
      expect(otp).toHaveLength(44)
      const result = verifyYubicoOtp(crypto, state, otp)
      if (!result.ok) throw new Error(`refused: ${result.reason}`)
      state = { ...state, lastUsage: result.usage, lastSession: result.session }
      expect(verifyYubicoOtp(crypto, state, otp)).toEqual({ ok: false, reason: 'reused' })
    }
    expect(verifyYubicoOtp(crypto, state, otps[0]!)).toEqual({ ok: false, reason: 'reused' })
  })

  it('wrong AES key, wrong private id, damaged ciphertext', () => {
    const otp = simulator()()
    expect(verifyYubicoOtp(crypto, token({ aesKey: Buffer.alloc(16, 7) }), otp)).toEqual({
      ok: false,
      reason: 'bad-crc',
    })
    expect(verifyYubicoOtp(crypto, token({ privateId: Buffer.alloc(6) }), otp)).toEqual({
      ok: false,
      reason: 'wrong-private-id',
    })
    const last = otp[43] === 'c' ? 'b' : 'c'
    expect(verifyYubicoOtp(crypto, token(), otp.slice(0, 43) + last)).toEqual({ ok: false, reason: 'bad-crc' })
  })
})
