// Mirrors server messages into the core's observe path: creations, edits and deletions, as to-observed.ts translates
// them (direct messages, the app's own posts and messages addressed to the app are never passed on).
// Discord never redelivers an event, so the core is asked to keep what it cannot store while its store is down.
import type { Message, PartialMessage } from 'discord.js'
import type { ObservedMessage } from '../../src/core/types.js'
import type { DiscordContext } from './discord-context.js'
import { toObservedDeletion, toObservedMessage } from './to-observed.js'

export function createMessageObserver(context: DiscordContext) {
  const send = async (observed: ObservedMessage | undefined) => {
    if (!observed) return undefined
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
  const appUserId = () => context.client.user?.id

  return {
    created: (message: Message) => send(toObservedMessage(message, 'created', appUserId())),

    async edited(before: Message | PartialMessage, after: Message | PartialMessage) {
      // Link previews and pins also arrive as updates; only a changed text is an edit.
      if (after.partial || after.content === null) return undefined
      if (!before.partial && before.content === after.content) return undefined
      return send(toObservedMessage(after, 'edited', appUserId()))
    },

    deleted: (message: Message | PartialMessage) => send(toObservedDeletion(message, appUserId())),
  }
}
