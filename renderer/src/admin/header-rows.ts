/** One header being edited: a name and a value, with a stable id for keys and element ids. */
export interface HeaderRow {
  id: number
  name: string
  value: string
}

/** Makes rows with ids unique within one form. */
export function headerRowMaker(): (name?: string, value?: string) => HeaderRow {
  let nextId = 1
  return (name = '', value = '') => ({ id: nextId++, name, value })
}

/** Rows as a header record; empty rows are skipped, a value without a name makes it null. */
export function headerRecord(rows: readonly HeaderRow[]): Record<string, string> | null {
  const record: Record<string, string> = {}
  for (const { name, value } of rows) {
    const key = name.trim()
    if (key === '' && value === '') continue
    if (key === '') return null
    record[key] = value
  }
  return record
}
