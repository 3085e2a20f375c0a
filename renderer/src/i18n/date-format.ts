/**
 * Times cross the IPC boundary as ISO 8601 in UTC; people read them in their
 * own time zone and locale. Date and time both, because a lock can last past midnight.
 */
export function formatDateTime(iso: string, locale: string): string {
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return iso
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(date)
}
