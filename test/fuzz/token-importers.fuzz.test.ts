import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { importPskc } from '../../electron/main/adapters/tokens/pskc-importer'
import { importOathCsv } from '../../electron/main/adapters/tokens/oath-csv-importer'
import { detectTokenFormat } from '../../electron/main/adapters/tokens/token-format'
import { TokenImportError } from '../../electron/main/adapters/tokens/token-import-types'
import { importYubicoCsv } from '../../electron/main/adapters/tokens/yubico-csv-importer'

/**
 * S25: random and mutated token files never throw anything but TokenImportError, and whatever
 * an importer returns is a well-formed record. `npm run fuzz` sets KEYHOLD_FUZZ_RUNS=10000.
 */
const runs = Number(process.env.KEYHOLD_FUZZ_RUNS ?? 200)

function onlyImportErrors(run: () => unknown): void {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(TokenImportError)
  }
}

const oathSeed =
  'serial,secret,type,digits,period,counter\nA1,3132333435363738393031323334353637383930,hotp,6,,0\nA2,3132333435363738393031323334353637383930,totp,8,60,'
const yubicoSeed = 'YK1,vvcccccbdefg,a1b2c3d4e5f6,8e2b5c4a1f3d7e6b9a0c1d2e3f405162'

/** A seed file with a few characters replaced, inserted or deleted. */
function mutated(seed: string): fc.Arbitrary<string> {
  return fc
    .array(fc.tuple(fc.nat(), fc.constantFrom('replace', 'insert', 'delete'), fc.string({ maxLength: 3 })), {
      maxLength: 6,
    })
    .map((edits) => {
      let text = seed
      for (const [at, kind, piece] of edits) {
        const i = at % (text.length + 1)
        const rest = text.slice(kind === 'insert' ? i : i + 1)
        text = text.slice(0, i) + (kind === 'delete' ? '' : piece) + rest
      }
      return text
    })
}

describe('token importers under random input (S25)', () => {
  it('OATH CSV', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), mutated(oathSeed)), (text) => {
        detectTokenFormat(text)
        onlyImportErrors(() => {
          for (const token of importOathCsv(text).tokens) {
            expect(['hotp', 'totp-token']).toContain(token.type)
            if (token.type !== 'yubico-otp') expect([6, 8]).toContain(token.digits)
          }
        })
      }),
      { numRuns: runs },
    )
  })

  it('Yubico CSV', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), mutated(yubicoSeed)), (text) => {
        onlyImportErrors(() => {
          for (const token of importYubicoCsv(text).tokens) {
            if (token.type !== 'yubico-otp') throw new Error('wrong type')
            expect(token.aesKey).toHaveLength(16)
            expect(token.privateId).toHaveLength(6)
          }
        })
      }),
      { numRuns: runs },
    )
  })

  it('PSKC: random text and mutated RFC 6030 / Yubico files', async () => {
    const seeds = ['rfc6030-figure2-plain.pskc', 'yubico-personalization.pskc'].map((name) =>
      readFileSync(join(import.meta.dirname, '../unit/tokens/fixtures', name), 'utf8'),
    )
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), mutated(seeds[0]!), mutated(seeds[1]!)), async (text) => {
        try {
          const result = await importPskc(text, { key: new Uint8Array(16), passphrase: 'x' })
          for (const token of result.tokens) expect(token.serial.length).toBeGreaterThan(0)
        } catch (error) {
          expect(error).toBeInstanceOf(TokenImportError)
        }
      }),
      { numRuns: runs },
    )
  })
})
