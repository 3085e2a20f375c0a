/**
 * OATH CSV `serial,secret,type,digits,period,counter` (hex secret), as some fob vendors ship
 * seeds. A malformed row rejects the file; a row of a kind Keyhold does not support is skipped
 * with a reason.
 */
import { checkSerial, csvRows, hexBytes } from './csv-rows'
import {
  dropDuplicateSerials,
  TokenImportError,
  type ImportedToken,
  type SkippedToken,
  type TokenImportResult,
} from './token-import-types'

const integer = /^[0-9]+$/

function optionalInteger(text: string, what: string, line: number, fallback: number): number {
  if (text === '') return fallback
  const value = integer.test(text) ? Number(text) : NaN
  if (!Number.isSafeInteger(value)) throw new TokenImportError('malformed', `${what} is not a whole number`, line)
  return value
}

export function importOathCsv(text: string): TokenImportResult {
  const tokens: ImportedToken[] = []
  const skipped: SkippedToken[] = []
  for (const { line, fields } of csvRows(text, 6, 'OATH CSV (serial,secret,type,digits,period,counter)')) {
    const [serialText, secretHex, typeText, digitsText, periodText, counterText] = fields as [
      string,
      string,
      string,
      string,
      string,
      string,
    ]
    const serial = checkSerial(serialText, line)
    const secret = hexBytes(secretHex, 'the secret', line)
    if (secret.length < 10) throw new TokenImportError('malformed', 'the secret is shorter than 80 bits', line)
    const digits = optionalInteger(digitsText, 'digits', line, 6)
    const period = optionalInteger(periodText, 'period', line, 30)
    const counter = optionalInteger(counterText, 'counter', line, 0)
    const type = typeText.toLowerCase()
    if (type !== 'hotp' && type !== 'totp') {
      skipped.push({ serial, reason: `token type "${typeText}" is not supported (hotp or totp)` })
      continue
    }
    if (digits !== 6 && digits !== 8) {
      skipped.push({ serial, reason: `${digits} digits are not supported (6 or 8)` })
      continue
    }
    if (type === 'hotp') {
      tokens.push({ serial, type: 'hotp', hash: 'sha1', digits, counter, secret })
    } else if (period !== 30 && period !== 60) {
      skipped.push({ serial, reason: `a ${period}-second step is not supported (30 or 60)` })
    } else {
      tokens.push({ serial, type: 'totp-token', hash: 'sha1', digits, period, secret })
    }
  }
  return { format: 'oath-csv', ...dropDuplicateSerials(tokens, skipped) }
}
