// Reads the thread a reply is for (conversations.replies) and turns it into the core's context messages, the
// member's own as `self`, everyone else as numbered participants. Context is data for one draft, not learning.
import type { webApi } from '@slack/bolt'
import type { ContextMessage } from '../../src/core/types.js'
import type { Logger } from '../../src/logger.js'

/** The latest messages of a thread are the ones a reply answers; older ones cost tokens for little. */
const maxContextMessages = 30

export type SlackThreadMessage = { user?: string; bot_id?: string; text?: string; subtype?: string }

export async function threadContext(
  client: webApi.WebClient,
  logger: Logger,
  options: { channelId: string; threadTs: string; memberUserId: string; fallbackText?: string },
): Promise<ContextMessage[]> {
  let messages: SlackThreadMessage[] = []
  try {
    const result = await client.conversations.replies({ channel: options.channelId, ts: options.threadTs, limit: 200 })
    messages = (result.messages ?? []) as SlackThreadMessage[]
  } catch (error) {
    // Without history scopes for this conversation (e.g. a DM) the clicked message alone is the context.
    logger.info('slack_thread_unreadable', { slackError: (error as { data?: { error?: string } }).data?.error })
  }
  if (messages.length === 0 && options.fallbackText) return [{ author: 'other', text: options.fallbackText, authorLabel: 'participant 1' }]
  return toContextMessages(messages, options.memberUserId)
}

/** Oldest first in, the latest `maxContextMessages` out; authors other than the member get numbered labels, not ids. */
export function toContextMessages(messages: SlackThreadMessage[], memberUserId: string): ContextMessage[] {
  const labels = new Map<string, string>()
  return messages
    .filter((message) => typeof message.text === 'string' && message.text.trim() !== '')
    .slice(-maxContextMessages)
    .map((message): ContextMessage => {
      if (message.user === memberUserId && !message.bot_id) return { author: 'self', text: message.text ?? '' }
      const key = message.bot_id ? `bot:${message.bot_id}` : (message.user ?? 'unknown')
      if (!labels.has(key)) labels.set(key, message.bot_id ? `app ${labels.size + 1}` : `participant ${labels.size + 1}`)
      return { author: 'other', text: message.text ?? '', authorLabel: labels.get(key) }
    })
}
