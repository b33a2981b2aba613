// The WebSocket side of a fake Slack Socket Mode: says hello, pushes envelopes (slash_commands, interactive,
// events_api) to the connected app and resolves with the app's ack. Shares the fake Web API's HTTP server.
import { randomUUID } from 'node:crypto'
import type { Server } from 'node:http'
import { WebSocketServer, type WebSocket } from 'ws'

export type SocketEnvelopeType = 'slash_commands' | 'interactive' | 'events_api'
export type SocketAck = { envelope_id: string; payload: Record<string, unknown> }

export class FakeSlackSocketMode {
  private readonly server = new WebSocketServer({ noServer: true })
  private readonly sockets = new Set<WebSocket>()
  private readonly pendingAcks = new Map<string, (ack: SocketAck) => void>()
  private readonly connectionWaiters: (() => void)[] = []
  connections = 0

  constructor(httpServer: Server) {
    httpServer.on('upgrade', (request, socket, head) => {
      if (!request.url?.startsWith('/socket-mode')) {
        socket.destroy()
        return
      }
      this.server.handleUpgrade(request, socket, head, (webSocket) => this.accept(webSocket))
    })
  }

  url(port: number): string {
    return `ws://127.0.0.1:${port}/socket-mode?ticket=${randomUUID()}`
  }

  /** Resolves once an app has connected and been greeted. */
  waitForConnection(): Promise<void> {
    if (this.sockets.size > 0) return Promise.resolve()
    return new Promise((resolve) => this.connectionWaiters.push(resolve))
  }

  /** Pushes an envelope to the connected app; resolves with its ack (the `payload` Bolt's ack() sent back). */
  send(type: SocketEnvelopeType, payload: Record<string, unknown>, options: { retryAttempt?: number } = {}): Promise<SocketAck> {
    const socket = [...this.sockets][0]
    if (!socket) return Promise.reject(new Error('fake Socket Mode: no app connected'))
    const envelopeId = randomUUID()
    const acked = new Promise<SocketAck>((resolve) => this.pendingAcks.set(envelopeId, resolve))
    socket.send(
      JSON.stringify({
        envelope_id: envelopeId,
        type,
        payload,
        accepts_response_payload: type !== 'events_api',
        ...(type === 'events_api' ? { retry_attempt: options.retryAttempt ?? 0, retry_reason: options.retryAttempt ? 'timeout' : '' } : {}),
      }),
    )
    return acked
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.terminate()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  private accept(socket: WebSocket): void {
    this.connections += 1
    this.sockets.add(socket)
    socket.on('close', () => this.sockets.delete(socket))
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as SocketAck
      const resolve = this.pendingAcks.get(message.envelope_id)
      if (resolve) {
        this.pendingAcks.delete(message.envelope_id)
        resolve(message)
      }
    })
    socket.send(JSON.stringify({ type: 'hello', num_connections: this.sockets.size, connection_info: { app_id: 'A00FAKEAPP01' }, debug_info: { host: 'fake' } }))
    for (const resolve of this.connectionWaiters.splice(0)) resolve()
  }
}
