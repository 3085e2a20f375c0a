import { createHmac, timingSafeEqual } from 'node:crypto'
import { createRequire } from 'node:module'
import type { TotpAlgorithm, TotpEngine, TotpParams } from '../../services/mfa-ports'

/**
 * RFC 6238 TOTP. otplib makes the otpauth:// URI, the Base32 and the codes an
 * authenticator app would show (tests, the CLI's self-check); the check at
 * sign-in is written here on node:crypto. Why not otplib's verifySync there:
 * it cost about 45 µs a check on the bench machine against 6 µs for the HMAC
 * itself, the largest piece of CPU time in a sign-in after the commit (see
 * README, Performance). The check is small (HMAC, dynamic truncation, three
 * steps) and is tested against the RFC 6238 vectors, oathtool and otplib.
 */
/** RFC 4226 section 4, R6: a shared secret of at least 128 bits. */
const minSecretBytes = 16

/**
 * otplib is loaded at its first use (an enrollment, a URI): the check at sign-in does not need it,
 * and loading it costs tens of milliseconds `keyhold auth` would pay (issue 15).
 */
interface Otplib {
  readonly otplib: typeof import('otplib')
  readonly crypto: import('@otplib/plugin-crypto-node').NodeCryptoPlugin
  readonly base32: import('otplib').ScureBase32Plugin
}
let loaded: Otplib | undefined

function otp(): Otplib {
  if (loaded === undefined) {
    const load = createRequire(import.meta.url)
    const otplib = load('otplib') as typeof import('otplib')
    const { NodeCryptoPlugin } = load('@otplib/plugin-crypto-node') as typeof import('@otplib/plugin-crypto-node')
    loaded = { otplib, crypto: new NodeCryptoPlugin(), base32: new otplib.ScureBase32Plugin() }
  }
  return loaded
}

function epochSeconds(ms: number): number {
  return Math.floor(ms / 1000)
}

/** RFC 4226 section 5.3: the HOTP value for `counter`, `digits` long. */
function hotpValue(secret: Uint8Array, counter: number, algorithm: TotpAlgorithm, digits: number): string {
  const message = Buffer.alloc(8)
  message.writeBigUInt64BE(BigInt(counter))
  const digest = createHmac(algorithm, secret).update(message).digest()
  const offset = digest[digest.length - 1]! & 0x0f
  const binary = digest.readUInt32BE(offset) & 0x7fffffff
  return String(binary % 10 ** digits).padStart(digits, '0')
}

/** Compared in constant time, like every code check. */
function sameCode(expected: string, given: string): boolean {
  return expected.length === given.length && timingSafeEqual(Buffer.from(expected), Buffer.from(given))
}

export const totpEngine: TotpEngine = {
  uri: ({ issuer, label, secret, params }) =>
    otp().otplib.generateURI({
      issuer,
      label,
      secret: otp().base32.encode(secret, { padding: false }),
      algorithm: params.algorithm,
      digits: params.digits,
      period: params.period,
    }),
  base32: (secret) => otp().base32.encode(secret, { padding: false }),
  verify: ({ secret, code, params, nowMs, afterStep }) => {
    // Fails closed on a row no enrollment could have written (S4: secrets of at least 128 bits).
    if (secret.length < minSecretBytes || (params.digits !== 6 && params.digits !== 8)) return null
    if (!Number.isInteger(params.period) || params.period <= 0 || !Number.isFinite(nowMs)) return null
    if (code.length !== params.digits || !/^\d+$/.test(code)) return null
    const current = Math.floor(epochSeconds(nowMs) / params.period)
    // S6: one step of drift either way. From the newest step down, so that if two steps share a code
    // the newest is the one recorded, and S7 then refuses the code at every step it could match.
    for (let step = current + 1; step >= current - 1; step -= 1) {
      if (step < 0 || (afterStep !== null && step <= afterStep)) continue
      if (sameCode(hotpValue(secret, step, params.algorithm, params.digits), code)) return step
    }
    return null
  },
}

/** For tests and the CLI's self-check: the code an authenticator app shows at `nowMs`. */
export function totpCodeAt(secret: Uint8Array, params: TotpParams, nowMs: number): string {
  const { otplib, crypto, base32 } = otp()
  return otplib.generateSync({
    secret,
    algorithm: params.algorithm,
    digits: params.digits,
    period: params.period,
    epoch: epochSeconds(nowMs),
    crypto,
    base32,
  })
}
