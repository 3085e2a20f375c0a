import { randomBytes } from 'node:crypto'
import type { Random } from '../../services/ports'

/** The CSPRNG every secret, token and code comes from (S5, S8, S11, S19). */
export const nodeRandom: Random = { bytes: (length) => new Uint8Array(randomBytes(length)) }
