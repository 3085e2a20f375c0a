import { AppError } from '../../domain/app-error'
import type { OutgoingSms } from '../../services/delivery-ports'
import { requestGateway, requireSent, type DeliveryOptions } from './gateway-request'
import type { ResolvedKannelProvider } from './provider-settings'

const what = 'the SMS gateway'

/** Text that plain GSM 7-bit coding would mangle (Kannel turns it into `?`) goes as UCS-2. */
function needsUnicode(text: string): boolean {
  // Any character outside ASCII needs UCS-2; the control range is part of ASCII here, not a mistake.
  // eslint-disable-next-line no-control-regex
  return /[^\x00-\x7f]/.test(text)
}

/**
 * Kannel's smsbox `sendsms` HTTP interface (GET, credentials in the query, as
 * Kannel requires). Kannel answers 202 with `0: Accepted for delivery`, or
 * `3: Queued for later delivery` when its operator link is down (it sends the
 * message once the link is back, so that counts as sent too).
 */
export async function sendKannelSms(
  config: ResolvedKannelProvider,
  sms: OutgoingSms,
  options: DeliveryOptions = {},
): Promise<void> {
  const url = new URL(config.url)
  const query = url.searchParams
  query.set('username', config.username)
  if (config.password !== null) query.set('password', config.password)
  query.set('to', sms.to)
  query.set('text', sms.text)
  if (config.from) query.set('from', config.from)
  if (needsUnicode(sms.text)) {
    query.set('charset', 'UTF-8')
    query.set('coding', '2')
  }
  const response = await requestGateway(what, url, { method: 'GET' }, options)
  requireSent(what, response, sms.text, ({ status }) =>
    // smsbox answers 403 "Authorization failed for sendsms" to a wrong user name or password.
    status === 401 || status === 403
      ? new AppError(
          'DELIVERY_FAILED',
          `${what} refused the username or password (${status}); check the credentials in the SMS provider settings`,
        )
      : undefined,
  )
}
