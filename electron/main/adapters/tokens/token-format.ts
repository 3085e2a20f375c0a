/** Recognises a token file from its content when the operator gives no --format. */
import type { TokenImportFormat } from './token-import-types'

export function detectTokenFormat(text: string): TokenImportFormat | null {
  const body = text.replace(/^\uFEFF/, '').trimStart()
  if (body.startsWith('<')) return 'pskc'
  const first = body.split(/\r?\n/).find((l) => l.trim() !== '' && !l.trim().startsWith('#'))
  if (first === undefined) return null
  const fields = first.split(',').map((f) => f.trim().replace(/^"|"$/g, '').toLowerCase())
  if (fields.length === 4) return 'yubico-csv'
  if (fields.length === 6) return 'oath-csv'
  return null
}
