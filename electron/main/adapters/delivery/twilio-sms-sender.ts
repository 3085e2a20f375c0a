import { z } from 'zod'
import { AppError } from '../../domain/app-error'
import type { OutgoingSms } from '../../services/delivery-ports'
import { redact, requestGateway, requireSent, snippet, type DeliveryOptions } from './gateway-request'
import type { ResolvedTwilioProvider } from './provider-settings'

const what = 'Twilio'

/** Twilio's error document (https://www.twilio.com/docs/usage/twilios-response#response-formats-exceptions). */
const twilioErrorSchema = z.object({
  code: z.number().nullish(),
  message: z.string().nullish(),
})

function twilioError(status: number, text: string, smsText: string): AppError {
  let code: number | null = null
  let message: string | null = null
  try {
    const parsed = twilioErrorSchema.safeParse(JSON.parse(text))
    if (parsed.success) {
      code = parsed.data.code ?? null
      message = parsed.data.message ?? null
    }
  } catch {
    // Not JSON (a proxy's error page): fall back to the raw text below.
  }
  const detail = snippet(redact(message ?? text, smsText))
  const codeText = code === null ? '' : `, error ${code}`
  const verb =
    status === 401 || status === 403
      ? 'refused the Account SID or auth token'
      : status >= 500
        ? 'could not take the message'
        : 'refused the message'
  return new AppError('DELIVERY_FAILED', `${what} ${verb} (${status}${codeText})${detail ? `: ${detail}` : ''}`)
}

/**
 * Twilio's Messages API: a form POST with Basic auth (Account SID and auth
 * token). A `from` starting with MG is a Messaging Service, which picks the
 * sending number itself. 201 Created means accepted.
 */
export async function sendTwilioSms(
  config: ResolvedTwilioProvider,
  sms: OutgoingSms,
  options: DeliveryOptions = {},
): Promise<void> {
  if (config.authToken === null) {
    throw new AppError('NOT_CONFIGURED', 'The Twilio auth token is not set; an administrator can set it')
  }
  const base = config.baseUrl.replace(/\/+$/, '')
  const url = new URL(`${base}/2010-04-01/Accounts/${encodeURIComponent(config.accountSid)}/Messages.json`)
  const form = new URLSearchParams({ To: sms.to })
  if (/^MG/.test(config.from)) form.set('MessagingServiceSid', config.from)
  else form.set('From', config.from)
  form.set('Body', sms.text)
  const credentials = Buffer.from(`${config.accountSid}:${config.authToken}`, 'utf8').toString('base64')
  const response = await requestGateway(
    what,
    url,
    {
      method: 'POST',
      headers: {
        Authorization: `Basic ${credentials}`,
        'Content-Type': 'application/x-www-form-urlencoded',
        Accept: 'application/json',
      },
      body: form.toString(),
    },
    options,
  )
  requireSent(what, response, sms.text, ({ status, text }) => twilioError(status, text, sms.text))
}
