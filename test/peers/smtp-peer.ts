import { simpleParser, type AddressObject } from 'mailparser'
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server'
import { Mailbox } from './mailbox'

/**
 * A real SMTP server on 127.0.0.1 (the `smtp-server` package) that keeps every
 * message it accepts, parsed with `mailparser`. For integration, CLI and
 * end-to-end tests that read email codes.
 */
export interface CapturedEmail {
  /** Envelope sender (MAIL FROM). */
  readonly envelopeFrom: string
  /** Envelope recipients (RCPT TO), lower case. */
  readonly envelopeTo: readonly string[]
  /** Addresses of the To header, lower case. */
  readonly to: readonly string[]
  /** Address of the From header. */
  readonly from: string
  readonly subject: string
  readonly text: string
  /** Which user signed in to send it, or null. */
  readonly user: string | null
  /** Whether the session was encrypted (implicit TLS or STARTTLS). */
  readonly secure: boolean
}

export interface SmtpFailure {
  /** The SMTP command answered with the error. */
  readonly stage: 'mail' | 'rcpt' | 'data'
  /** The SMTP reply code, e.g. 550. */
  readonly code: number
  readonly message?: string
}

export interface SmtpPeerOptions {
  /** Require sign-in with these credentials (PLAIN/LOGIN; allowed without TLS here). */
  readonly auth?: { readonly user: string; readonly pass: string }
  /**
   * false (default): plain text only, STARTTLS refused.
   * 'starttls': STARTTLS offered; 'implicit': TLS from the first byte.
   * Both use smtp-server's built-in self-signed certificate for localhost.
   */
  readonly tls?: false | 'starttls' | 'implicit'
  /** Answer this command with an error, for every message. */
  readonly failWith?: SmtpFailure
}

/** One AUTH command the server received, right or wrong (S34: was it encrypted?). */
export interface AuthAttempt {
  readonly user: string
  readonly secure: boolean
}

export interface SmtpPeer {
  readonly host: string
  readonly port: number
  /** Everything accepted so far, in order. */
  readonly messages: readonly CapturedEmail[]
  /** Every sign-in attempt so far, in order, whether it succeeded or not. */
  readonly authAttempts: readonly AuthAttempt[]
  /** The next message for `to` (envelope recipient) not returned before; waits for it. */
  waitForMessage(to: string, options?: { timeoutMs?: number }): Promise<CapturedEmail>
  close(): Promise<void>
}

function addresses(value: AddressObject | AddressObject[] | undefined): string[] {
  const objects = value === undefined ? [] : Array.isArray(value) ? value : [value]
  return objects.flatMap((object) => object.value.map((entry) => (entry.address ?? '').toLowerCase()))
}

function smtpError(failure: SmtpFailure): Error & { responseCode: number } {
  return Object.assign(new Error(failure.message ?? 'Refused by the test server'), { responseCode: failure.code })
}

export async function startSmtpPeer(options: SmtpPeerOptions = {}): Promise<SmtpPeer> {
  const mailbox = new Mailbox<CapturedEmail>()
  const tls = options.tls ?? false
  const failWith = options.failWith
  const authAttempts: AuthAttempt[] = []

  const server = new SMTPServer({
    secure: tls === 'implicit',
    disabledCommands: [...(tls === false ? ['STARTTLS'] : []), ...(options.auth ? [] : ['AUTH'])],
    authOptional: !options.auth,
    allowInsecureAuth: true,
    logger: false,
    // Do not keep a test waiting 30 s for a client that is still connected.
    closeTimeout: 1000,
    onAuth(auth, session, callback) {
      authAttempts.push({ user: auth.username ?? '', secure: session.secure })
      if (options.auth && auth.username === options.auth.user && auth.password === options.auth.pass) {
        callback(null, { user: auth.username })
      } else {
        callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }))
      }
    },
    onMailFrom(_address, _session, callback) {
      callback(failWith?.stage === 'mail' ? smtpError(failWith) : null)
    },
    onRcptTo(_address, _session, callback) {
      callback(failWith?.stage === 'rcpt' ? smtpError(failWith) : null)
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback) {
      simpleParser(stream)
        .then((parsed) => {
          if (failWith?.stage === 'data') return callback(smtpError(failWith))
          const from = session.envelope.mailFrom
          mailbox.push({
            envelopeFrom: from === false ? '' : from.address,
            envelopeTo: session.envelope.rcptTo.map((rcpt) => rcpt.address.toLowerCase()),
            to: addresses(parsed.to),
            from: addresses(parsed.from)[0] ?? '',
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            user: typeof session.user === 'string' ? session.user : null,
            secure: session.secure,
          })
          callback(null)
        })
        .catch((error: unknown) => callback(error instanceof Error ? error : new Error(String(error))))
    },
  })
  // A client that gives up (a test of a failure) makes the server emit errors; they are expected here.
  server.on('error', () => undefined)

  const host = '127.0.0.1'
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject)
    server.listen(0, host, () => resolve())
  })
  const address = server.server.address()
  if (address === null || typeof address === 'string') throw new Error('The SMTP peer has no TCP address')

  return {
    host,
    port: address.port,
    messages: mailbox.all,
    authAttempts,
    waitForMessage(to, { timeoutMs = 10_000 } = {}) {
      const wanted = to.toLowerCase()
      return mailbox.take(`an email to ${to}`, (message) => message.envelopeTo.includes(wanted), timeoutMs)
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
