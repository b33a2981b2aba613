// Mirrors server messages into the core's observe path: creations, edits and deletions. Direct messages are never
// passed on (they are never learning material), nor the bot's own messages or messages addressed to the bot.
// Discord never redelivers an event, so the core is asked to keep what it cannot store while its store is down.
import { MessageType, type Message, type PartialMessage } from 'discord.js'
import type { ObservedMessage } from '../../src/core/types.js'
import type { DiscordContext } from './discord-context.js'
import { channelKindOf, learningChannelIdOf, workspaceOf } from './discord-actor.js'

/** Ordinary conversation; joins, pins, boosts and other system messages say nothing about how a member writes. */
const conversationTypes = new Set<MessageType>([MessageType.Default, MessageType.Reply, MessageType.ThreadStarterMessage])

export function isAddressedToBot(context: DiscordContext, message: Message | PartialMessage): boolean {
  const botId = context.client.user?.id
  return Boolean(botId && message.mentions?.users?.has(botId))
}

export function createMessageObserver(context: DiscordContext) {
  const send = async (observed: ObservedMessage) => {
    try {
      const outcome = await context.core.observe(observed, { queueWhenStoreDown: true })
      const fields = { kind: observed.kind, status: outcome.status, reason: 'reason' in outcome ? outcome.reason : undefined }
      if (outcome.status === 'queued' || outcome.status === 'dropped') context.logger.warn('discord_observe_store_down', { ...fields, messageId: observed.messageId })
      else context.logger.debug('discord_observed', fields)
      return outcome
    } catch (error) {
      context.logger.warn('discord_observe_failed', { kind: observed.kind, messageId: observed.messageId, error })
      return undefined
    }
  }

  const isOwn = (message: Message | PartialMessage) => message.author?.id !== undefined && message.author.id === context.client.user?.id

  return {
    async created(message: Message) {
      if (!message.inGuild() || isOwn(message)) return undefined
      if (!conversationTypes.has(message.type) || isAddressedToBot(context, message)) return undefined
      return send(toObserved(message, 'created'))
    },

    async edited(before: Message | PartialMessage, after: Message | PartialMessage) {
      if (!after.inGuild() || isOwn(after)) return undefined
      // Link previews and pins also arrive as updates; only a changed text is an edit.
      if (after.partial || after.content === null) return undefined
      if (!before.partial && before.content === after.content) return undefined
      if (!conversationTypes.has(after.type)) return undefined
      return send(toObserved(after, 'edited'))
    },

    async deleted(message: Message | PartialMessage) {
      // A partial deletion still carries its guild and channel ids; the core looks the author up by message id.
      if (!message.guildId || isOwn(message)) return undefined
      const { channelId, threadId } = message.channel ? learningChannelIdOf(message.channel) : { channelId: message.channelId, threadId: undefined }
      return send({
        kind: 'deleted',
        workspace: workspaceOf(message.guildId),
        ...(message.author ? { userId: message.author.id } : {}),
        channelId,
        ...(threadId ? { threadId } : {}),
        channelKind: channelKindOf(message.channel),
        messageId: message.id,
        timestamp: Date.now(),
      })
    },
  }
}

function toObserved(message: Message<true>, kind: 'created' | 'edited'): ObservedMessage {
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
    isBot: message.author.bot || message.webhookId !== null,
  }
}
