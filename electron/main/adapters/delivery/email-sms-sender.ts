import { AppError, isAppError } from '../../domain/app-error'
import type { OutgoingSms } from '../../services/delivery-ports'
import type { DeliveryOptions } from './gateway-request'
import { hideDestination } from './last-send-recorder'
import type { ResolvedEmailProvider, ResolvedEmailSmsProvider } from './provider-settings'
import { sendSmtpEmail } from './smtp-email-sender'

export const emailSmsNeedsEmailMessage =
  'Text messages go out as email through the email provider, which is not set up; set up the email provider first'

/** `{number}@sms.example.net` with +447911123456 → `447911123456@sms.example.net` (E.164 digits, no +). */
export function emailSmsAddress(template: string, e164: string): string {
  return template.replaceAll('{number}', e164.replace(/^\+/, ''))
}

/**
 * An email-to-SMS gateway: the text goes as the body of a plain email, with
 * an empty subject (gateways put a subject in front of the text), through the
 * site's SMTP server, to the address the template makes of the number. It
 * has no secret of its own; the SMTP server's sign-in is used.
 */
export async function sendEmailSms(
  config: ResolvedEmailSmsProvider,
  email: ResolvedEmailProvider | null,
  sms: OutgoingSms,
  options: DeliveryOptions = {},
): Promise<void> {
  if (email === null) throw new AppError('NOT_CONFIGURED', emailSmsNeedsEmailMessage)
  const to = emailSmsAddress(config.addressTemplate, sms.to)
  try {
    await sendSmtpEmail(email, { to, subject: '', text: sms.text }, options)
  } catch (error) {
    if (!isAppError(error)) throw error
    // S9: the gateway address holds the whole number, and an SMTP refusal usually names it.
    throw new AppError(error.code, hideDestination(error.message, 'sms', sms.to), error.extra)
  }
}
