const units: readonly [Intl.RelativeTimeFormatUnit, number][] = [
  ['day', 86_400],
  ['hour', 3_600],
  ['minute', 60],
]

/**
 * "3 minutes ago", "刚刚" … in the reader's language: the largest whole unit
 * between `iso` and `now` (seconds under a minute), by the browser's own Intl data.
 */
export function relativeTime(iso: string, now: number, locale: string): string {
  const at = Date.parse(iso)
  if (Number.isNaN(at)) return iso
  const seconds = Math.round((at - now) / 1000)
  const format = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' })
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size) return format.format(Math.trunc(seconds / size), unit)
  }
  return format.format(Math.min(seconds, 0), 'second')
}
