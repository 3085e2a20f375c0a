/**
 * What the token importers hand to the inventory service: validated records, or per-row skip
 * reasons. A file that fails an integrity check imports nothing (all or nothing, issue 12 §4):
 * the importers throw TokenImportError and return no partial result.
 */
import type { OathDigits } from '../../domain/tokens/oath-code'
import type { OathHash } from '../../domain/tokens/token-crypto'
import type { TotpPeriod } from '../../domain/tokens/totp-token-verifier'

export type TokenImportFormat = 'pskc' | 'oath-csv' | 'yubico-csv'

interface TokenRecordBase {
  serial: string
  model?: string
  manufacturer?: string
}

export type ImportedToken =
  | (TokenRecordBase & {
      type: 'hotp'
      hash: OathHash
      digits: OathDigits
      counter: number
      secret: Uint8Array
    })
  | (TokenRecordBase & {
      type: 'totp-token'
      hash: OathHash
      digits: OathDigits
      period: TotpPeriod
      secret: Uint8Array
    })
  | (TokenRecordBase & {
      type: 'yubico-otp'
      /** 12 modhex characters, lower case. */
      publicId: string
      /** 6 bytes. */
      privateId: Uint8Array
      /** 16 bytes. */
      aesKey: Uint8Array
    })

export interface SkippedToken {
  serial: string
  reason: string
}

export interface TokenImportResult {
  format: TokenImportFormat
  tokens: ImportedToken[]
  skipped: SkippedToken[]
}

export type TokenImportErrorKind =
  'unknown-format' | 'malformed' | 'forbidden-markup' | 'wrong-key' | 'bad-mac' | 'unsupported-file'

/** The one error the importers throw: what went wrong, and where (1-based line) when known. */
export class TokenImportError extends Error {
  readonly kind: TokenImportErrorKind
  readonly line: number | undefined

  constructor(kind: TokenImportErrorKind, message: string, line?: number) {
    super(line === undefined ? message : `line ${line}: ${message}`)
    this.name = 'TokenImportError'
    this.kind = kind
    this.line = line
  }
}

/**
 * Issue 12 §4: a serial that appears twice in one file is reported and skipped — every
 * occurrence, since nothing says which of the two secrets is the fob's.
 */
export function dropDuplicateSerials(
  tokens: ImportedToken[],
  skipped: SkippedToken[],
): { tokens: ImportedToken[]; skipped: SkippedToken[] } {
  const counts = new Map<string, number>()
  for (const token of tokens) counts.set(token.serial, (counts.get(token.serial) ?? 0) + 1)
  const kept: ImportedToken[] = []
  const dropped: SkippedToken[] = [...skipped]
  for (const token of tokens) {
    if ((counts.get(token.serial) ?? 0) > 1) {
      dropped.push({ serial: token.serial, reason: 'serial appears more than once in the file' })
    } else kept.push(token)
  }
  return { tokens: kept, skipped: dropped }
}
