import { createServer, type Socket } from 'node:net'

/**
 * A TCP server on 127.0.0.1 that accepts connections and never says a word:
 * an SMTP server or gateway that hangs, for timeout tests.
 */
export interface SilentPeer {
  readonly host: string
  readonly port: number
  /** How many connections it accepted. */
  connections(): number
  close(): Promise<void>
}

export async function startSilentPeer(): Promise<SilentPeer> {
  const sockets = new Set<Socket>()
  let accepted = 0
  const server = createServer((socket) => {
    accepted += 1
    sockets.add(socket)
    socket.on('error', () => undefined)
    socket.on('close', () => sockets.delete(socket))
  })
  const host = '127.0.0.1'
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, host, () => resolve())
  })
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('The silent peer has no TCP address')
  return {
    host,
    port: address.port,
    connections: () => accepted,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}
