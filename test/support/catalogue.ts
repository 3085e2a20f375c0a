import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { repoRoot } from './preview-process'

/**
 * The renderer's English message catalogue, so end-to-end tests find elements
 * by the same text a user reads, and a reworded message needs no test change.
 * Implements just the vue-i18n features the catalogue uses: `{name}`
 * placeholders and `a | b | c` plural forms (0, 1, many).
 */
type Catalogue = { readonly [key: string]: string | Catalogue }

const catalogue = JSON.parse(readFileSync(resolve(repoRoot, 'renderer/src/i18n/locales/en.json'), 'utf8')) as Catalogue

function lookup(key: string): string {
  let node: string | Catalogue | undefined = catalogue
  for (const part of key.split('.')) {
    node = typeof node === 'object' ? node[part] : undefined
  }
  if (typeof node !== 'string') throw new Error(`No message "${key}" in renderer/src/i18n/locales/en.json`)
  return node
}

function fill(template: string, named: Readonly<Record<string, string | number>>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in named ? String(named[name]) : whole))
}

/** The English text of `key`, with `{name}` placeholders filled in. */
export function text(key: string, named: Readonly<Record<string, string | number>> = {}): string {
  return fill(lookup(key), named)
}

/** A plural message (`zero | one | many`) for `count`, as vue-i18n chooses it. */
export function plural(key: string, count: number): string {
  const forms = lookup(key).split(' | ')
  const form = forms.length === 3 ? forms[Math.min(count, 2)] : forms[count === 1 ? 0 : 1]
  if (form === undefined) throw new Error(`"${key}" is not a plural message`)
  return fill(form, { count, n: count })
}
