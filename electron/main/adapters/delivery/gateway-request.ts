import { AppError } from '../../domain/app-error'

/** Issue 3: a provider that does not answer within 10 s counts as down; the code is then not sent. */
export const defaultDeliveryTimeoutMs = 10_000

export interface DeliveryOptions {
  /** How long a provider may take, connection and answer together. Tests shorten it. */
  readonly timeoutMs?: number
}

export function secondsText(timeoutMs: number): string {
  const seconds = Number((timeoutMs / 1000).toFixed(2))
  return `${seconds} second${seconds === 1 ? '' : 's'}`
}

/**
 * S9: error messages end up in the UI and the audit log, so nothing from the
 * outgoing message may reach them. A gateway's or server's answer could echo
 * the text; every run of 4 or more digits that occurs in the outgoing text
 * (the code is one) and the whole text are masked in it.
 */
export function redact(answer: string, outgoingText: string): string {
  let result = answer
  if (outgoingText.length > 0) result = result.split(outgoingText).join('[message]')
  const digitRuns = new Set(outgoingText.match(/\d{4,}/g) ?? [])
  for (const run of digitRuns) result = result.split(run).join('***')
  return result
}

/** The first line of an answer, trimmed and bounded, for a message a person reads. */
export function snippet(answer: string, maxLength = 200): string {
  const line = answer.replace(/\s+/g, ' ').trim()
  return line.length > maxLength ? `${line.slice(0, maxLength - 1)}…` : line
}

export function hostAndPort(url: URL): string {
  const port = url.port || (url.protocol === 'https:' ? '443' : '80')
  return `${url.hostname}:${port}`
}

function systemCodeOf(error: unknown): string | null {
  let current: unknown = error
  // fetch wraps the socket error in `cause`; with several addresses (localhost) it is an AggregateError.
  for (let depth = 0; depth < 4 && current instanceof Error; depth += 1) {
    const code = (current as Error & { code?: unknown }).code
    if (typeof code === 'string' && code.length > 0) return code
    if (current instanceof AggregateError && current.errors[0] instanceof Error) current = current.errors[0]
    else current = current.cause
  }
  return null
}

/** Certificate and handshake failures: OpenSSL's verify codes and Node's ERR_TLS and ERR_SSL codes. */
export function isTlsCode(code: string): boolean {
  return /CERT|SIGNED|ERR_TLS|ERR_SSL|EPROTO|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/.test(code)
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || systemCodeOf(error) === 'ETIMEDOUT')
}

export interface GatewayResponse {
  readonly status: number
  readonly text: string
}

/**
 * One HTTP request to an SMS gateway with a hard deadline covering connect,
 * headers and body. Redirects are not followed: a redirect could carry the
 * credentials and secret headers to another host.
 */
export async function requestGateway(
  what: string,
  url: URL,
  init: { method: 'GET' | 'POST'; headers?: Record<string, string>; body?: string },
  options: DeliveryOptions = {},
): Promise<GatewayResponse> {
  const timeoutMs = options.timeoutMs ?? defaultDeliveryTimeoutMs
  const where = hostAndPort(url)
  try {
    const response = await fetch(url, {
      method: init.method,
      headers: init.headers,
      body: init.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    })
    const text = await response.text()
    return { status: response.status, text }
  } catch (error) {
    if (isTimeout(error)) {
      throw new AppError('DELIVERY_FAILED', `${what} did not answer within ${secondsText(timeoutMs)}`)
    }
    switch (systemCodeOf(error)) {
      case 'ECONNREFUSED':
      case 'EHOSTUNREACH':
      case 'ENETUNREACH':
        throw new AppError('DELIVERY_FAILED', `${what} at ${where} is not reachable`)
      case 'ENOTFOUND':
      case 'EAI_AGAIN':
        throw new AppError('DELIVERY_FAILED', `${what} host name ${url.hostname} could not be found`)
      case 'ECONNRESET':
      case 'EPIPE':
      case 'UND_ERR_SOCKET':
        throw new AppError('DELIVERY_FAILED', `${what} at ${where} closed the connection without answering`)
      default: {
        const code = systemCodeOf(error)
        if (code !== null && isTlsCode(code)) {
          throw new AppError('DELIVERY_FAILED', `the secure connection to ${what} at ${where} failed (${code})`)
        }
        throw new AppError('DELIVERY_FAILED', `${what} at ${where} could not be reached${code ? ` (${code})` : ''}`)
      }
    }
  }
}

/** A 3xx answer: refused above (not followed), reported as such. */
export function redirectError(what: string, status: number): AppError {
  return new AppError(
    'DELIVERY_FAILED',
    `${what} answered with a redirect (${status}); enter the final URL, redirects are not followed`,
  )
}

/** A refusal in the gateway's own words (S9: masked for the text and its code), 5xx as "could not take". */
export function gatewayRefusal(what: string, response: GatewayResponse, smsText: string): AppError {
  const detail = snippet(redact(response.text, smsText))
  const verb = response.status >= 500 ? 'could not take the message' : 'refused the message'
  return new AppError('DELIVERY_FAILED', `${what} ${verb} (${response.status}${detail ? `: ${detail}` : ''})`)
}

/**
 * How every HTTP gateway's answer is read: 2xx is sent, a redirect is refused
 * (never followed, see requestGateway), anything else is a refusal, described
 * by the adapter when it knows the gateway's errors better (`describe` returns
 * undefined to fall back to the gateway's own words).
 */
export function requireSent(
  what: string,
  response: GatewayResponse,
  smsText: string,
  describe: (response: GatewayResponse) => AppError | undefined = () => undefined,
): void {
  if (response.status >= 200 && response.status < 300) return
  if (response.status >= 300 && response.status < 400) throw redirectError(what, response.status)
  throw describe(response) ?? gatewayRefusal(what, response, smsText)
}
