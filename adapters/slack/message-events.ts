// Passes Slack `message` events (new, edited, deleted), as to-observed.ts translates them, to the core's observe path.
// A store failure is thrown on: the receiver acknowledges a message event only once it is stored.
import type { App } from '@slack/bolt'
import { isBotError } from '../../src/bot-error.js'
import type { SlackHandlerDeps } from './slack-handler-deps.js'
import { toObservedMessage, type SlackMessageEvent } from './to-observed.js'

export function registerMessageEvents(app: App, deps: SlackHandlerDeps): void {
  app.event('message', async ({ event, body }) => {
    const teamId = (body as { team_id?: string }).team_id
    if (!teamId) return
    const observed = toObservedMessage(teamId, event as unknown as SlackMessageEvent)
    if (!observed) {
      deps.logger.debug('slack_message_skipped', { subtype: (event as { subtype?: string }).subtype })
      return
    }
    try {
      const outcome = await deps.core.observe(observed)
      deps.logger.debug('slack_message_observed', { kind: observed.kind, status: outcome.status, reason: 'reason' in outcome ? outcome.reason : undefined })
    } catch (error) {
      // Logged with the code, never the text. A failure that may pass (the store is down) is thrown on, so the
      // receiver does not acknowledge the event and Slack delivers it again; any other is deliberately dropped.
      deps.logger.warn('slack_observe_failed', { error, kind: observed.kind })
      if (!isBotError(error) || error.isRetryable) throw error
    }
  })
}
