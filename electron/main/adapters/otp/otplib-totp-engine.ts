import { generateSync, generateURI, verifySync, ScureBase32Plugin } from 'otplib'
import { NodeCryptoPlugin } from '@otplib/plugin-crypto-node'
import type { TotpEngine, TotpParams } from '../../services/mfa-ports'

/**
 * RFC 6238 through otplib, with node:crypto for the HMAC (faster than the pure
 * JS default). One step of drift either way (S6); `afterTimeStep` refuses the
 * last accepted step and all earlier ones (S7).
 */
const crypto = new NodeCryptoPlugin()
const base32 = new ScureBase32Plugin()

function epochSeconds(ms: number): number {
  return Math.floor(ms / 1000)
}

export const otplibTotpEngine: TotpEngine = {
  uri: ({ issuer, label, secret, params }) =>
    generateURI({
      issuer,
      label,
      secret: base32.encode(secret, { padding: false }),
      algorithm: params.algorithm,
      digits: params.digits,
      period: params.period,
    }),
  base32: (secret) => base32.encode(secret, { padding: false }),
  verify: ({ secret, code, params, nowMs, afterStep }) => {
    if (code.length !== params.digits || !/^\d+$/.test(code)) return null
    const result = verifySync({
      secret,
      token: code,
      algorithm: params.algorithm,
      digits: params.digits,
      period: params.period,
      epoch: epochSeconds(nowMs),
      epochTolerance: params.period,
      crypto,
      base32,
      ...(afterStep === null ? {} : { afterTimeStep: afterStep }),
    })
    return result.valid && 'timeStep' in result ? result.timeStep : null
  },
}

/** For tests and the CLI's self-check: the code an authenticator app shows at `nowMs`. */
export function totpCodeAt(secret: Uint8Array, params: TotpParams, nowMs: number): string {
  return generateSync({
    secret,
    algorithm: params.algorithm,
    digits: params.digits,
    period: params.period,
    epoch: epochSeconds(nowMs),
    crypto,
    base32,
  })
}
