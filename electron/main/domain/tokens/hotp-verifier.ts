/**
 * HOTP check and resync (RFC 4226 7.2, 7.4; S6, S7). Pure and synchronous: the caller runs it
 * inside the IMMEDIATE transaction that also stores the returned counter.
 *
 * `nextCounter` is the counter value the token will use for its next code (a PSKC file's
 * `Counter`); every counter below it has been used, so a code matching one of them is a replay.
 */
import { isCodeShape, oathCode, sameCode, type OathDigits } from './oath-code'
import type { OathHash, TokenCrypto } from './token-crypto'

export const hotpDefaultWindow = 10
export const hotpMinWindow = 1
/** S6: at most 50 counters of look-ahead. */
export const hotpMaxWindow = 50
/** RFC 4226 7.4: resync looks further ahead, but needs two consecutive codes. */
export const hotpResyncWindow = 100

export interface HotpToken {
  secret: Uint8Array
  hash: OathHash
  digits: OathDigits
  nextCounter: number
}

export type HotpResult = { ok: true; nextCounter: number } | { ok: false; reason: 'malformed' | 'wrong' | 'reused' }

function checkWindow(window: number): void {
  if (!Number.isInteger(window) || window < hotpMinWindow || window > hotpMaxWindow) {
    throw new RangeError(`HOTP window must be ${hotpMinWindow}–${hotpMaxWindow}`)
  }
}

export function verifyHotp(
  crypto: TokenCrypto,
  token: HotpToken,
  code: string,
  window: number = hotpDefaultWindow,
): HotpResult {
  checkWindow(window)
  if (!isCodeShape(code, token.digits)) return { ok: false, reason: 'malformed' }
  const code$ = (counter: number): string => oathCode(crypto, token.hash, token.secret, counter, token.digits)
  for (let c = token.nextCounter; c < token.nextCounter + window; c += 1) {
    if (sameCode(code$(c), code)) return { ok: true, nextCounter: c + 1 }
  }
  // Only to tell "reused" from "wrong" (CODE_REUSED): look back as far as we look ahead.
  for (let c = token.nextCounter - 1; c >= Math.max(0, token.nextCounter - window); c -= 1) {
    if (sameCode(code$(c), code)) return { ok: false, reason: 'reused' }
  }
  return { ok: false, reason: 'wrong' }
}

/** Two consecutive codes (first, then second) found anywhere in the next 100 counters. */
export function resyncHotp(crypto: TokenCrypto, token: HotpToken, first: string, second: string): HotpResult {
  if (!isCodeShape(first, token.digits) || !isCodeShape(second, token.digits)) {
    return { ok: false, reason: 'malformed' }
  }
  const code$ = (counter: number): string => oathCode(crypto, token.hash, token.secret, counter, token.digits)
  let previous = code$(token.nextCounter)
  for (let c = token.nextCounter; c < token.nextCounter + hotpResyncWindow; c += 1) {
    const following = code$(c + 1)
    if (sameCode(previous, first) && sameCode(following, second)) {
      return { ok: true, nextCounter: c + 2 }
    }
    previous = following
  }
  return { ok: false, reason: 'wrong' }
}
