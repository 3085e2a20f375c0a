import type { FieldError } from '../../../electron/shared/errors'

/**
 * Field paths of the providers' VALIDATION errors, onto the form's fields:
 * `host`, `port`, `provider.url`, `provider.headers.X-Key` (from the request
 * schemas) or `password`, `authToken`, `secretHeaders`, `body` (from the
 * settings' own checks) → `host`, `port`, `url`, `headers`, `password`…
 */
export function mapProviderFields(fields: readonly FieldError[]): Record<string, true> {
  const mapped: Record<string, true> = {}
  for (const { field } of fields) {
    const parts = field.split('.')
    if (parts[0] === 'provider' && parts.length > 1) parts.shift()
    const key = parts[0]
    if (key !== undefined && key !== '') mapped[key] = true
  }
  return mapped
}
