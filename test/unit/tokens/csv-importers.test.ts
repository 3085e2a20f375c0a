import { describe, expect, it } from 'vitest'
import { importOathCsv } from '../../../electron/main/adapters/tokens/oath-csv-importer'
import { detectTokenFormat } from '../../../electron/main/adapters/tokens/token-format'
import { TokenImportError } from '../../../electron/main/adapters/tokens/token-import-types'
import { importYubicoCsv } from '../../../electron/main/adapters/tokens/yubico-csv-importer'

const secret = '3132333435363738393031323334353637383930'

function importError(run: () => unknown): TokenImportError {
  try {
    run()
  } catch (error) {
    if (error instanceof TokenImportError) return error
    throw error
  }
  throw new Error('no error thrown')
}

describe('OATH CSV', () => {
  it('reads HOTP and TOTP rows, with a header, defaults and comments', () => {
    const result = importOathCsv(
      [
        'serial,secret,type,digits,period,counter',
        '# a comment',
        `OATH0001,${secret},hotp,6,,5`,
        '',
        `OATH0002,${secret.toUpperCase()},TOTP,8,60,`,
        `OATH0003,${secret},totp,,,`,
      ].join('\r\n'),
    )
    expect(result.format).toBe('oath-csv')
    expect(result.skipped).toEqual([])
    expect(result.tokens).toEqual([
      {
        serial: 'OATH0001',
        type: 'hotp',
        hash: 'sha1',
        digits: 6,
        counter: 5,
        secret: new Uint8Array(Buffer.from(secret, 'hex')),
      },
      {
        serial: 'OATH0002',
        type: 'totp-token',
        hash: 'sha1',
        digits: 8,
        period: 60,
        secret: new Uint8Array(Buffer.from(secret, 'hex')),
      },
      {
        serial: 'OATH0003',
        type: 'totp-token',
        hash: 'sha1',
        digits: 6,
        period: 30,
        secret: new Uint8Array(Buffer.from(secret, 'hex')),
      },
    ])
  })

  it('skips unsupported kinds with a reason, and every copy of a duplicated serial', () => {
    const result = importOathCsv(
      [
        `A1,${secret},ocra,6,,0`,
        `A2,${secret},hotp,7,,0`,
        `A3,${secret},totp,6,45,`,
        `A4,${secret},hotp,6,,0`,
        `A4,${secret},hotp,6,,1`,
        `A5,${secret},hotp,8,,0`,
      ].join('\n'),
    )
    expect(result.tokens.map((t) => t.serial)).toEqual(['A5'])
    expect(result.skipped).toEqual([
      { serial: 'A1', reason: 'token type "ocra" is not supported (hotp or totp)' },
      { serial: 'A2', reason: '7 digits are not supported (6 or 8)' },
      { serial: 'A3', reason: 'a 45-second step is not supported (30 or 60)' },
      { serial: 'A4', reason: 'serial appears more than once in the file' },
      { serial: 'A4', reason: 'serial appears more than once in the file' },
    ])
  })

  it('a bad row rejects the whole file, naming the line', () => {
    const good = `A1,${secret},hotp,6,,0`
    expect(importError(() => importOathCsv(`${good}\nA2,${secret}z,hotp,6,,0`))).toMatchObject({
      kind: 'malformed',
      line: 2,
      message: 'line 2: the secret is not hexadecimal',
    })
    expect(importError(() => importOathCsv(`${good}\nA2,${secret},hotp,6,0`)).line).toBe(2)
    expect(importError(() => importOathCsv(`${good}\nA2,${secret},hotp,six,,0`)).kind).toBe('malformed')
    expect(importError(() => importOathCsv(`${good}\nA2,${secret},hotp,6,,-1`)).kind).toBe('malformed')
    expect(importError(() => importOathCsv(`A 2,${secret},hotp,6,,0`)).kind).toBe('malformed')
    expect(importError(() => importOathCsv(`A2,0011,hotp,6,,0`)).message).toContain('80 bits')
    expect(importError(() => importOathCsv('serial,secret,type,digits,period,counter\n')).message).toContain(
      'no tokens',
    )
  })
})

describe('Yubico CSV', () => {
  const row = 'YK1,vvcccccbdefg,a1b2c3d4e5f6,8e2b5c4a1f3d7e6b9a0c1d2e3f405162'

  it('reads rows into Yubico OTP records', () => {
    const result = importYubicoCsv(
      `serial,public_id,private_id,aes_key\n${row}\nYK2,VVCCCCCBDEFH,${'00'.repeat(6)},${'11'.repeat(16)}`,
    )
    expect(result.skipped).toEqual([])
    expect(result.tokens).toEqual([
      {
        serial: 'YK1',
        type: 'yubico-otp',
        publicId: 'vvcccccbdefg',
        privateId: new Uint8Array(Buffer.from('a1b2c3d4e5f6', 'hex')),
        aesKey: new Uint8Array(Buffer.from('8e2b5c4a1f3d7e6b9a0c1d2e3f405162', 'hex')),
      },
      {
        serial: 'YK2',
        type: 'yubico-otp',
        publicId: 'vvcccccbdefh',
        privateId: new Uint8Array(6),
        aesKey: new Uint8Array(16).fill(0x11),
      },
    ])
  })

  it('a bad public id, private id or key rejects the file', () => {
    expect(
      importError(() => importYubicoCsv(`${row}\nYK2,vvcccccbdefa,a1b2c3d4e5f6,${'11'.repeat(16)}`)),
    ).toMatchObject({
      kind: 'malformed',
      line: 2,
    })
    expect(importError(() => importYubicoCsv(`YK2,vvcccccbdefg,a1b2c3d4e5,${'11'.repeat(16)}`)).message).toContain(
      '12 hex',
    )
    expect(importError(() => importYubicoCsv(`YK2,vvcccccbdefg,a1b2c3d4e5f6,${'11'.repeat(15)}`)).message).toContain(
      '32 hex',
    )
  })

  it('duplicated serials are skipped', () => {
    const result = importYubicoCsv(`${row}\n${row}`)
    expect(result.tokens).toEqual([])
    expect(result.skipped).toHaveLength(2)
  })
})

describe('format detection', () => {
  it('from the content', () => {
    expect(detectTokenFormat('\uFEFF  <?xml version="1.0"?><KeyContainer/>')).toBe('pskc')
    expect(detectTokenFormat(`# seeds\nA1,${secret},hotp,6,,0`)).toBe('oath-csv')
    expect(detectTokenFormat('serial,public_id,private_id,aes_key\n')).toBe('yubico-csv')
    expect(detectTokenFormat('hello')).toBeNull()
    expect(detectTokenFormat('')).toBeNull()
  })
})
