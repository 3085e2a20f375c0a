/**
 * Hardware TOTP check (RFC 6238; S6, S7). A fob's clock wanders, so each token keeps its measured
 * drift in steps; the ±1-step window sits around now + drift. Drift is learned only from accepted
 * codes and capped at ±10 steps (S6). A step at or before the last accepted one is a replay (S7).
 */
import { isCodeShape, oathCode, sameCode, type OathDigits } from './oath-code'
import type { OathHash, TokenCrypto } from './token-crypto'

export type TotpPeriod = 30 | 60
export const totpMaxDrift = 10

export interface TotpToken {
  secret: Uint8Array
  hash: OathHash
  digits: OathDigits
  period: TotpPeriod
  /** Steps the token's clock is ahead (positive) or behind (negative), within ±10. */
  drift: number
  /** The last accepted time step, or null before the first code. */
  lastStep: number | null
}

export type TotpResult =
  { ok: true; step: number; drift: number } | { ok: false; reason: 'malformed' | 'wrong' | 'reused' }

function clampDrift(drift: number): number {
  return Math.max(-totpMaxDrift, Math.min(totpMaxDrift, drift))
}

export function verifyTotpToken(crypto: TokenCrypto, token: TotpToken, code: string, nowMs: number): TotpResult {
  if (!isCodeShape(code, token.digits)) return { ok: false, reason: 'malformed' }
  const now = Math.floor(nowMs / 1000 / token.period)
  const centre = now + clampDrift(token.drift)
  let reused = false
  // Closest step first, so a code that matches twice counts as the expected one.
  for (const step of [centre, centre - 1, centre + 1]) {
    if (step < 0) continue
    if (!sameCode(oathCode(crypto, token.hash, token.secret, step, token.digits), code)) continue
    if (token.lastStep !== null && step <= token.lastStep) {
      reused = true
      continue
    }
    return { ok: true, step, drift: clampDrift(step - now) }
  }
  return { ok: false, reason: reused ? 'reused' : 'wrong' }
}
