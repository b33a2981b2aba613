// The one translation of discord.js messages into the core's ObservedMessage, for live events and backfills alike:
// what is conversation at all (not joins, pins or boosts, not the app's own posts, not questions put to the app) and
// who is a bot (bot users and webhooks, flagged for the core to drop). It decides nothing about consent or channels.
import { MessageType, type Message, type PartialMessage } from 'discord.js'
import type { ObservedMessage } from '../../src/core/types.js'
import { channelKindOf, learningChannelIdOf, workspaceOf } from './discord-actor.js'

/** Ordinary conversation; joins, pins, boosts and other system messages say nothing about how a member writes. */
const conversationTypes = new Set<MessageType>([MessageType.Default, MessageType.Reply, MessageType.ThreadStarterMessage])

/** A bot user's or a webhook's message: flagged, so the core drops it. */
function isFromBot(message: Message): boolean {
  return message.author.bot || message.webhookId !== null
}

/** The message mentions the app: a question for the assistant, not learning material. */
export function isAddressedToApp(message: Message | PartialMessage, appUserId: string | undefined): boolean {
  return Boolean(appUserId && message.mentions?.users?.has(appUserId))
}

const isOwn = (message: Message | PartialMessage, appUserId: string | undefined) => appUserId !== undefined && message.author?.id === appUserId

/**
 * A server message as the core sees it, or undefined when it is no member's conversation: a direct message (never
 * learning material), the app's own post, a system message, or a new message addressed to the app.
 */
export function toObservedMessage(message: Message, kind: 'created' | 'edited', appUserId: string | undefined): ObservedMessage | undefined {
  if (!message.inGuild() || isOwn(message, appUserId) || !conversationTypes.has(message.type)) return undefined
  if (kind === 'created' && isAddressedToApp(message, appUserId)) return undefined
  const { channelId, threadId } = learningChannelIdOf(message.channel)
  return {
    kind,
    workspace: workspaceOf(message.guildId),
    userId: message.author.id,
    channelId,
    ...(threadId ? { threadId } : {}),
    channelKind: channelKindOf(message.channel),
    messageId: message.id,
    text: message.content,
    timestamp: kind === 'edited' ? (message.editedTimestamp ?? Date.now()) : message.createdTimestamp,
    isBot: isFromBot(message),
  }
}

/** A deletion, which may arrive partial: it still carries its server and channel; the core looks the author up. */
export function toObservedDeletion(message: Message | PartialMessage, appUserId: string | undefined): ObservedMessage | undefined {
  if (!message.guildId || isOwn(message, appUserId)) return undefined
  const { channelId, threadId } = message.channel ? learningChannelIdOf(message.channel) : { channelId: message.channelId, threadId: undefined }
  return {
    kind: 'deleted',
    workspace: workspaceOf(message.guildId),
    ...(message.author ? { userId: message.author.id } : {}),
    channelId,
    ...(threadId ? { threadId } : {}),
    channelKind: channelKindOf(message.channel),
    messageId: message.id,
    timestamp: Date.now(),
  }
}
