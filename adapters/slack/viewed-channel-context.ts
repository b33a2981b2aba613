// The context of a draft asked for in the assistant pane: the latest messages of the channel the member is viewing,
// read only when it is a channel of this workspace, the app is in it, and the core allows it (opted-in member, channel
// open for learning, never a direct message). Otherwise nothing of it is read, and the reason says why.
import type { webApi } from '@slack/bolt'
import type { BotCore } from '../../src/core/bot-core.js'
import type { Actor, ChannelKind, ContextMessage } from '../../src/core/types.js'
import type { Logger } from '../../src/logger.js'
import { channelKindFromInfo } from './channel-kind.js'
import { writtenSubtypes } from './slack-message-text.js'
import { toContextMessages, type SlackThreadMessage } from './thread-context.js'

/** What Slack's assistant thread context says the member is looking at. */
export type ViewedChannel = { channel_id?: string; team_id?: string }

export type UnreadReason = 'no_channel' | 'other_workspace' | 'direct' | 'not_member' | 'not_open' | 'unreadable'

export type ViewedChannelContext = {
  /** Where Post puts the draft: the viewed channel; undefined when the member is not viewing one. */
  channelId?: string
  channelKind?: ChannelKind
  context: ContextMessage[]
  /** Why the channel was not read (no channel text in here). */
  unread?: UnreadReason
}

/** About what is on the member's screen; older messages cost tokens for little. */
const contextMessages = 30
const channelIdPattern = /^[CGD][A-Z0-9]{2,40}$/

export async function viewedChannelContext(
  deps: { core: BotCore; client: webApi.WebClient; logger: Logger },
  input: { actor: Actor; teamId: string; viewed: ViewedChannel; assistantChannelId: string },
): Promise<ViewedChannelContext> {
  const channelId = input.viewed.channel_id
  // The pane's own conversation with the app is not a place to post a draft to, nor to read from.
  if (!channelId || !channelIdPattern.test(channelId) || channelId === input.assistantChannelId) return { context: [], unread: 'no_channel' }
  // A channel Slack places in another workspace is never read for this one: tenants never meet.
  if (input.viewed.team_id && input.viewed.team_id !== input.teamId) return { channelId, channelKind: 'private', context: [], unread: 'other_workspace' }
  if (channelId.startsWith('D')) return { channelId, channelKind: 'direct', context: [], unread: 'direct' }

  let channel: { is_im?: boolean; is_mpim?: boolean; is_private?: boolean; is_member?: boolean } | undefined
  try {
    channel = (await deps.client.conversations.info({ channel: channelId })).channel
  } catch (error) {
    // Not visible to the app (a private channel it is not in, a group DM): unknown counts as private.
    deps.logger.info('slack_viewed_channel_unknown', { slackError: (error as { data?: { error?: string } }).data?.error })
    return { channelId, channelKind: 'private', context: [], unread: 'unreadable' }
  }
  const channelKind = channelKindFromInfo(channel)
  if (channelKind === 'direct') return { channelId, channelKind, context: [], unread: 'direct' }
  if (channel?.is_member !== true) return { channelId, channelKind, context: [], unread: 'not_member' }
  if (!(await deps.core.mayReadAsContext(input.actor, { channelId, channelKind }))) return { channelId, channelKind, context: [], unread: 'not_open' }

  try {
    const result = await deps.client.conversations.history({ channel: channelId, limit: contextMessages })
    const messages = ((result.messages ?? []) as SlackThreadMessage[]).filter((message) => writtenSubtypes.has(message.subtype) || message.subtype === 'bot_message')
    // conversations.history is newest first; a prompt reads oldest first.
    return { channelId, channelKind, context: toContextMessages(messages.reverse(), input.actor.member.userId) }
  } catch (error) {
    deps.logger.info('slack_viewed_channel_unreadable', { slackError: (error as { data?: { error?: string } }).data?.error })
    return { channelId, channelKind, context: [], unread: 'unreadable' }
  }
}
