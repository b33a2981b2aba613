// Translates Slack `message` events (new, edited, deleted) into the core's observe path. Bots are flagged for the
// core to drop, the app's own messages never arrive (Bolt's ignoreSelf), and DM events are not forwarded at all.
// A store failure is thrown on: the receiver acknowledges a message event only once it is stored.
import type { App } from '@slack/bolt'
import { isBotError } from '../../src/bot-error.js'
import type { ChannelKind, ObservedMessage } from '../../src/core/types.js'
import { channelKindFromEventType } from './channel-kind.js'
import { slackWorkspace } from './slack-actors.js'
import type { SlackHandlerDeps } from './slack-handler-deps.js'
import { slackMessageAuthor, slackMessageText, writtenSubtypes } from './slack-message-text.js'

type SlackMessage = { user?: string; bot_id?: string; subtype?: string; text?: string; ts?: string; thread_ts?: string; app_id?: string; blocks?: unknown; file?: unknown; comment?: unknown }
type SlackMessageEvent = SlackMessage & {
  channel: string
  channel_type?: string
  message?: SlackMessage
  previous_message?: SlackMessage
  deleted_ts?: string
  hidden?: boolean
}

export const slackTimestampMs = (ts: string) => Math.round(Number(ts) * 1000)

/** Slack identifies a message by channel + ts; the core keys history the same way. */
export function toObservedMessage(teamId: string, event: SlackMessageEvent): ObservedMessage | undefined {
  const channelKind: ChannelKind | undefined = channelKindFromEventType(event.channel_type) ?? (event.channel.startsWith('D') ? 'direct' : undefined)
  // Direct messages are never learning material; their text does not even leave the adapter.
  if (!channelKind || channelKind === 'direct') return undefined
  const base = { workspace: slackWorkspace(teamId), channelId: event.channel, channelKind }
  if (event.subtype === 'message_changed' && event.message?.ts) {
    const inner = event.message
    // A thread parent deleted while it has replies becomes a tombstone ("This message was deleted."): a deletion.
    if (inner.subtype === 'tombstone') return { ...base, kind: 'deleted', messageId: inner.ts!, timestamp: slackTimestampMs(inner.ts!) }
    return {
      ...base,
      kind: 'edited',
      userId: inner.user,
      messageId: inner.ts!,
      text: slackMessageText(inner),
      timestamp: slackTimestampMs(inner.ts!),
      isBot: Boolean(inner.bot_id) || inner.subtype === 'bot_message',
      ...(inner.thread_ts && inner.thread_ts !== inner.ts ? { threadId: inner.thread_ts } : {}),
    }
  }
  if (event.subtype === 'message_deleted' && event.deleted_ts) {
    return { ...base, kind: 'deleted', userId: event.previous_message?.user, messageId: event.deleted_ts, timestamp: slackTimestampMs(event.deleted_ts) }
  }
  if (event.subtype === 'bot_message' || event.bot_id) {
    return { ...base, kind: 'created', messageId: event.ts ?? '', timestamp: slackTimestampMs(event.ts ?? '0'), isBot: true }
  }
  const author = slackMessageAuthor(event)
  if (!writtenSubtypes.has(event.subtype) || !event.ts || !author) return undefined
  return {
    ...base,
    kind: 'created',
    userId: author,
    messageId: event.ts,
    text: slackMessageText(event),
    timestamp: slackTimestampMs(event.ts),
    ...(event.thread_ts && event.thread_ts !== event.ts ? { threadId: event.thread_ts } : {}),
  }
}

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
