// A TCP proxy on 127.0.0.1 in front of a real server (Redis, PostgreSQL), for outage tests: `cut()` drops every
// connection and refuses new ones, as a crashed server would; `restore()` accepts again on the same port;
// `cutAfterForwarding()` lets one request through to the server and then cuts, before its reply comes back.
import { createServer, connect, type Server, type Socket } from 'node:net'

export type TcpProxy = {
  port: number
  /** Ends every open connection and stops accepting (clients see resets, then connection refused). */
  cut(): Promise<void>
  /** Listens again on the same port. */
  restore(): Promise<void>
  /** The next client bytes containing `needle` reach the server; then everything is cut. Resolves when it happened. */
  cutAfterForwarding(needle: string): Promise<void>
  close(): Promise<void>
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>()
  let server: Server | undefined
  let port = 0
  let tripwire: { needle: Buffer; sprung: () => void } | undefined

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const next = createServer((client) => {
        const upstream = connect(target.port, target.host)
        for (const socket of [client, upstream]) {
          sockets.add(socket)
          socket.on('close', () => sockets.delete(socket))
          socket.on('error', () => {})
        }
        let sprung: (() => void) | undefined
        client.on('data', (chunk: Buffer) => {
          const trip = tripwire
          if (trip && chunk.includes(trip.needle)) {
            tripwire = undefined
            sprung = trip.sprung
          }
          upstream.write(chunk)
        })
        upstream.on('data', (chunk: Buffer) => {
          // The server has answered the request, so it ran; the answer never makes it back.
          if (sprung) void stop().then(sprung)
          else client.write(chunk)
        })
        client.on('close', () => upstream.destroy())
        upstream.on('close', () => client.destroy())
      })
      next.once('error', reject)
      next.listen(port, '127.0.0.1', () => {
        port = (next.address() as { port: number }).port
        server = next
        resolve()
      })
    })

  const stop = async () => {
    const current = server
    server = undefined
    for (const socket of sockets) socket.destroy()
    sockets.clear()
    if (current) await new Promise<void>((resolve) => current.close(() => resolve()))
  }

  await listen()
  return {
    get port() {
      return port
    },
    cut: stop,
    cutAfterForwarding(needle) {
      return new Promise<void>((resolve) => {
        tripwire = { needle: Buffer.from(needle), sprung: resolve }
      })
    },
    async restore() {
      if (!server) await listen()
    },
    close: stop,
  }
}
