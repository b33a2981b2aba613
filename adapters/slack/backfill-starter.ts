// Starts a member's backfill in the background after the click is acknowledged, and shows its progress as one
// message in the member's conversation with the app, updated in place (chat.postMessage, then chat.update).
import { webApi } from '@slack/bolt'
import type { BotCore } from '../../src/core/bot-core.js'
import type { Logger } from '../../src/logger.js'
import { runBackfill } from './backfill.js'
import { escapeMrkdwn } from './mrkdwn.js'
import type { SlackActorResolver } from './slack-actors.js'
import type { BackfillStarter } from './slack-handler-deps.js'

export type BackfillStarterOptions = {
  core: BotCore
  client: webApi.WebClient
  actors: SlackActorResolver
  logger: Logger
  token: string
  slackApiUrl?: string
  maxMessages: number
  sleep?: (milliseconds: number) => Promise<void>
}

export function createBackfillStarter(options: BackfillStarterOptions): BackfillStarter {
  // Rate-limited calls are rejected rather than retried inside the SDK, so the wait can be shown to the member.
  const historyClient = new webApi.WebClient(options.token, {
    ...(options.slackApiUrl ? { slackApiUrl: options.slackApiUrl } : {}),
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 2, factor: 2, minTimeout: 200 },
  })
  // Which members have a backfill running in this process: a cache against double clicks, not a lock.
  const running = new Map<string, Promise<void>>()

  const progressMessage = (userId: string) => {
    let posted: { channel: string; ts: string } | undefined
    return async (text: string) => {
      try {
        if (!posted) {
          const result = await options.client.chat.postMessage({ channel: userId, text: escapeMrkdwn(text) })
          if (result.channel && result.ts) posted = { channel: result.channel, ts: result.ts }
        } else {
          await options.client.chat.update({ channel: posted.channel, ts: posted.ts, text: escapeMrkdwn(text) })
        }
      } catch (error) {
        options.logger.warn('slack_backfill_progress_failed', { slackError: (error as { data?: { error?: string } }).data?.error })
      }
    }
  }

  return {
    start(teamId, userId) {
      const key = `${teamId}:${userId}`
      if (running.has(key)) return
      const job = (async () => {
        const onProgress = progressMessage(userId)
        try {
          const actor = await options.actors.resolve(teamId, userId)
          const report = await runBackfill({ core: options.core, historyClient, logger: options.logger, actor, maxMessages: options.maxMessages, onProgress, sleep: options.sleep })
          options.logger.info('slack_backfill_done', { ...report })
        } catch (error) {
          options.logger.warn('slack_backfill_failed', { error })
          await onProgress('Learning from your recent messages stopped because of an error on my side. Try again later.')
        } finally {
          running.delete(key)
        }
      })()
      running.set(key, job)
    },
    async idle() {
      while (running.size > 0) await Promise.allSettled([...running.values()])
    },
  }
}
