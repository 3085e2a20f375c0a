import type { OutgoingSms } from '../../services/delivery-ports'
import { requestGateway, requireSent, type DeliveryOptions } from './gateway-request'
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
  requireSent(what, response, sms.text)
}
