// The buttons under a private draft (Post, Edit, Regenerate, Discard) and the Edit modal's submission. Each reads
// the draft from the store through the core by id, so any process behind a load balancer can answer the click.
import type { App, BlockAction, ButtonAction } from '@slack/bolt'
import { BotError, isBotError } from '../../src/bot-error.js'
import { actionIds, inputIds, viewIds } from './action-ids.js'
import { renderDraftResult, workingReply } from './blocks/draft-blocks.js'
import { errorReply, noticeReply } from './blocks/error-blocks.js'
import { editDraftModal } from './blocks/modal-views.js'
import { postDraft, type ReplyToMember } from './draft-posting.js'
import { decodeDraftTarget, type DraftTarget } from './draft-target.js'
import { replyPrivately } from './private-reply.js'
import type { SlackHandlerDeps } from './slack-handler-deps.js'

const staleButton = new BotError('input_invalid', 'This button is out of date. Run /draft again for a new draft.')

type ButtonArgs = { body: BlockAction<ButtonAction>; action: ButtonAction }

function routeOf(deps: SlackHandlerDeps, body: BlockAction<ButtonAction>, target: DraftTarget | undefined): ReplyToMember {
  return (message, options) =>
    replyPrivately(
      deps.client,
      deps.logger,
      { responseUrl: body.response_url, channelId: target?.channelId ?? body.channel?.id ?? '', userId: body.user.id, threadTs: target?.threadTs },
      message,
      options,
    )
}

export function registerDraftActions(app: App, deps: SlackHandlerDeps): void {
  const withDraft = (handler: (args: ButtonArgs & { target: DraftTarget; reply: ReplyToMember; teamId: string }) => Promise<void>) =>
    async ({ ack, body, action }: ButtonArgs & { ack: () => Promise<void> }) => {
      await ack()
      const target = decodeDraftTarget(action.value)
      const reply = routeOf(deps, body, target)
      const teamId = body.team?.id ?? body.user.team_id
      if (!target || !teamId) {
        await reply(errorReply(staleButton))
        return
      }
      try {
        await handler({ body, action, target, reply, teamId })
      } catch (error) {
        deps.logger.warn('slack_draft_action_failed', { error, actionId: action.action_id })
        const message = isBotError(error, 'not_found') ? noticeReply('This draft was already posted or discarded, or it expired.', ':information_source:') : errorReply(error)
        // A failed Edit (e.g. an expired trigger) must not wipe the draft the member is still looking at.
        await reply(message, { replaceOriginal: action.action_id !== actionIds.draftEdit })
      }
    }

  app.action<BlockAction<ButtonAction>>(
    actionIds.draftPost,
    withDraft(async ({ body, target, reply, teamId }) => {
      const actor = await deps.actors.resolve(teamId, body.user.id)
      await postDraft(deps, { actor, target, reply })
    }),
  )

  app.action<BlockAction<ButtonAction>>(
    actionIds.draftDiscard,
    withDraft(async ({ body, target, reply, teamId }) => {
      const actor = await deps.actors.resolve(teamId, body.user.id)
      await deps.core.finalizeDraft(actor, { action: 'discard', draftId: target.draftId })
      await reply({ text: 'Draft discarded.' }, { deleteOriginal: true })
    }),
  )

  app.action<BlockAction<ButtonAction>>(
    actionIds.draftRegenerate,
    withDraft(async ({ body, target, reply, teamId }) => {
      const actor = await deps.actors.resolve(teamId, body.user.id)
      await reply(workingReply('Drafting again… (only you can see this)'), { replaceOriginal: true })
      const result = await deps.core.regenerateDraft(actor, target.draftId)
      await reply(renderDraftResult(result, { channelId: target.channelId, threadTs: target.threadTs }), { replaceOriginal: true })
    }),
  )

  app.action<BlockAction<ButtonAction>>(
    actionIds.draftEdit,
    withDraft(async ({ body, target, teamId }) => {
      // The trigger expires 3 s after the click: one store read, then open the modal straight away.
      const actor = await deps.actors.resolve(teamId, body.user.id)
      const draft = await deps.core.getDraft(actor, target.draftId)
      await deps.client.views.open({ trigger_id: body.trigger_id, view: editDraftModal(draft.text, { ...target, responseUrl: body.response_url }) })
    }),
  )

  app.view(viewIds.editDraft, async ({ ack, body, view }) => {
    const text = view.state.values[inputIds.draftText.block]?.[inputIds.draftText.action]?.value?.trim() ?? ''
    if (text === '') {
      await ack({ response_action: 'errors', errors: { [inputIds.draftText.block]: 'Write something to post, or press Cancel.' } })
      return
    }
    await ack()
    const target = decodeDraftTarget(view.private_metadata)
    const teamId = body.team?.id ?? body.user.team_id
    if (!target || !teamId) return
    const reply: ReplyToMember = (message, options) =>
      replyPrivately(deps.client, deps.logger, { responseUrl: target.responseUrl, channelId: target.channelId, userId: body.user.id, threadTs: target.threadTs }, message, options)
    try {
      const actor = await deps.actors.resolve(teamId, body.user.id)
      await postDraft(deps, { actor, target, editedText: text, reply })
    } catch (error) {
      deps.logger.warn('slack_edit_post_failed', { error })
      await reply(errorReply(error))
    }
  })
}
