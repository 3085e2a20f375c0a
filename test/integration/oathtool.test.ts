import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { ScureBase32Plugin } from 'otplib'
import { describe, expect, it } from 'vitest'
import { totpEngine, totpCodeAt } from '../../electron/main/adapters/otp/totp-engine'
import type { TotpParams } from '../../electron/main/services/mfa-ports'

/** S4, S5: Keyhold's TOTP agrees with an independent implementation, Debian's oathtool. */
const base32 = new ScureBase32Plugin()

function oathtool(
  algorithm: TotpParams['algorithm'],
  digits: number,
  secret: Uint8Array,
  epochSeconds: number,
): string {
  const mode = algorithm === 'sha1' ? '--totp' : `--totp=${algorithm.toUpperCase()}`
  return execFileSync(
    '/usr/bin/oathtool',
    [mode, '-d', String(digits), '-b', base32.encode(secret, { padding: false }), '-N', `@${epochSeconds}`],
    {
      encoding: 'utf8',
    },
  ).trim()
}

describe('TOTP against oathtool (S4)', () => {
  for (const [algorithm, bytes] of [
    ['sha1', 20],
    ['sha256', 32],
    ['sha512', 64],
  ] as const) {
    it(`${algorithm} with a ${bytes}-byte secret, 6 and 8 digits, at several times`, () => {
      const secret = new Uint8Array(randomBytes(bytes))
      for (const digits of [6, 8] as const) {
        const params: TotpParams = { algorithm, digits, period: 30 }
        for (const epoch of [59, 1_111_111_109, 1_700_000_000, 2_000_000_000]) {
          const theirs = oathtool(algorithm, digits, secret, epoch)
          expect(totpCodeAt(secret, params, epoch * 1000)).toBe(theirs)
          expect(totpEngine.verify({ secret, code: theirs, params, nowMs: epoch * 1000, afterStep: null })).toBe(
            Math.floor(epoch / 30),
          )
        }
      }
    })
  }

  it('the otpauth URI carries a secret that oathtool turns into the same codes', () => {
    const secret = new Uint8Array(randomBytes(20))
    const params: TotpParams = { algorithm: 'sha1', digits: 6, period: 30 }
    const uri = new URL(totpEngine.uri({ issuer: 'Keyhold', label: 'alice', secret, params }))
    const fromUri = base32.decode(uri.searchParams.get('secret')!)
    expect(oathtool('sha1', 6, fromUri, 1_700_000_000)).toBe(totpCodeAt(secret, params, 1_700_000_000_000))
  })
})
