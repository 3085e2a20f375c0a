import { createCipheriv } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { nodeTokenCrypto as crypto } from '../../../electron/main/adapters/tokens/node-token-crypto'
import { bytesToModhex, modhexToBytes } from '../../../electron/main/domain/tokens/modhex'
import { crc16, verifyYubicoOtp, type YubicoToken } from '../../../electron/main/domain/tokens/yubico-otp-verifier'

const aesKey = Buffer.from('00112233445566778899aabbccddeeff', 'hex')
const privateId = Buffer.from('0a0b0c0d0e0f', 'hex')
const token: YubicoToken = {
  publicId: 'vvccccccbdef',
  aesKey,
  privateId,
  lastUsage: null,
  lastSession: null,
}

/** Builds an OTP the way a key does; `crcFix` false leaves the CRC wrong on purpose. */
function otp(usage: number, session: number, opts: { key?: Buffer; uid?: Buffer; crcFix?: boolean } = {}): string {
  const plain = Buffer.alloc(16)
  ;(opts.uid ?? privateId).copy(plain, 0)
  plain.writeUInt16LE(usage, 6)
  plain.writeUIntLE(0x123456, 8, 3)
  plain[11] = session
  plain.writeUInt16LE(0xbeef, 12)
  const crc = ~crc16(plain.subarray(0, 14)) & 0xffff
  plain.writeUInt16LE(opts.crcFix === false ? crc ^ 1 : crc, 14)
  const cipher = createCipheriv('aes-128-ecb', opts.key ?? aesKey, null)
  cipher.setAutoPadding(false)
  return token.publicId + bytesToModhex(Buffer.concat([cipher.update(plain), cipher.final()]))
}

describe('Yubico OTP', () => {
  it('modhex round trip', () => {
    const bytes = new Uint8Array([0, 1, 0x7f, 0xff])
    expect(modhexToBytes(bytesToModhex(bytes))).toEqual(bytes)
    expect(bytesToModhex(new Uint8Array([0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef]))).toBe('cbdefghijklnrtuv')
  })

  it('accepts a good OTP and reports its counters', () => {
    expect(verifyYubicoOtp(crypto, token, otp(3, 0))).toEqual({ ok: true, usage: 3, session: 0 })
    // A layout with caps lock on types upper case; spaces from pasting are trimmed.
    expect(verifyYubicoOtp(crypto, token, ` ${otp(3, 0).toUpperCase()}\n`)).toEqual({ ok: true, usage: 3, session: 0 })
  })

  it('the caps-lock flag bit is not part of the usage counter', () => {
    expect(verifyYubicoOtp(crypto, token, otp(0x8000 | 7, 2))).toEqual({ ok: true, usage: 7, session: 2 })
  })

  it('S7: only (usage, session) strictly greater than the last accepted', () => {
    const seen = { ...token, lastUsage: 5, lastSession: 3 }
    expect(verifyYubicoOtp(crypto, seen, otp(5, 3))).toEqual({ ok: false, reason: 'reused' })
    expect(verifyYubicoOtp(crypto, seen, otp(5, 2))).toEqual({ ok: false, reason: 'reused' })
    expect(verifyYubicoOtp(crypto, seen, otp(4, 200))).toEqual({ ok: false, reason: 'reused' })
    expect(verifyYubicoOtp(crypto, seen, otp(5, 4))).toEqual({ ok: true, usage: 5, session: 4 })
    expect(verifyYubicoOtp(crypto, seen, otp(6, 0))).toEqual({ ok: true, usage: 6, session: 0 })
  })

  it('wrong key, wrong private id, bad CRC, other token, malformed', () => {
    const otherKey = Buffer.from('ffeeddccbbaa99887766554433221100', 'hex')
    // A wrong key decrypts to noise: the CRC fails (1 in 65536 would pass it, the private id stops that).
    expect(verifyYubicoOtp(crypto, token, otp(1, 0, { key: otherKey }))).toEqual({ ok: false, reason: 'bad-crc' })
    expect(verifyYubicoOtp(crypto, token, otp(1, 0, { uid: Buffer.from('000000000000', 'hex') }))).toEqual({
      ok: false,
      reason: 'wrong-private-id',
    })
    expect(verifyYubicoOtp(crypto, token, otp(1, 0, { crcFix: false }))).toEqual({ ok: false, reason: 'bad-crc' })
    expect(verifyYubicoOtp(crypto, token, 'cccccccccccb' + otp(1, 0).slice(12))).toEqual({
      ok: false,
      reason: 'other-token',
    })
    expect(verifyYubicoOtp(crypto, token, otp(1, 0).slice(0, 43))).toEqual({ ok: false, reason: 'malformed' })
    expect(verifyYubicoOtp(crypto, token, otp(1, 0).slice(0, 43) + 'a')).toEqual({ ok: false, reason: 'malformed' })
  })
})
