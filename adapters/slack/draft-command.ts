// `/draft <intent>`: acknowledge at once (Slack's 3-second rule), then ask the core for a draft and show it
// privately with Post / Edit / Regenerate / Discard; a slow one is announced as still working, then replaced by the
// result. Never posts; a retried delivery reuses the same idempotency key.
import type { App } from '@slack/bolt'
import { isBotError } from '../../src/bot-error.js'
import { stillWorkingText, withStillWorkingNotice } from '../still-working-notice.js'
import { commands } from './action-ids.js'
import { renderDraftResult, workingReply } from './blocks/draft-blocks.js'
import { errorReply } from './blocks/error-blocks.js'
import { channelKindOf } from './channel-kind.js'
import type { SlackHandlerDeps } from './slack-handler-deps.js'

const usage = 'Tell me what you want to say, for example: `/draft thanks for the review, I will merge it tomorrow`'

export function registerDraftCommand(app: App, deps: SlackHandlerDeps): void {
  app.command(commands.draft, async ({ command, ack, respond }) => {
    const intent = command.text.trim()
    if (intent === '') {
      await ack({ response_type: 'ephemeral', text: usage })
      return
    }
    await ack({ response_type: 'ephemeral', ...workingReply('Drafting in your voice… it appears here in a moment, visible only to you.') })
    // A slash command's response_url cannot replace the ack message, so the draft arrives as its own private
    // message; when a still-working notice went out that way first, the draft (or the error) replaces the notice.
    let noticeShown = false
    const notice = {
      afterMs: deps.stillWorkingAfterMs,
      show: async () => {
        await respond({ response_type: 'ephemeral', ...workingReply(stillWorkingText) })
        noticeShown = true
      },
      onShowFailed: (error: unknown) => deps.logger.warn('slack_notice_failed', { error, teamId: command.team_id }),
    }
    try {
      const result = await withStillWorkingNotice(notice, async () => {
        const actor = await deps.actors.resolve(command.team_id, command.user_id)
        const channelKind = await channelKindOf(deps.client, command.channel_id, command.channel_name)
        return deps.core.draft({
          actor,
          intent,
          channelKind,
          channelId: command.channel_id,
          idempotencyKey: `slack:${command.team_id}:command:${command.trigger_id}`,
        })
      })
      await respond({ response_type: 'ephemeral', replace_original: noticeShown, ...renderDraftResult(result, { channelId: command.channel_id }) })
    } catch (error) {
      if (isBotError(error, 'duplicate')) {
        // Another delivery of this command is answering; a notice of ours would only be noise.
        if (noticeShown) await respond({ delete_original: true })
        return
      }
      deps.logger.warn('slack_draft_failed', { error, teamId: command.team_id })
      await respond({ response_type: 'ephemeral', replace_original: noticeShown, ...errorReply(error) })
    }
  })
}
