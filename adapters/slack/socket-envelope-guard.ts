// Socket Mode's front door: the SDK's SocketModeClient reads `payload.event.type` of every events_api envelope
// before Bolt sees it, in an async handler whose failure nothing catches (one bad envelope would stop the process).
// This puts a check in front of that handler and contains anything it throws. It never reads member text.
import type { SocketModeReceiver } from '@slack/bolt'
import type { Logger } from '../../src/logger.js'

type SocketModeClient = SocketModeReceiver['client']
type MessageListener = (data: unknown, isBinary: boolean) => unknown
/** The client's own acknowledgement call (typed private in the SDK). */
type Acknowledging = { send(envelopeId: string, body: Record<string, never>): Promise<void> }

/** The problem with an envelope, or undefined when the client may handle it. */
function envelopeProblem(envelope: unknown): string | undefined {
  if (!envelope || typeof envelope !== 'object') return 'envelope: not an object'
  const { type, payload } = envelope as { type?: unknown; payload?: unknown }
  // hello, disconnect and the like carry no payload; the client handles them itself.
  if (type !== 'events_api' && type !== 'slash_commands' && type !== 'interactive') return undefined
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) return 'payload: not an object'
  if (type === 'events_api') {
    const event = (payload as { event?: unknown }).event
    if (!event || typeof event !== 'object' || typeof (event as { type?: unknown }).type !== 'string') return 'payload.event: missing or without a type'
  }
  return undefined
}

export function guardSocketEnvelopes(client: SocketModeClient, logger: Logger): void {
  // The client registered its own handler in its constructor; take it over so it runs behind the check.
  const handlers = client.listeners('ws_message') as MessageListener[]
  client.removeAllListeners('ws_message')
  client.on('ws_message', (data: unknown, isBinary: boolean) => {
    let envelope: unknown
    try {
      envelope = isBinary ? undefined : JSON.parse(typeof data === 'string' ? data : new TextDecoder().decode(data as ArrayBuffer))
    } catch {
      envelope = undefined // the client ignores what it cannot parse
    }
    const problem = envelope === undefined ? undefined : envelopeProblem(envelope)
    if (problem) {
      const envelopeId = (envelope as { envelope_id?: unknown } | null)?.envelope_id
      logger.warn('slack_request_malformed', { payloadType: 'socket_envelope', problem })
      // Acknowledged, so Slack does not send the same unusable envelope again.
      if (typeof envelopeId === 'string') void (client as unknown as Acknowledging).send(envelopeId, {}).catch(() => {})
      return
    }
    for (const handler of handlers) {
      void Promise.resolve()
        .then(() => handler.call(client, data, isBinary))
        .catch((error: unknown) => logger.error('slack_event_failed', { payloadType: 'socket_envelope', error }))
    }
  })
}
