// A small HTTP load balancer on 127.0.0.1 for tests and benchmarks: each request goes to the next upstream in turn,
// body and headers passed through unchanged (Slack's signature must still verify). Test code only.
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export type RoundRobinProxy = { url: string; /** Requests sent to each upstream, in upstream order. */ forwarded: number[]; close(): Promise<void> }

export async function startRoundRobinProxy(upstreamPorts: number[]): Promise<RoundRobinProxy> {
  const forwarded = upstreamPorts.map(() => 0)
  let next = 0
  const server = createServer((incoming: IncomingMessage, outgoing: ServerResponse) => {
    const index = next
    next = (next + 1) % upstreamPorts.length
    forwarded[index]! += 1
    const upstream = httpRequest(
      // No connection reuse on either side: a socket one end closed while idle would reset the next request.
      { host: '127.0.0.1', port: upstreamPorts[index], method: incoming.method, path: incoming.url, headers: { ...incoming.headers, connection: 'close' }, agent: false },
      (response) => {
        outgoing.writeHead(response.statusCode ?? 502, { ...response.headers, connection: 'close' })
        response.pipe(outgoing)
      },
    )
    upstream.on('error', () => {
      if (!outgoing.headersSent) outgoing.writeHead(502)
      outgoing.end()
    })
    incoming.pipe(upstream)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    forwarded,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  }
}
