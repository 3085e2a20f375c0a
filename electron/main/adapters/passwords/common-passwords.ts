import { dictionary } from '@zxcvbn-ts/language-common'
import type { CommonPasswordCheck } from '../../domain/password-rules'

/**
 * S2: the common-password list maintained by zxcvbn-ts (about 49,000 entries,
 * most frequent first, lower case). We refuse all of it, a superset of the
 * 10,000 most common that SECURITY.md asks for. Built lazily: it is only
 * needed when a password is set.
 */
let common: ReadonlySet<string> | undefined

export const isCommonPassword: CommonPasswordCheck = (lowercasePassword) => {
  common ??= new Set(dictionary['passwords-common'])
  return common.has(lowercasePassword)
}

export function commonPasswordCount(): number {
  common ??= new Set(dictionary['passwords-common'])
  return common.size
}
