import { traitsOf } from '../../../electron/shared/method-types'
import type { MethodView } from '../../../electron/shared/mfa-schemas'
import type { Translator } from '../i18n/error-text'

/**
 * How a method is named to people: its type ("Email"), and a short line that
 * tells two methods of one type apart: the label and the masked destination
 * ("Work email (a•••a@example.org)"). Labels are the person's own words.
 */
export function typeName(tr: Pick<Translator, 't'>, type: MethodView['type']): string {
  return tr.t(traitsOf(type).catalogue.name)
}

export function methodLine(tr: Pick<Translator, 't'>, method: Pick<MethodView, 'label' | 'destination'>): string {
  return method.destination === null
    ? method.label
    : tr.t('methods.labelWithDestination', { label: method.label, destination: method.destination })
}

/** "ABCDEFGH…" → "ABCD EFGH …": a key typed by hand is read in groups of four. */
export function groupKey(secret: string): string {
  return secret.replace(/\s+/g, '').replace(/(.{4})(?=.)/g, '$1 ')
}
