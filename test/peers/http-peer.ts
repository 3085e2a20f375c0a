import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { Mailbox } from './mailbox'

/**
 * A loopback HTTP server that records every request and answers as told: a
 * stand-in for a generic SMS API, Twilio, or a gateway that is slow or hangs
 * up. For integration, CLI and end-to-end tests.
 */
export interface RecordedRequest {
  readonly method: string
  /** Path and query as sent, e.g. `/send?to=%2B1555…`. */
  readonly url: string
  /** Parsed against the peer's base URL, for reading the query. */
  readonly parsedUrl: URL
  /** Node's lower-cased header names. */
  readonly headers: IncomingHttpHeaders
  readonly body: string
}

export interface HttpAnswer {
  readonly status?: number
  readonly body?: string
  readonly headers?: Readonly<Record<string, string>>
}

/**
 * How to answer: a fixed answer, a function of the request, or a fault —
 * 'hang' never answers (a slow provider; the connection stays open until
 * close()), 'reset' drops the connection without a word.
 */
export type HttpBehaviour = HttpAnswer | ((request: RecordedRequest) => HttpAnswer) | 'hang' | 'reset'

export interface HttpPeer {
  readonly host: string
  readonly port: number
  /** `http://127.0.0.1:PORT` without a trailing slash. */
  readonly url: string
  readonly requests: readonly RecordedRequest[]
  /** Changes how later requests are answered. */
  respondWith(behaviour: HttpBehaviour): void
  /** The next request not returned before (optionally one that matches); waits for it. */
  waitForRequest(options?: {
    timeoutMs?: number
    match?: (request: RecordedRequest) => boolean
  }): Promise<RecordedRequest>
  close(): Promise<void>
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)))
  return Buffer.concat(chunks).toString('utf8')
}

export async function startHttpPeer(behaviour: HttpBehaviour = { status: 200, body: 'OK' }): Promise<HttpPeer> {
  const mailbox = new Mailbox<RecordedRequest>()
  const sockets = new Set<Socket>()
  let current = behaviour
  const host = '127.0.0.1'
  let base = ''

  const answer = (response: ServerResponse, reply: HttpAnswer): void => {
    response.writeHead(reply.status ?? 200, { 'Content-Type': 'text/plain; charset=utf-8', ...reply.headers })
    response.end(reply.body ?? '')
  }

  const server = createServer((request, response) => {
    readBody(request)
      .then((body) => {
        const recorded: RecordedRequest = {
          method: request.method ?? '',
          url: request.url ?? '',
          parsedUrl: new URL(request.url ?? '/', base),
          headers: request.headers,
          body,
        }
        mailbox.push(recorded)
        const now = current
        if (now === 'hang') return
        if (now === 'reset') {
          request.socket.destroy()
          return
        }
        answer(response, typeof now === 'function' ? now(recorded) : now)
      })
      .catch(() => request.socket.destroy())
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, host, () => resolve())
  })
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('The HTTP peer has no TCP address')
  base = `http://${host}:${address.port}`

  return {
    host,
    port: address.port,
    url: base,
    requests: mailbox.all,
    respondWith(next) {
      current = next
    },
    waitForRequest({ timeoutMs = 10_000, match = () => true } = {}) {
      return mailbox.take('an HTTP request', match, timeoutMs)
    },
    close: () =>
      new Promise<void>((resolve) => {
        // Hanging requests keep their sockets open; end them so close() returns at once.
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}
