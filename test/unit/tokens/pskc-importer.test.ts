import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { importPskc } from '../../../electron/main/adapters/tokens/pskc-importer'
import { TokenImportError } from '../../../electron/main/adapters/tokens/token-import-types'

const fixture = (name: string): string => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8')

async function importError(run: () => Promise<unknown>): Promise<TokenImportError> {
  try {
    await run()
  } catch (error) {
    if (error instanceof TokenImportError) return error
    throw error
  }
  throw new Error('no error thrown')
}

describe('PSKC importer', () => {
  it('RFC 6030 figure 2 (plain, default namespace): an 8-digit HOTP with DeviceInfo', async () => {
    const result = await importPskc(fixture('rfc6030-figure2-plain.pskc'))
    expect(result).toEqual({
      format: 'pskc',
      skipped: [],
      tokens: [
        {
          serial: '987654321',
          manufacturer: 'Manufacturer',
          model: 'Model',
          type: 'hotp',
          hash: 'sha1',
          digits: 8,
          counter: 0,
          secret: new Uint8Array(Buffer.from('12345678901234567890')),
        },
      ],
    })
  })

  it('asymmetric-key and signed files are refused with a reason', async () => {
    expect(await importError(() => importPskc(fixture('rfc6030-asymmetric.pskc')))).toMatchObject({
      kind: 'unsupported-file',
      message: expect.stringContaining('asymmetric') as unknown,
    })
    expect(await importError(() => importPskc(fixture('rfc6030-signed.pskc')))).toMatchObject({
      kind: 'unsupported-file',
      message: expect.stringContaining('signed') as unknown,
    })
  })

  it("Yubico's personalization-tool PSKC: AES key and ids from UserId", async () => {
    const result = await importPskc(fixture('yubico-personalization.pskc'))
    expect(result.tokens).toEqual([
      {
        serial: '2854761',
        manufacturer: 'oath.UB',
        type: 'yubico-otp',
        publicId: 'vvcccccbdefg',
        privateId: new Uint8Array(Buffer.from('a1b2c3d4e5f6', 'hex')),
        aesKey: new Uint8Array(Buffer.from('8e2b5c4a1f3d7e6b9a0c1d2e3f405162', 'hex')),
      },
    ])
  })

  it('S37: a billion-laughs file and an XXE file are refused before parsing', async () => {
    for (const name of ['billion-laughs.pskc', 'xxe.pskc']) {
      const error = await importError(() => importPskc(fixture(name)))
      expect(error.kind).toBe('forbidden-markup')
    }
    // Also a lone ENTITY declaration without DOCTYPE, in any case.
    expect((await importError(() => importPskc('<!entity x "y"><KeyContainer/>'))).kind).toBe('forbidden-markup')
  })

  it('skips unsupported algorithms and duplicated serials; malformed files import nothing', async () => {
    const pkg = (serial: string, algorithm: string): string =>
      `<KeyPackage><DeviceInfo><SerialNo>${serial}</SerialNo></DeviceInfo><Key Algorithm="${algorithm}"><Data><Secret><PlainValue>MTIzNDU2Nzg5MDEyMzQ1Njc4OTA=</PlainValue></Secret></Data></Key></KeyPackage>`
    const file = (...packages: string[]): string =>
      `<KeyContainer xmlns="urn:ietf:params:xml:ns:keyprov:pskc" Version="1.0">${packages.join('')}</KeyContainer>`
    const hotp = 'urn:ietf:params:xml:ns:keyprov:pskc:hotp'
    const result = await importPskc(
      file(pkg('S1', 'urn:ietf:params:xml:ns:keyprov:pskc:ocra'), pkg('S2', hotp), pkg('S2', hotp), pkg('S3', hotp)),
    )
    expect(result.tokens.map((t) => t.serial)).toEqual(['S3'])
    expect(result.skipped).toEqual([
      { serial: 'S1', reason: 'algorithm urn:ietf:params:xml:ns:keyprov:pskc:ocra is not supported' },
      { serial: 'S2', reason: 'serial appears more than once in the file' },
      { serial: 'S2', reason: 'serial appears more than once in the file' },
    ])
    const broken = pkg('S4', hotp).replace('MTIz', 'M!Iz')
    expect((await importError(() => importPskc(file(pkg('S3', hotp), broken)))).kind).toBe('malformed')
    expect((await importError(() => importPskc('<KeyContainer><KeyPackage>'))).kind).toBe('malformed')
    expect((await importError(() => importPskc(file()))).kind).toBe('malformed')
  })
})
