// The message shortcut "Draft a reply in my voice": opens a modal for an optional intent, reads the thread as
// context and shows a private draft that Post puts into that thread. Never posts without the member's click.
import type { App, MessageShortcut } from '@slack/bolt'
import { isBotError } from '../../src/bot-error.js'
import { inputIds, shortcutIds, viewIds } from './action-ids.js'
import { renderDraftResult, workingReply } from './blocks/draft-blocks.js'
import { errorReply } from './blocks/error-blocks.js'
import { replyIntentModal } from './blocks/modal-views.js'
import { channelKindOf } from './channel-kind.js'
import { decodeReplyTarget } from './draft-target.js'
import { replyPrivately } from './private-reply.js'
import type { SlackHandlerDeps } from './slack-handler-deps.js'
import { threadContext } from './thread-context.js'

/** Used when the member leaves the intent empty: the thread itself says what the reply is about. */
const defaultIntent = 'Reply to the latest message in this thread.'

export function registerReplyShortcut(app: App, deps: SlackHandlerDeps): void {
  app.shortcut<MessageShortcut>({ callback_id: shortcutIds.draftReply, type: 'message_action' }, async ({ ack, shortcut }) => {
    await ack()
    const message = shortcut.message
    const target = {
      channelId: shortcut.channel.id,
      threadTs: typeof message.thread_ts === 'string' ? message.thread_ts : message.ts,
      messageTs: message.ts,
      responseUrl: shortcut.response_url,
      messageText: message.text ?? '',
    }
    await deps.client.views.open({ trigger_id: shortcut.trigger_id, view: replyIntentModal(target, message.text ?? '') })
  })

  app.view(viewIds.replyIntent, async ({ ack, body, view }) => {
    await ack()
    const target = decodeReplyTarget(view.private_metadata)
    const teamId = body.team?.id ?? body.user.team_id
    if (!target || !teamId) return
    const userId = body.user.id
    const route = { responseUrl: target.responseUrl, channelId: target.channelId, userId, threadTs: target.threadTs }
    const intent = view.state.values[inputIds.intent.block]?.[inputIds.intent.action]?.value?.trim() || defaultIntent
    try {
      await replyPrivately(deps.client, deps.logger, route, workingReply('Drafting a reply in your voice… (only you can see this)'))
      const actor = await deps.actors.resolve(teamId, userId)
      const [context, channelKind] = await Promise.all([
        threadContext(deps.client, deps.logger, { channelId: target.channelId, threadTs: target.threadTs, memberUserId: userId, fallbackText: target.messageText }),
        channelKindOf(deps.client, target.channelId),
      ])
      const result = await deps.core.draft({ actor, intent, context, channelKind, channelId: target.channelId, idempotencyKey: `slack:${teamId}:view:${view.id}:${'trigger_id' in body ? String(body.trigger_id) : view.hash}` })
      await replyPrivately(deps.client, deps.logger, route, renderDraftResult(result, { channelId: target.channelId, threadTs: target.threadTs }))
    } catch (error) {
      if (isBotError(error, 'duplicate')) return
      deps.logger.warn('slack_reply_draft_failed', { error })
      await replyPrivately(deps.client, deps.logger, route, errorReply(error))
    }
  })
}
