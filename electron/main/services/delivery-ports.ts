import type { SendPurpose } from '../../shared/provider-schemas'

/**
 * How services send email and text messages. Adapters implement these over
 * the configured providers; a failure is an AppError with code DELIVERY_FAILED
 * and a message that says what happened ("the SMS gateway refused the message
 * (403)"), and the service then treats the code as not sent.
 */
export interface OutgoingEmail {
  readonly to: string
  readonly subject: string
  readonly text: string
  /** Why it goes out: the configured senders keep the outcome of the last test or code send per provider. */
  readonly purpose?: SendPurpose
}

export interface OutgoingSms {
  /** E.164 */
  readonly to: string
  readonly text: string
  readonly purpose?: SendPurpose
}

export interface EmailSender {
  /** False when no SMTP server is configured: notifications are then skipped, codes refused. */
  isConfigured(): boolean
  send(email: OutgoingEmail): Promise<void>
}

export interface SmsSender {
  isConfigured(): boolean
  send(sms: OutgoingSms): Promise<void>
}

/** Fills {code}, {minutes}, {account}, {site} in a template; unknown placeholders stay as they are. */
export type TemplateValues = Readonly<Record<'code' | 'minutes' | 'account' | 'site', string>>

export function fillTemplate(template: string, values: Partial<TemplateValues>): string {
  return template.replace(
    /\{(code|minutes|account|site)\}/g,
    (whole, name: keyof TemplateValues) => values[name] ?? whole,
  )
}
