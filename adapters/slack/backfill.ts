// Learns from a member's recent messages on their request: pages conversations.history in the channels the core says
// the backfill may read, honours 429 + Retry-After, stops at SLACK_BACKFILL_MAX_MESSAGES and reports progress as it
// goes. It reads only the requesting member's own messages, translated as live events are; the core decides what is stored.
import type { webApi } from '@slack/bolt'
import type { Actor, ObservedMessage, ObserveOutcome } from '../../src/core/types.js'
import type { BotCore } from '../../src/core/bot-core.js'
import type { Logger } from '../../src/logger.js'
import { historyMessageToObserved, type SlackMessage } from './to-observed.js'

export type BackfillReport = { found: number; learned: number; alreadyKnown: number; skipped: number; channels: number; stoppedBy?: string }

export type BackfillOptions = {
  core: BotCore
  /** A client that rejects rate-limited calls (rejectRateLimitedCalls) so waits are visible here. */
  historyClient: webApi.WebClient
  logger: Logger
  actor: Actor
  maxMessages: number
  onProgress: (text: string) => Promise<void>
  sleep?: (milliseconds: number) => Promise<void>
  now?: () => number
}

const pageSize = 200
/** Bounds the calls spent on channels where the member rarely writes. */
const maxPagesPerChannel = 50
const maxRateLimitWaits = 20
const maxRetryAfterSeconds = 120
const progressEvery = 25
const sleepFor = (milliseconds: number) => new Promise<void>((resolve) => setTimeout(resolve, milliseconds))

export async function runBackfill(options: BackfillOptions): Promise<BackfillReport> {
  const { core, actor, logger } = options
  const sleep = options.sleep ?? sleepFor
  const now = options.now ?? Date.now
  const userId = actor.member.userId
  const report: BackfillReport = { found: 0, learned: 0, alreadyKnown: 0, skipped: 0, channels: 0 }

  if (options.maxMessages <= 0) {
    await options.onProgress('Learning from recent messages is turned off in this installation (SLACK_BACKFILL_MAX_MESSAGES is 0). New messages are still learned as you write them.')
    return { ...report, stoppedBy: 'disabled' }
  }
  const profile = await core.profile(actor, actor.member)
  if (!profile.optedIn) {
    await options.onProgress('Opt in first (`/hyperalign optin`); I only learn from members who opted in.')
    return { ...report, stoppedBy: 'not_opted_in' }
  }
  const withRateLimit = async <T>(call: () => Promise<T>): Promise<T> => {
    for (let waits = 0; ; waits += 1) {
      try {
        return await call()
      } catch (error) {
        const retryAfter = (error as { code?: string; retryAfter?: number }).code === 'slack_webapi_rate_limited_error' ? (error as { retryAfter?: number }).retryAfter : undefined
        if (retryAfter === undefined || waits >= maxRateLimitWaits) throw error
        const seconds = Math.min(Math.max(retryAfter, 1), maxRetryAfterSeconds)
        await options.onProgress(`Slack asked me to slow down; continuing in ${seconds} s. Found ${report.found} of your messages so far.`)
        await sleep(seconds * 1000)
      }
    }
  }

  const oldest = String(Math.floor((now() - profile.retentionDays * 86_400_000) / 1000))
  const listed = await listedChannels((cursor) => withRateLimit(() => options.historyClient.conversations.list({ types: 'public_channel,private_channel', exclude_archived: true, limit: 200, ...(cursor ? { cursor } : {}) })))
  // The core answers where learning is allowed; it still checks each message it is given.
  const allowed = new Set(await core.backfillChannels(actor, listed.map((channel) => ({ channelId: channel.id, channelKind: channel.kind }))))
  const channels = listed.filter((channel) => allowed.has(channel.id))
  if (channels.length === 0) {
    await options.onProgress('No channel is open for learning yet, or the app has not been added to one. Ask a workspace admin.')
    return { ...report, stoppedBy: 'no_channels' }
  }

  const found: ObservedMessage[] = []
  channelLoop: for (const channel of channels) {
    if (found.length >= options.maxMessages) break
    let cursor: string | undefined
    for (let page = 0; page < maxPagesPerChannel && found.length < options.maxMessages; page += 1) {
      let result
      try {
        result = await withRateLimit(() => options.historyClient.conversations.history({ channel: channel.id, limit: pageSize, oldest, ...(cursor ? { cursor } : {}) }))
      } catch (error) {
        logger.info('slack_backfill_channel_skipped', { slackError: (error as { data?: { error?: string } }).data?.error })
        continue channelLoop
      }
      const own = ((result.messages ?? []) as SlackMessage[])
        .map((message) => historyMessageToObserved(actor.member.workspaceId, channel, message))
        .filter((message): message is ObservedMessage => message?.userId === userId && !message.isBot && Boolean(message.text))
      found.push(...own.slice(0, options.maxMessages - found.length))
      report.found = found.length
      await options.onProgress(`Reading your recent messages: found ${found.length} so far (limit ${options.maxMessages}).`)
      cursor = result.response_metadata?.next_cursor || undefined
      if (!result.has_more || !cursor) break
    }
    report.channels += 1
  }

  const total = found.length
  report.found = total
  for (const [index, message] of found.entries()) {
    const outcome = await core.observe(message)
    // Switched off, or opted out, while this ran: the core refuses the rest too, so say so and stop.
    if (outcome.status === 'ignored' && (outcome.reason === 'bot_disabled' || outcome.reason === 'not_opted_in')) {
      await options.onProgress(outcome.reason === 'bot_disabled' ? 'hyperalign is switched off in this workspace.' : 'You are no longer opted in; stopped.')
      return { ...report, stoppedBy: outcome.reason }
    }
    count(report, outcome)
    if ((index + 1) % progressEvery === 0 && index + 1 < total) await options.onProgress(`Learned from ${index + 1} of ${total} messages.`)
  }
  const already = report.alreadyKnown > 0 ? ` (${report.alreadyKnown} I already had)` : ''
  await options.onProgress(
    total === 0
      ? 'I found none of your messages in the channels open for learning within the retention period.'
      : `Learned from ${report.learned + report.alreadyKnown} of ${total} messages${already}. Your profile updates in the background; see the app's Home tab.`,
  )
  return report
}

function count(report: BackfillReport, outcome: ObserveOutcome): void {
  if (outcome.status === 'stored') report.learned += 1
  else if (outcome.status === 'ignored' && outcome.reason === 'duplicate') report.alreadyKnown += 1
  else report.skipped += 1
}

/** The channels the app is in, public and private. */
async function listedChannels(listPage: (cursor: string | undefined) => Promise<webApi.ConversationsListResponse>): Promise<{ id: string; kind: 'public' | 'private' }[]> {
  const listed: { id: string; kind: 'public' | 'private' }[] = []
  let cursor: string | undefined
  for (let page = 0; page < 20; page += 1) {
    const result = await listPage(cursor)
    for (const channel of result.channels ?? []) {
      if (channel.id && channel.is_member !== false) listed.push({ id: channel.id, kind: channel.is_private ? 'private' : 'public' })
    }
    cursor = result.response_metadata?.next_cursor || undefined
    if (!cursor) break
  }
  return listed
}
