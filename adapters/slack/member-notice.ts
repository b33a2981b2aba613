// Delivers a private notice from the core to a member (e.g. "an admin opted you in") as a message in their
// conversation with the app. Only text the core produced for that member goes here.
import type { webApi } from '@slack/bolt'
import type { Logger } from '../../src/logger.js'
import { escapeMrkdwn } from './mrkdwn.js'

export async function notifyMember(client: webApi.WebClient, logger: Logger, userId: string, text: string): Promise<void> {
  try {
    await client.chat.postMessage({ channel: userId, text: escapeMrkdwn(text) })
  } catch (error) {
    logger.warn('slack_member_notice_failed', { slackError: (error as { data?: { error?: string } }).data?.error })
  }
}
