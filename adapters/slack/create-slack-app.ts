// Builds the Slack app on Bolt over a BotCore: Socket Mode when SLACK_APP_TOKEN is set, otherwise the HTTP receiver
// at /slack/events on PORT, both behind the boundary of slack-boundary-receiver.ts. Wiring only; handlers live beside it.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { App } from '@slack/bolt'
import { BotError } from '../../src/bot-error.js'
import { defaultStillWorkingAfterMs } from '../still-working-notice.js'
import type { SlackSettings } from './slack-settings.js'
import type { BotCore } from '../../src/core/bot-core.js'
import { silentLogger, type Logger } from '../../src/logger.js'
import { registerAdminActions } from './admin-actions.js'
import { createHomePublisher, registerAppHome } from './app-home.js'
import { registerAssistantPane } from './assistant-pane.js'
import { createBackfillStarter } from './backfill-starter.js'
import { registerDraftActions } from './draft-actions.js'
import { registerDraftCommand } from './draft-command.js'
import { registerHyperalignCommand } from './hyperalign-command.js'
import { registerMemberActions } from './member-actions.js'
import { registerMessageEvents } from './message-events.js'
import { registerReplyShortcut } from './reply-shortcut.js'
import { createActorResolver } from './slack-actors.js'
import type { SlackHandlerDeps } from './slack-handler-deps.js'
import { singleUseActions } from './single-use-actions.js'
import { createSlackReceiver } from './slack-boundary-receiver.js'
import { toSlackLogger } from './slack-log-bridge.js'
import { slackStartupFailure } from './slack-startup-failure.js'
import { createUserPosting, oauthCallbackPath, type UserPosting } from './user-posting.js'
import { workspaceGuard } from './workspace-guard.js'

export type SlackAppOptions = {
  core: BotCore
  config: SlackSettings
  logger?: Logger
  /** Interface for the HTTP receiver (default: all interfaces, as behind a load balancer). */
  host?: string
  /** Test seam for backfill waits on Retry-After (default: real timers). */
  sleep?: (milliseconds: number) => Promise<void>
  /** When a slow /draft gets its "Still working on it…" notice (default 8 s). */
  stillWorkingAfterMs?: number
}

export type SlackApp = {
  readonly app: App
  readonly mode: 'http' | 'socket'
  /** The bound HTTP port after start() in HTTP mode (PORT=0 picks a free one). */
  readonly port: number | undefined
  start(): Promise<void>
  stop(): Promise<void>
  /** Resolves when background work this process started (backfills) has finished. */
  idle(): Promise<void>
}

export const slackEventsPath = '/slack/events'
/**
 * How long an idle connection to the HTTP receiver stays open. Node's default of 5 s closes it between two bursts,
 * so each request of the next burst pays a new connection on the one thread that must also acknowledge; and a load
 * balancer that reuses a socket the app has just closed answers 502 (an AWS ALB idles connections for 60 s).
 */
export const slackHttpKeepAliveMs = 65_000
/** The Web API base URL the SDK uses when SLACK_API_URL is not set. */
export const slackDefaultApiUrl = 'https://slack.com/api/'

export function createSlackApp(options: SlackAppOptions): SlackApp {
  const { core, config } = options
  const logger = options.logger ?? silentLogger
  const token = config.SLACK_BOT_TOKEN
  if (!token) throw new BotError('config_invalid', 'SLACK_BOT_TOKEN is required to start the Slack app (Slack app settings → OAuth & Permissions).')
  const mode = config.SLACK_APP_TOKEN ? 'socket' : 'http'
  if (mode === 'http' && !config.SLACK_SIGNING_SECRET) {
    throw new BotError('config_invalid', 'SLACK_SIGNING_SECRET is required for the HTTP receiver (Slack app settings → Basic Information), or set SLACK_APP_TOKEN for Socket Mode.')
  }
  const clientOptions = {
    ...(config.SLACK_API_URL ? { slackApiUrl: config.SLACK_API_URL } : {}),
    // Bounded: a Slack outage must not hold a handler for the SDK's default 30 minutes of retries.
    retryConfig: { retries: 3, factor: 2, minTimeout: 500, maxTimeout: 5_000 },
    timeout: 15_000,
  }
  const slackLogger = toSlackLogger(logger)
  // Set once the app exists; the OAuth route only runs after start(), by which time it is.
  let userPosting: UserPosting | undefined
  const oauthRoutes = userPostingConfigured(config)
    ? [
        {
          path: oauthCallbackPath,
          method: ['GET'],
          handler: (request: IncomingMessage, response: ServerResponse) =>
            void userPosting?.handleCallback(request, response).catch((error: unknown) => {
              logger.error('slack_oauth_callback_failed', { error })
              if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' }).end('Something went wrong; nothing was changed.')
            }),
        },
      ]
    : []
  const healthRoute = { path: '/healthz', method: ['GET'], handler: (_request: IncomingMessage, response: ServerResponse) => void response.writeHead(200, { 'content-type': 'text/plain' }).end('ok') }
  const receiver = config.SLACK_APP_TOKEN
    ? // Socket Mode needs no public URL; only the OAuth redirect (when configured) is served over HTTP, on PORT.
      createSlackReceiver({ mode: 'socket', appToken: config.SLACK_APP_TOKEN, port: config.PORT, customRoutes: oauthRoutes, clientOptions, logger, slackLogger })
    : createSlackReceiver({ mode: 'http', signingSecret: config.SLACK_SIGNING_SECRET ?? '', endpoint: slackEventsPath, customRoutes: [healthRoute, ...oauthRoutes], clientOptions, logger, slackLogger })
  const app = new App({
    token,
    receiver,
    logger: slackLogger,
    clientOptions,
    // Conversation state in process memory would break behind a load balancer; nothing here needs it.
    convoStore: false,
    // auth.test runs in start(), so a bad token fails there with Slack's error instead of at the first event.
    deferInitialization: true,
  })

  const actors = createActorResolver({ client: app.client, adminUserIds: config.SLACK_ADMIN_USER_IDS, logger })
  if (userPostingConfigured(config)) {
    userPosting = createUserPosting({
      core,
      actors,
      logger,
      clientId: config.SLACK_CLIENT_ID,
      clientSecret: config.SLACK_CLIENT_SECRET,
      redirectUrl: config.SLACK_REDIRECT_URL,
      slackApiUrl: config.SLACK_API_URL,
      clientOptions,
      onGranted: (teamId, userId) => home.publish(teamId, userId, { notice: { text: 'Your approved drafts are now posted as you.', tone: 'ok' } }),
    })
  }
  const home = createHomePublisher({ core, actors, client: app.client, logger, userPosting })
  const backfill = createBackfillStarter({
    core,
    client: app.client,
    actors,
    logger,
    token,
    slackApiUrl: config.SLACK_API_URL,
    maxMessages: config.SLACK_BACKFILL_MAX_MESSAGES,
    sleep: options.sleep,
  })
  const stillWorkingAfterMs = options.stillWorkingAfterMs ?? defaultStillWorkingAfterMs
  const deps: SlackHandlerDeps = { core, config, logger, actors, client: app.client, home, backfill, userPosting, stillWorkingAfterMs }

  // Before any handler: a payload naming another workspace, or a state-changing request seen before, does nothing.
  app.use(workspaceGuard({ actors, logger }))
  app.use(singleUseActions({ core, logger }))
  registerDraftCommand(app, deps)
  registerDraftActions(app, deps)
  registerReplyShortcut(app, deps)
  registerHyperalignCommand(app, deps)
  registerAppHome(app, deps)
  registerMemberActions(app, deps)
  registerAdminActions(app, deps)
  // Before the message listener: Bolt's Assistant takes the messages of assistant threads and passes on the rest.
  registerAssistantPane(app, deps)
  registerMessageEvents(app, deps)
  // The receiver's boundary logs each failure once, with the payload type, and decides what Slack is told
  // (a message event that failed is not acknowledged, so Slack resends it).
  app.error(async (error) => {
    throw error
  })

  let port: number | undefined
  return {
    app,
    mode,
    get port() {
      return port
    },
    async start() {
      const apiUrl = config.SLACK_API_URL ?? slackDefaultApiUrl
      // Each step's failure becomes one line for the operator: what failed and what to check.
      await app.init().catch((error: unknown) => {
        throw slackStartupFailure(error, 'auth.test', { apiUrl })
      })
      if (mode === 'socket') {
        await app.start().catch((error: unknown) => {
          throw slackStartupFailure(error, 'apps.connections.open', { apiUrl })
        })
        logger.info('slack_started', { mode })
        return
      }
      const server = await app.start({ port: config.PORT, ...(options.host ? { host: options.host } : {}) }).catch((error: unknown) => {
        throw slackStartupFailure(error, 'listen', { apiUrl, port: config.PORT })
      })
      server.keepAliveTimeout = slackHttpKeepAliveMs
      // Above the keep-alive, so a reused socket is never cut by the headers timer while it idles.
      server.headersTimeout = Math.max(server.headersTimeout, slackHttpKeepAliveMs + 1_000)
      port = (server.address() as AddressInfo).port
      logger.info('slack_started', { mode, port, path: slackEventsPath })
    },
    async stop() {
      await app.stop()
    },
    idle: () => backfill.idle(),
  }
}

function userPostingConfigured(config: SlackSettings): config is SlackSettings & { SLACK_CLIENT_ID: string; SLACK_CLIENT_SECRET: string; SLACK_REDIRECT_URL: string } {
  return Boolean(config.SLACK_CLIENT_ID && config.SLACK_CLIENT_SECRET && config.SLACK_REDIRECT_URL)
}
