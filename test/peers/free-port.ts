import { createServer, type Server } from 'node:net'

/**
 * Ports on 127.0.0.1 that were free a moment ago: each is bound by the OS
 * (port 0), then released. All are held together until the last is found, so
 * one call never returns the same port twice.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = []
  try {
    for (let i = 0; i < count; i += 1) {
      const server = createServer()
      servers.push(server)
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen(0, '127.0.0.1', () => resolve())
      })
    }
    return servers.map((server) => {
      const address = server.address()
      if (address === null || typeof address === 'string') throw new Error('No TCP address')
      return address.port
    })
  } finally {
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))))
  }
}

export async function freePort(): Promise<number> {
  const [port] = await freePorts(1)
  return port!
}

/** A port nothing listens on, for "the server is down" tests (connect gets ECONNREFUSED). */
export const closedPort = freePort
