import { AppError } from '../../domain/app-error'
import type { OutgoingEmail } from '../../services/delivery-ports'
import {
  defaultDeliveryTimeoutMs,
  isTlsCode,
  redact,
  secondsText,
  snippet,
  type DeliveryOptions,
} from './gateway-request'
import type { ResolvedEmailProvider } from './provider-settings'

/** The fields nodemailer puts on its errors (see nodemailer's errors.js). */
interface NodemailerError extends Error {
  code?: string
  /** The system error under a nodemailer code, e.g. ECONNREFUSED under ESOCKET. */
  originalCode?: string
  responseCode?: number
  response?: string
  command?: string
}

function asNodemailerError(error: unknown): NodemailerError {
  return error instanceof Error ? error : new Error(String(error))
}

/**
 * Turns a nodemailer failure into a message an administrator can act on. It
 * names the server and the SMTP reply code, never the message: the server's
 * reply is masked for the text and its code (S9).
 */
export function describeSmtpError(
  error: unknown,
  config: Pick<ResolvedEmailProvider, 'host' | 'port'>,
  email: OutgoingEmail,
  timeoutMs: number,
): AppError {
  const err = asNodemailerError(error)
  const where = `${config.host}:${config.port}`
  const reply = err.response ? snippet(redact(redact(err.response, email.text), email.subject)) : ''
  const replyCode = err.responseCode ? String(err.responseCode) : ''
  const fail = (message: string): AppError => new AppError('DELIVERY_FAILED', message)
  const system = err.originalCode ?? ''

  if (err.code === 'ETIMEDOUT' || system === 'ETIMEDOUT') {
    return fail(`the SMTP server at ${where} did not answer within ${secondsText(timeoutMs)}`)
  }
  if (system === 'ECONNREFUSED') return fail(`the SMTP server at ${where} refused the connection`)
  if (system === 'EHOSTUNREACH' || system === 'ENETUNREACH') return fail(`the SMTP server at ${where} is not reachable`)
  if (err.code === 'EDNS' || system === 'ENOTFOUND' || system === 'EAI_AGAIN') {
    return fail(`the SMTP server name ${config.host} could not be found`)
  }
  if (err.code === 'EAUTH') {
    if (err.responseCode) return fail(`the SMTP server refused the username or password (${err.responseCode})`)
    return fail('the SMTP server did not accept the sign-in; check whether it needs a user name and password')
  }
  if (err.code === 'ENOAUTH') return fail('the SMTP server needs a user name and password')
  const tlsReason = system && isTlsCode(system) ? system : null
  if (tlsReason && /WRONG_VERSION|PROTOCOL|EPROTO|PACKET_LENGTH/.test(tlsReason)) {
    return fail(
      `the SMTP server at ${where} does not speak TLS on this port (${tlsReason}); check the port and security`,
    )
  }
  if (tlsReason) {
    return fail(`the SMTP server at ${where} presented a certificate that is not trusted (${tlsReason})`)
  }
  if (err.code === 'ETLS') {
    if (err.command === 'STARTTLS' && err.responseCode) {
      return fail(`the SMTP server at ${where} does not offer STARTTLS (${err.responseCode})`)
    }
    const reason = system || snippet(err.message.replace(/^Error initiating TLS - /, ''), 120)
    return fail(`the secure connection (STARTTLS) to the SMTP server at ${where} failed (${reason})`)
  }
  if (err.responseCode === 530) return fail('the SMTP server needs a user name and password (530)')
  if (err.code === 'EENVELOPE' || err.code === 'EMESSAGE') {
    const answer = [replyCode, reply.replace(/^\d{3}\s*/, '')].filter(Boolean).join(' ')
    const suffix = answer ? ` (${answer})` : ''
    if (err.command === 'MAIL FROM') return fail(`the SMTP server refused the sender address${suffix}`)
    if (err.command === 'RCPT TO') return fail(`the SMTP server refused the recipient address${suffix}`)
    if (err.command === 'API') return fail(`the email address is not valid (${snippet(err.message, 120)})`)
    return fail(`the SMTP server refused the message${suffix}`)
  }
  if (err.code === 'ECONNECTION' || system === 'ECONNRESET' || system === 'EPIPE') {
    return fail(`the SMTP server at ${where} closed the connection unexpectedly`)
  }
  const code = [err.code, system, replyCode].filter(Boolean).join(' ')
  return fail(`sending through the SMTP server at ${where} failed${code ? ` (${code})` : ''}`)
}

/** One send with the given configuration: a fresh connection each time, closed afterwards. */
export async function sendSmtpEmail(
  config: ResolvedEmailProvider,
  email: OutgoingEmail,
  options: DeliveryOptions = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? defaultDeliveryTimeoutMs
  // S34: never a user name and password in clear unless an administrator chose it for this server (settings
  // stored before that choice existed, or written by hand, have not). Refused before any connection.
  if (config.security === 'none' && config.username !== null && !config.unencryptedSignIn) {
    throw new AppError(
      'DELIVERY_FAILED',
      'the SMTP settings would send the user name and password without encryption; an administrator must choose STARTTLS or TLS, or confirm "no encryption" for this server',
    )
  }
  // Loaded at the first email: every command that opens Keyhold would pay for it otherwise (issue 15).
  const nodemailer = await import('nodemailer')
  const { createTransport } = (nodemailer as typeof nodemailer & { default?: typeof nodemailer }).default ?? nodemailer
  const transport = createTransport({
    host: config.host,
    port: config.port,
    // none: plain text, even if the server offers STARTTLS (the administrator chose it);
    // starttls: upgrade or fail, never fall back to plain text; tls: TLS from the first byte.
    secure: config.security === 'tls',
    requireTLS: config.security === 'starttls',
    ignoreTLS: config.security === 'none',
    auth: config.username ? { user: config.username, pass: config.password ?? '' } : undefined,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    // Never read files or URLs named in a message, and never log (the text holds a code, S9).
    disableFileAccess: true,
    disableUrlAccess: true,
    logger: false,
    debug: false,
  })
  try {
    await transport.sendMail({ from: config.from, to: email.to, subject: email.subject, text: email.text })
  } catch (error) {
    throw describeSmtpError(error, config, email, timeoutMs)
  } finally {
    transport.close()
  }
}

export const emailNotConfiguredMessage = 'No email server is set up; an administrator can set one up'
