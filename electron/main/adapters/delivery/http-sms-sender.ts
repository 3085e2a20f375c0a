import { AppError } from '../../domain/app-error'
import type { OutgoingSms, SmsSender } from '../../services/delivery-ports'
import { redact, redirectError, requestGateway, snippet, type DeliveryOptions } from './gateway-request'
import type { ResolvedHttpSmsProvider } from './provider-settings'

const what = 'the SMS gateway'

/** Fills {to} and {text}, each escaped for where it lands; nothing else is touched. */
export function fillHttpTemplate(template: string, sms: OutgoingSms, escape: (value: string) => string): string {
  return template.replace(/\{(to|text)\}/g, (_whole, name: 'to' | 'text') => escape(sms[name]))
}

/** The inside of a JSON string literal: the template supplies the quotes (`{"text":"{text}"}`). */
function jsonStringContent(value: string): string {
  return JSON.stringify(value).slice(1, -1)
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((key) => key.toLowerCase() === name.toLowerCase())
}

/**
 * A generic HTTP SMS API: the administrator describes the request (method, URL
 * and body templates, headers), Keyhold fills in the number and the text.
 * Any 2xx answer means sent.
 */
export async function sendHttpSms(
  config: ResolvedHttpSmsProvider,
  sms: OutgoingSms,
  options: DeliveryOptions = {},
): Promise<void> {
  const url = new URL(fillHttpTemplate(config.url, sms, encodeURIComponent))
  const headers: Record<string, string> = { ...config.headers, ...config.secretHeaders }
  let body: string | undefined
  if (config.method === 'POST' && config.body !== null) {
    if (config.bodyEncoding === 'json') {
      body = fillHttpTemplate(config.body, sms, jsonStringContent)
      if (!hasHeader(headers, 'content-type')) headers['Content-Type'] = 'application/json'
    } else {
      body = fillHttpTemplate(config.body, sms, encodeURIComponent)
      if (!hasHeader(headers, 'content-type')) headers['Content-Type'] = 'application/x-www-form-urlencoded'
    }
  }
  const response = await requestGateway(what, url, { method: config.method, headers, body }, options)
  if (response.status >= 200 && response.status < 300) return
  if (response.status >= 300 && response.status < 400) throw redirectError(what, response.status)
  const detail = snippet(redact(response.text, sms.text))
  const verb = response.status >= 500 ? 'could not take the message' : 'refused the message'
  throw new AppError('DELIVERY_FAILED', `${what} ${verb} (${response.status}${detail ? `: ${detail}` : ''})`)
}

export function createHttpSmsSender(
  config: () => ResolvedHttpSmsProvider | null,
  options: DeliveryOptions = {},
): SmsSender {
  return {
    isConfigured: () => config() !== null,
    async send(sms) {
      const current = config()
      if (current === null)
        throw new AppError('NOT_CONFIGURED', 'No SMS gateway is set up; an administrator can set one up')
      await sendHttpSms(current, sms, options)
    },
  }
}
