// What every Slack handler gets: the core, settings, logger, actor resolution, the Web API client and the
// App Home publisher, backfill runner and (optionally) posting as the member. Plain wiring; no behaviour of its own.
import type { webApi } from '@slack/bolt'
import type { SlackSettings } from './slack-settings.js'
import type { BotCore } from '../../src/core/bot-core.js'
import type { Logger } from '../../src/logger.js'
import type { SlackActorResolver } from './slack-actors.js'
import type { UserPosting } from './user-posting.js'

export type HomeExtras = { notice?: { text: string; tone: 'ok' | 'error' }; backfillProgress?: string }

export type HomePublisher = {
  publish(teamId: string, userId: string, extras?: HomeExtras): Promise<void>
}

export type BackfillStarter = {
  /** Starts learning from the member's recent messages in the background; progress goes to their DM with the app. */
  start(teamId: string, userId: string): void
  /** Resolves when every backfill this process started has finished (for shutdown and tests). */
  idle(): Promise<void>
}

export type SlackHandlerDeps = {
  core: BotCore
  config: SlackSettings
  logger: Logger
  actors: SlackActorResolver
  client: webApi.WebClient
  home: HomePublisher
  backfill: BackfillStarter
  /** Present when members may grant a user token so their drafts are posted as themselves. */
  userPosting?: UserPosting
  /** How long a slow draft runs before the member is told it is still being worked on. */
  stillWorkingAfterMs: number
}
