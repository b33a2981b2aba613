// The boundary every Slack delivery passes (HTTP or Socket Mode): Bolt's receiver behind a front door for malformed,
// unsigned or badly timed requests, and a dispatcher that contains each failure (logged by payload type, never text)
// and acknowledges a message event only once stored, so Slack resends what an outage lost. No handler logic here.
import {
  HTTPReceiver,
  SocketModeReceiver,
  type App,
  type CustomRoute,
  type Receiver,
  type ReceiverEvent,
  type ReceiverProcessEventErrorHandlerArgs,
  type Logger as SlackLogger,
  type webApi,
} from '@slack/bolt'
import { isBotError } from '../../src/bot-error.js'
import type { Logger } from '../../src/logger.js'
import { screenSlackRequests } from './slack-http-screen.js'
import { checkSlackPayload } from './slack-payload-shape.js'
import { guardSocketEnvelopes } from './socket-envelope-guard.js'

export type SlackReceiverOptions = {
  logger: Logger
  slackLogger: SlackLogger
  customRoutes: CustomRoute[]
  clientOptions: webApi.WebClientOptions
} & ({ mode: 'http'; signingSecret: string; endpoint: string; clock?: () => number } | { mode: 'socket'; appToken: string; /** Where custom routes (the OAuth redirect) are served. */ port: number })

export function createSlackReceiver(options: SlackReceiverOptions): Receiver {
  const { logger } = options
  if (options.mode === 'http') {
    const inner = new HTTPReceiver({
      signingSecret: options.signingSecret,
      endpoints: options.endpoint,
      customRoutes: options.customRoutes,
      logger: options.slackLogger,
      // Acknowledge first, then work: Slack's 3-second deadline holds however slow the model is.
      processBeforeResponse: false,
      processEventErrorHandler: answerUnacknowledged,
    })
    inner.requestListener = screenSlackRequests(inner.requestListener, { signingSecret: options.signingSecret, endpoint: options.endpoint, logger, clock: options.clock })
    return behindBoundary(inner, logger)
  }
  const inner = new SocketModeReceiver({
    appToken: options.appToken,
    logger: options.slackLogger,
    customRoutes: options.customRoutes,
    installerOptions: { clientOptions: options.clientOptions, ...(options.customRoutes.length ? { port: options.port } : {}) },
    // Left unacknowledged, Slack delivers the envelope again; the failure was logged where it happened.
    processEventErrorHandler: async () => false,
  })
  guardSocketEnvelopes(inner.client, logger)
  return behindBoundary(inner, logger)
}

/** HTTP: a delivery that failed before it was acknowledged gets a non-2xx, so Slack retries it. */
async function answerUnacknowledged({ error, response }: ReceiverProcessEventErrorHandlerArgs): Promise<boolean> {
  if (!response.headersSent) response.writeHead(isBotError(error) && error.isRetryable ? 503 : 500).end()
  // Tells the receiver the request is answered, so its 3-second timer does not answer it again.
  return true
}

function behindBoundary(inner: Receiver, logger: Logger): Receiver {
  return {
    init(app: App) {
      inner.init({ processEvent: (event: ReceiverEvent) => deliver(app, event, logger) } as unknown as App)
    },
    start: (...args: unknown[]) => inner.start(...args),
    stop: (...args: unknown[]) => inner.stop(...args),
  }
}

async function deliver(app: App, event: ReceiverEvent, logger: Logger): Promise<void> {
  const shape = checkSlackPayload(event.body)
  if (!shape.ok) {
    // Over HTTP the front door already answered 400; a Socket Mode envelope is acknowledged so it is not resent.
    logger.warn('slack_request_malformed', { payloadType: shape.payloadType, problem: shape.problem })
    await event.ack()
    return
  }
  if (shape.kind === 'app_rate_limited') {
    logger.warn('slack_app_rate_limited', {})
    await event.ack()
    return
  }
  // A direct message is never stored (nor learned from), so it has nothing to wait for: acknowledged first, like a
  // command, so a draft asked for in the assistant pane cannot hold the acknowledgement past Slack's deadline.
  if (shape.kind === 'event' && shape.eventType === 'message' && !isDirectMessageEvent(event.body)) {
    await deliverOnceStored(app, event, shape.payloadType, logger)
    return
  }
  let acknowledged = false
  const ack = async (response?: unknown) => {
    acknowledged = true
    await event.ack(response)
  }
  try {
    await app.processEvent({ ...event, ack })
  } catch (error) {
    logger.error('slack_event_failed', { payloadType: shape.payloadType, error })
    if (!acknowledged) throw error
  }
}

/** Bolt acknowledges events before its listeners run; for a message the acknowledgement waits for the store. */
async function deliverOnceStored(app: App, event: ReceiverEvent, payloadType: string, logger: Logger): Promise<void> {
  try {
    await app.processEvent({ ...event, ack: async () => {} })
  } catch (error) {
    logger.warn('slack_event_unacknowledged', { payloadType, retryNum: event.retryNum, error })
    throw error
  }
  // Past Bolt's 3-second timer the request was already answered (404, so Slack retries); nothing more to send.
  await event.ack().catch((error: unknown) => logger.debug('slack_late_acknowledgement', { payloadType, error }))
}

function isDirectMessageEvent(body: unknown): boolean {
  const channelType = (body as { event?: { channel_type?: unknown } }).event?.channel_type
  return channelType === 'im' || channelType === 'mpim'
}
