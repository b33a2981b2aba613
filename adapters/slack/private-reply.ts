// Sends a message only the member can see: through the response_url Slack gave us when there is one (works in
// any conversation), otherwise as chat.postEphemeral. Never posts anything visible to others.
import type { types, webApi } from '@slack/bolt'
import type { Logger } from '../../src/logger.js'

export type PrivateReply = { text: string; blocks?: types.KnownBlock[] }

export type PrivateReplyRoute = { responseUrl?: string; channelId: string; userId: string; threadTs?: string }

export async function replyPrivately(
  client: webApi.WebClient,
  logger: Logger,
  route: PrivateReplyRoute,
  message: PrivateReply,
  options: { replaceOriginal?: boolean; deleteOriginal?: boolean } = {},
): Promise<void> {
  if (route.responseUrl) {
    const body = options.deleteOriginal
      ? { delete_original: true }
      : { response_type: 'ephemeral', replace_original: options.replaceOriginal ?? false, text: message.text, ...(message.blocks ? { blocks: message.blocks } : {}) }
    try {
      const response = await fetch(route.responseUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
      if (response.ok) return
      logger.warn('slack_response_url_failed', { status: response.status })
    } catch (error) {
      logger.warn('slack_response_url_failed', { error })
    }
    if (options.deleteOriginal) return
  }
  await client.chat.postEphemeral({
    channel: route.channelId,
    user: route.userId,
    text: message.text,
    ...(message.blocks ? { blocks: message.blocks } : {}),
    ...(route.threadTs ? { thread_ts: route.threadTs } : {}),
  })
}
