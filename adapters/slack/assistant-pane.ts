// Slack's assistant pane through Bolt's Assistant: a greeting and suggested prompts when a member opens it, then each
// request typed there answered in its thread through the same core calls as /draft (status "is drafting…" meanwhile),
// with the viewed channel as context only where allowed. Nothing is posted to a channel here: that is the Post click.
import { createHash } from 'node:crypto'
import { Assistant, type App, type webApi } from '@slack/bolt'
import { isBotError } from '../../src/bot-error.js'
import { assistantPrompts, readAssistantRequest } from './assistant-requests.js'
import { createAssistantThreadContextStore, viewedChannelMetadata } from './assistant-thread-context-store.js'
import { assistantDraftReply, assistantGreeting, noChannelReply, noContextReply, switchedOffText, usageReply } from './blocks/assistant-blocks.js'
import { errorReply, optInPrompt, type SlackReply } from './blocks/error-blocks.js'
import { profileBlocks } from './blocks/profile-blocks.js'
import { truncate } from './mrkdwn.js'
import { slackWorkspace } from './slack-actors.js'
import type { SlackHandlerDeps } from './slack-handler-deps.js'
import { viewedChannelContext, type ViewedChannel } from './viewed-channel-context.js'

export const draftingStatus = 'is drafting…'

type Thread = { channel: string; threadTs: string }
type PaneMessage = { user?: string; text?: string; channel: string; thread_ts?: string; ts: string }

export function registerAssistantPane(app: App, deps: SlackHandlerDeps): void {
  const assistant = new Assistant({
    threadContextStore: createAssistantThreadContextStore(deps.logger),

    threadStarted: async ({ event, body, client, setSuggestedPrompts }) => {
      const thread = { channel: event.assistant_thread.channel_id, threadTs: event.assistant_thread.thread_ts }
      const teamId = (body as { team_id?: string }).team_id
      const userId = event.assistant_thread.user_id
      if (!teamId) return
      try {
        if (!(await handledOnce(deps, teamId, userId, 'started', thread.channel, thread.threadTs))) return
        const actor = await deps.actors.resolve(teamId, userId)
        const profile = await deps.core.profile(actor, actor.member)
        if (profile.workspaceEnabled) await quietly(deps, 'prompts', () => setSuggestedPrompts({ title: 'Draft in your voice', prompts: [...assistantPrompts] }))
        // The greeting carries the viewed channel, so later messages of this thread know it (see the context store).
        await answer(client, thread, assistantGreeting(profile), viewedChannelMetadata(event.assistant_thread.context as ViewedChannel | undefined))
      } catch (error) {
        deps.logger.warn('slack_assistant_failed', { error, stage: 'started' })
        await answer(client, thread, errorReply(error)).catch(() => undefined)
      }
    },

    threadContextChanged: async ({ event, body, saveThreadContext }) => {
      const teamId = (body as { team_id?: string }).team_id
      if (!teamId || !(await sameWorkspace(deps, teamId, event.assistant_thread.user_id))) return
      await saveThreadContext()
    },

    userMessage: async ({ message, body, client, getThreadContext, setStatus, setTitle }) => {
      const typed = message as unknown as PaneMessage
      const teamId = (body as { team_id?: string }).team_id
      if (!teamId || !typed.user || !typed.thread_ts || typeof typed.text !== 'string') return
      const thread = { channel: typed.channel, threadTs: typed.thread_ts }
      const request = readAssistantRequest(typed.text)
      let statusShown = false
      try {
        if (!(await handledOnce(deps, teamId, typed.user, 'message', typed.channel, typed.ts))) return
        const actor = await deps.actors.resolve(teamId, typed.user)
        if (request.kind === 'usage') return await answer(client, thread, usageReply())
        // The member's own consent and the workspace switch decide the screen before anything is read.
        const profile = await deps.core.profile(actor, actor.member)
        if (!profile.workspaceEnabled) return await answer(client, thread, { text: switchedOffText, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `:zzz: ${switchedOffText}` } }] })
        if (!profile.optedIn) return await answer(client, thread, optInPrompt())
        if (request.kind === 'profile') return await answer(client, thread, { text: 'What I have learned about you', blocks: profileBlocks(profile) })

        // While the model works, the pane shows "hyperalign is drafting…"; the answer below clears it.
        statusShown = await quietly(deps, 'status', () => setStatus(draftingStatus))
        await quietly(deps, 'title', () => setTitle(truncate(request.kind === 'reply' ? 'Reply in my voice' : `Draft: ${request.intent}`, 60)))
        const viewed = (await getThreadContext()) as ViewedChannel
        const found = await viewedChannelContext(deps, { actor, teamId, viewed, assistantChannelId: typed.channel })
        if (!found.channelId) return await answer(client, thread, noChannelReply())
        if (request.kind === 'reply' && found.context.length === 0) return await answer(client, thread, noContextReply(found.unread ?? 'unreadable', found.channelId))
        const result = await deps.core.draft({
          actor,
          intent: request.intent,
          context: found.context,
          channelKind: found.channelKind,
          channelId: found.channelId,
          idempotencyKey: `slack:${teamId}:assistant:${typed.channel}:${typed.ts}`,
        })
        await answer(client, thread, assistantDraftReply(result, found.channelId, found.unread))
      } catch (error) {
        if (isBotError(error, 'duplicate')) {
          // Another delivery of this message is answering; only the status of ours is taken back.
          if (statusShown) await quietly(deps, 'status', () => setStatus(''))
          return
        }
        deps.logger.warn('slack_assistant_failed', { error, stage: 'message' })
        await answer(client, thread, errorReply(error)).catch((failure: unknown) => deps.logger.warn('slack_assistant_reply_failed', { error: failure }))
      }
    },
  })
  app.assistant(assistant)
}

/** Replies in the assistant thread, which only the member sees (their conversation with the app). */
async function answer(client: webApi.WebClient, thread: Thread, reply: SlackReply, metadata?: { event_type: string; event_payload: Record<string, string> }): Promise<void> {
  await client.chat.postMessage({
    channel: thread.channel,
    thread_ts: thread.threadTs,
    text: reply.text,
    blocks: reply.blocks,
    unfurl_links: false,
    unfurl_media: false,
    ...(metadata ? { metadata } : {}),
  })
}

/** A status or title is a courtesy: when Slack refuses it, the draft still comes. */
async function quietly(deps: SlackHandlerDeps, what: string, call: () => Promise<unknown>): Promise<boolean> {
  try {
    await call()
    return true
  } catch (error) {
    deps.logger.info('slack_assistant_courtesy_failed', { what, slackError: (error as { data?: { error?: string } }).data?.error })
    return false
  }
}

/** Events carry no team for the user the way commands do; Slack's own answer (users.info) must not name another. */
async function sameWorkspace(deps: SlackHandlerDeps, teamId: string, userId: string): Promise<boolean> {
  const reported = await deps.actors.workspaceOfUser(teamId, userId)
  if (reported === undefined || reported === teamId) return true
  deps.logger.warn('slack_workspace_mismatch', { payloadType: 'assistant' })
  return false
}

/**
 * A redelivered event, or the same event at a second process, is answered once: its thread and timestamp are
 * claimed in the store (hashed, naming no member), as clicks are.
 */
async function handledOnce(deps: SlackHandlerDeps, teamId: string, userId: string, what: string, channel: string, ts: string): Promise<boolean> {
  if (!(await sameWorkspace(deps, teamId, userId))) return false
  const deliveryId = createHash('sha256').update(['assistant', what, channel, ts].join('\n')).digest('hex').slice(0, 48)
  if (await deps.core.claimDelivery(slackWorkspace(teamId), `slack.${deliveryId}`)) return true
  deps.logger.info('slack_assistant_repeated', { what })
  return false
}
