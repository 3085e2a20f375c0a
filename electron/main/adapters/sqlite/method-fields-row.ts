import { isMethodType, unhandledType } from '../../../shared/method-types'
import type { MethodFields, TotpAlgorithm, TotpParams } from '../../services/mfa-ports'

/**
 * The type-specific columns of a method or pending enrollment row, read into
 * the record's union. The schema no longer lists the types (migration 0005):
 * the type table in electron/shared is the one list, and this is where a row
 * of an unknown type, or of the wrong shape for its type, is refused.
 */
export interface MethodFieldsRow {
  readonly type: string
  readonly destination: string | null
  readonly secret_enc: string | null
  readonly algorithm: TotpAlgorithm | null
  readonly digits: number | null
  readonly period: number | null
  readonly last_used_step: number | null
}

export class BadMethodRowError extends Error {
  constructor(what: string) {
    super(`A method row is not valid: ${what}`)
    this.name = 'BadMethodRowError'
  }
}

export function totpParamsOf(row: Pick<MethodFieldsRow, 'algorithm' | 'digits' | 'period'>): TotpParams | null {
  if (row.algorithm === null || row.digits === null) return null
  return { algorithm: row.algorithm, digits: row.digits === 8 ? 8 : 6, period: 30 }
}

/** A type name read from the database; an unknown one is refused, never passed on. */
export function typeOfRow(raw: string): MethodFields['type'] {
  if (!isMethodType(raw)) throw new BadMethodRowError(`unknown type "${raw}"`)
  return raw
}

export function fieldsOfRow(row: MethodFieldsRow): MethodFields {
  const type = typeOfRow(row.type)
  switch (type) {
    case 'totp': {
      const totp = totpParamsOf(row)
      if (row.secret_enc === null || totp === null || row.destination !== null) {
        throw new BadMethodRowError('an authenticator app needs its secret and parameters and no destination')
      }
      return { type, destination: null, secretEnc: row.secret_enc, totp, lastUsedStep: row.last_used_step }
    }
    case 'email':
    case 'sms':
      if (row.destination === null || row.secret_enc !== null) {
        throw new BadMethodRowError('an email or SMS method needs its destination and no secret')
      }
      return { type, destination: row.destination, secretEnc: null, totp: null, lastUsedStep: null }
    default:
      return unhandledType(type)
  }
}

/** The columns to write for a record's type-specific fields. */
export function rowOfFields(fields: MethodFields) {
  // Refused here too, so a caller that forged a type (a cast, bad JSON) cannot store it.
  typeOfRow(fields.type)
  return {
    type: fields.type,
    destination: fields.destination,
    secretEnc: fields.secretEnc,
    algorithm: fields.totp?.algorithm ?? null,
    digits: fields.totp?.digits ?? null,
    period: fields.totp?.period ?? null,
    lastUsedStep: fields.lastUsedStep,
  }
}
