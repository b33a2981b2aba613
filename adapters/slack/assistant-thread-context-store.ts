// Where the assistant pane remembers which channel a member is viewing: in the metadata of the app's first message
// of their assistant thread, in Slack itself. Never in process memory, where Bolt's default store keeps the latest
// context of any thread (handing one member's channel to another member's thread, and lost behind a load balancer).
import type { AssistantConfig } from '@slack/bolt'
import { z } from 'zod'
import type { Logger } from '../../src/logger.js'
import type { ViewedChannel } from './viewed-channel-context.js'

type ThreadContextStore = NonNullable<AssistantConfig['threadContextStore']>
type StoreArgs = Parameters<ThreadContextStore['get']>[0]

export const threadContextEventType = 'assistant_thread_context'

const id = z.string().regex(/^[A-Z0-9]{2,40}$/)
/** Written by this app only; anything else found there counts as no context. */
const storedContextSchema = z.object({ channel_id: id.optional(), team_id: id.optional(), enterprise_id: z.string().nullish() })

type ThreadMessage = { ts?: string; user?: string; subtype?: string; text?: string; blocks?: unknown; metadata?: { event_type?: string; event_payload?: unknown } }

/** The assistant thread an event belongs to: `assistant_thread` for the thread events, `channel` + `thread_ts` for messages. */
function threadOf(payload: StoreArgs['payload']): { channel: string; threadTs: string; viewed?: ViewedChannel } | undefined {
  const record = payload as { assistant_thread?: { channel_id?: string; thread_ts?: string; context?: ViewedChannel }; channel?: unknown; thread_ts?: unknown }
  if (record.assistant_thread?.channel_id && record.assistant_thread.thread_ts) {
    return { channel: record.assistant_thread.channel_id, threadTs: record.assistant_thread.thread_ts, viewed: record.assistant_thread.context }
  }
  if (typeof record.channel === 'string' && typeof record.thread_ts === 'string') return { channel: record.channel, threadTs: record.thread_ts }
  return undefined
}

/** The context worth keeping: only the ids, only when they look like Slack's; none (`{}`) when no channel is in view. */
export function viewedChannelMetadata(viewed: ViewedChannel | undefined): { event_type: string; event_payload: Record<string, string> } {
  const parsed = storedContextSchema.safeParse(viewed ?? {})
  const payload: Record<string, string> = parsed.success && parsed.data.channel_id ? { channel_id: parsed.data.channel_id, ...(parsed.data.team_id ? { team_id: parsed.data.team_id } : {}) } : {}
  return { event_type: threadContextEventType, event_payload: payload }
}

export function createAssistantThreadContextStore(logger: Logger): ThreadContextStore {
  const firstAppMessage = async (args: StoreArgs, thread: { channel: string; threadTs: string }): Promise<ThreadMessage | undefined> => {
    const result = await args.client.conversations.replies({ channel: thread.channel, ts: thread.threadTs, oldest: thread.threadTs, include_all_metadata: true, limit: 4 })
    // Only the app writes its own messages, so the metadata found there is the app's.
    return ((result.messages ?? []) as ThreadMessage[]).find((message) => message.subtype === undefined && message.user !== undefined && message.user === args.context.botUserId)
  }

  return {
    async get(args) {
      const thread = threadOf(args.payload)
      if (!thread) return {}
      if (thread.viewed?.channel_id) return thread.viewed
      try {
        const metadata = (await firstAppMessage(args, thread))?.metadata
        if (metadata?.event_type !== threadContextEventType) return {}
        const parsed = storedContextSchema.safeParse(metadata.event_payload)
        return parsed.success ? parsed.data : {}
      } catch (error) {
        logger.info('slack_assistant_context_unreadable', { slackError: (error as { data?: { error?: string } }).data?.error })
        return {}
      }
    },
    async save(args) {
      const thread = threadOf(args.payload)
      if (!thread) return
      // Written even when no channel is in view, so a draft never goes to the channel the member has left.
      const metadata = viewedChannelMetadata(thread.viewed)
      const first = await firstAppMessage(args, thread)
      if (!first?.ts) return
      await args.client.chat.update({ channel: thread.channel, ts: first.ts, text: first.text ?? '', ...(Array.isArray(first.blocks) ? { blocks: first.blocks } : {}), metadata })
    },
  }
}
