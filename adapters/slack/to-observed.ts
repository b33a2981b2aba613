// The one translation of Slack messages into the core's ObservedMessage, for live events (new, edited, deleted) and
// the backfill's history pages alike, so both learn the same text from the same messages. It decides nothing about
// consent or channels; the core does.
import type { ChannelKind, ObservedMessage } from '../../src/core/types.js'
import { channelKindFromEventType } from './channel-kind.js'
import { slackWorkspace } from './slack-actors.js'
import { slackMessageAuthor, slackMessageText, writtenSubtypes } from './slack-message-text.js'

/** The fields of one message this translation reads; every one is optional on the wire. */
export type SlackMessage = { user?: string; bot_id?: string; subtype?: string; text?: string; ts?: string; thread_ts?: string; app_id?: string; blocks?: unknown; file?: unknown; comment?: unknown }
/** A `message` event as the Events API delivers it; a history message is one without the edit and deletion fields. */
export type SlackMessageEvent = SlackMessage & {
  channel: string
  channel_type?: string
  message?: SlackMessage
  previous_message?: SlackMessage
  deleted_ts?: string
  hidden?: boolean
}

export const slackTimestampMs = (ts: string) => Math.round(Number(ts) * 1000)

/**
 * Slack identifies a message by channel + ts; the core keys history the same way. Undefined for what is not a member's
 * writing (joins, topic changes and the like) and for direct messages, whose text never leaves the adapter. Bots are
 * flagged for the core to drop; the app's own messages never arrive (Bolt's ignoreSelf) and carry a bot id in history.
 */
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

/** A message of a channel's history (conversations.history), translated exactly as its live event would be. */
export function historyMessageToObserved(teamId: string, channel: { id: string; kind: 'public' | 'private' }, message: SlackMessage): ObservedMessage | undefined {
  const observed = toObservedMessage(teamId, { ...message, channel: channel.id, channel_type: channel.kind === 'private' ? 'group' : 'channel' })
  return observed?.kind === 'created' ? observed : undefined
}
