// Member buttons on ephemeral messages and in App Home: opt in / out, learn from recent messages, stop posting as
// me, forget (after a confirmation), and correct / pin / delete / add hypotheses. Every change goes through the core, then Home is re-published.
import type { App, BlockAction, BlockElementAction } from '@slack/bolt'
import { z } from 'zod'
import { actionIds, inputIds, viewIds } from './action-ids.js'
import { forgottenReply, optedInReply, optedOutReply } from './blocks/consent-blocks.js'
import { errorReply, errorText, noticeReply, type SlackReply } from './blocks/error-blocks.js'
import { addHypothesisModal, editHypothesisModal } from './blocks/modal-views.js'
import { readWorkspacePolicy } from './read-workspace-policy.js'
import { replyPrivately } from './private-reply.js'
import type { HomeExtras, SlackHandlerDeps } from './slack-handler-deps.js'
import { revokeBeforeErase } from './user-posting.js'
import type { HypothesisCategory } from '../../src/core/types.js'

type Click = { teamId: string; userId: string; body: BlockAction; action: BlockElementAction; fromMessage: boolean }

/** Runs a member action and reports back where the click came from: the ephemeral message, or the Home tab. */
function memberAction(deps: SlackHandlerDeps, run: (click: Click) => Promise<{ reply?: SlackReply; home?: HomeExtras; deleteOriginal?: boolean } | void>) {
  return async ({ ack, body, action }: { ack: () => Promise<void>; body: BlockAction; action: BlockElementAction }) => {
    await ack()
    const teamId = body.team?.id ?? body.user.team_id
    if (!teamId) return
    const click: Click = { teamId, userId: body.user.id, body, action, fromMessage: Boolean(body.response_url) && body.view?.type !== 'home' }
    let outcome: { reply?: SlackReply; home?: HomeExtras; deleteOriginal?: boolean } | void
    try {
      outcome = await run(click)
    } catch (error) {
      deps.logger.warn('slack_member_action_failed', { error, actionId: action.action_id })
      outcome = { reply: errorReply(error), home: { notice: { text: errorText(error), tone: 'error' } } }
    }
    if (click.fromMessage && (outcome?.reply || outcome?.deleteOriginal)) {
      const route = { responseUrl: body.response_url, channelId: body.channel?.id ?? '', userId: click.userId }
      await replyPrivately(deps.client, deps.logger, route, outcome.reply ?? { text: '' }, { replaceOriginal: true, deleteOriginal: outcome.deleteOriginal }).catch((error: unknown) =>
        deps.logger.warn('slack_reply_failed', { error }),
      )
    }
    await deps.home.publish(teamId, click.userId, outcome?.home).catch((error: unknown) => deps.logger.warn('slack_home_publish_failed', { error }))
  }
}

const hypothesisChoice = z.string().regex(/^(correct|pin|unpin|delete):[\w.:-]{1,120}$/)
const hypothesisMetadata = z.object({ h: z.string().min(1).max(120) })
const categories = z.enum(['communication_strategy', 'personality', 'writing_style'])

export function registerMemberActions(app: App, deps: SlackHandlerDeps): void {
  app.action<BlockAction>(
    actionIds.optIn,
    memberAction(deps, async ({ teamId, userId }) => {
      const actor = await deps.actors.resolve(teamId, userId)
      await deps.core.setConsent(actor, actor.member, true)
      const [profile, policy] = await Promise.all([deps.core.profile(actor, actor.member), readWorkspacePolicy(deps.core, actor)])
      return { reply: optedInReply(profile, policy), home: { notice: { text: 'You are opted in.', tone: 'ok' } } }
    }),
  )

  app.action<BlockAction>(
    actionIds.optOut,
    memberAction(deps, async ({ teamId, userId }) => {
      const actor = await deps.actors.resolve(teamId, userId)
      await revokeBeforeErase(deps, actor, actor.member)
      const outcome = await deps.core.setConsent(actor, actor.member, false)
      const reply = optedOutReply(outcome.erased)
      return { reply, home: { notice: { text: reply.text, tone: 'ok' } } }
    }),
  )

  app.action<BlockAction>(
    actionIds.backfill,
    memberAction(deps, async ({ teamId, userId }) => {
      deps.backfill.start(teamId, userId)
      const text = 'Learning from your recent messages. Progress appears in your conversation with the hyperalign app.'
      return { reply: noticeReply(text, ':books:'), home: { backfillProgress: text } }
    }),
  )

  app.action<BlockAction>(
    actionIds.forgetConfirm,
    memberAction(deps, async ({ teamId, userId }) => {
      const actor = await deps.actors.resolve(teamId, userId)
      await revokeBeforeErase(deps, actor, actor.member)
      const report = await deps.core.forget(actor, actor.member)
      const reply = forgottenReply(report)
      return { reply, home: { notice: { text: reply.text, tone: 'ok' } } }
    }),
  )

  app.action<BlockAction>(
    actionIds.postingDisconnect,
    memberAction(deps, async ({ teamId, userId }) => {
      const actor = await deps.actors.resolve(teamId, userId)
      if (deps.userPosting) await deps.userPosting.revoke(actor, actor.member)
      const text = 'hyperalign no longer posts as you; drafts you approve are posted by the app with "drafted by" you.'
      return { reply: noticeReply(text, ':information_source:'), home: { notice: { text, tone: 'ok' } } }
    }),
  )

  app.action<BlockAction>(
    actionIds.forgetCancel,
    memberAction(deps, async () => ({ deleteOriginal: true })),
  )

  app.action<BlockAction>(actionIds.hypothesisMenu, async ({ ack, body, action }) => {
    await ack()
    const teamId = body.team?.id ?? body.user.team_id
    const choice = hypothesisChoice.safeParse(action.type === 'overflow' ? action.selected_option?.value : undefined)
    if (!teamId || !choice.success) return
    const separator = choice.data.indexOf(':')
    const verb = choice.data.slice(0, separator)
    const hypothesisId = choice.data.slice(separator + 1)
    let home: HomeExtras | undefined
    try {
      const actor = await deps.actors.resolve(teamId, body.user.id)
      if (verb === 'correct') {
        // The trigger expires 3 s after the click: read the profile, then open the modal straight away.
        const profile = await deps.core.profile(actor, actor.member)
        const hypothesis = profile.hypotheses.find((each) => each.id === hypothesisId)
        if (hypothesis) {
          await deps.client.views.open({ trigger_id: body.trigger_id, view: editHypothesisModal(hypothesis) })
          return
        }
        home = { notice: { text: 'That hypothesis changed in the meantime; here is the current list.', tone: 'error' } }
      } else {
        const edit = verb === 'delete' ? { action: 'delete' as const, hypothesisId } : { action: 'pin' as const, hypothesisId, pinned: verb === 'pin' }
        await deps.core.editHypothesis(actor, actor.member, edit)
        home = { notice: { text: verb === 'delete' ? 'Deleted. I will not infer it again unless your writing shows it anew.' : verb === 'pin' ? 'Pinned: learning will keep it.' : 'Unpinned.', tone: 'ok' } }
      }
    } catch (error) {
      deps.logger.warn('slack_hypothesis_action_failed', { error })
      home = { notice: { text: errorText(error), tone: 'error' } }
    }
    await deps.home.publish(teamId, body.user.id, home).catch((error: unknown) => deps.logger.warn('slack_home_publish_failed', { error }))
  })

  app.action<BlockAction>(actionIds.hypothesisAdd, async ({ ack, body }) => {
    await ack()
    await deps.client.views.open({ trigger_id: body.trigger_id, view: addHypothesisModal() }).catch((error: unknown) => deps.logger.warn('slack_views_open_failed', { error }))
  })

  app.view(viewIds.editHypothesis, async ({ ack, body, view }) => {
    const statement = view.state.values[inputIds.statement.block]?.[inputIds.statement.action]?.value?.trim() ?? ''
    if (statement === '') {
      await ack({ response_action: 'errors', errors: { [inputIds.statement.block]: 'Write the corrected statement, or press Cancel.' } })
      return
    }
    await ack()
    const teamId = body.team?.id ?? body.user.team_id
    let metadata: z.infer<typeof hypothesisMetadata> | undefined
    try {
      metadata = hypothesisMetadata.parse(JSON.parse(view.private_metadata))
    } catch {
      metadata = undefined
    }
    if (!teamId || !metadata) return
    await editAndPublish(deps, teamId, body.user.id, { action: 'correct', hypothesisId: metadata.h, statement }, 'Saved. Your correction wins over what I infer.')
  })

  app.view(viewIds.addHypothesis, async ({ ack, body, view }) => {
    const statement = view.state.values[inputIds.statement.block]?.[inputIds.statement.action]?.value?.trim() ?? ''
    const category = categories.safeParse(view.state.values[inputIds.category.block]?.[inputIds.category.action]?.selected_option?.value)
    if (statement === '' || !category.success) {
      await ack({ response_action: 'errors', errors: { [inputIds.statement.block]: 'Write a short statement about how you write, or press Cancel.' } })
      return
    }
    await ack()
    const teamId = body.team?.id ?? body.user.team_id
    if (!teamId) return
    await editAndPublish(deps, teamId, body.user.id, { action: 'add', category: category.data as HypothesisCategory, statement }, 'Added.')
  })
}

async function editAndPublish(
  deps: SlackHandlerDeps,
  teamId: string,
  userId: string,
  edit: Parameters<SlackHandlerDeps['core']['editHypothesis']>[2],
  done: string,
): Promise<void> {
  let home: HomeExtras
  try {
    const actor = await deps.actors.resolve(teamId, userId)
    await deps.core.editHypothesis(actor, actor.member, edit)
    home = { notice: { text: done, tone: 'ok' } }
  } catch (error) {
    deps.logger.warn('slack_hypothesis_edit_failed', { error })
    home = { notice: { text: errorText(error), tone: 'error' } }
  }
  await deps.home.publish(teamId, userId, home).catch((error: unknown) => deps.logger.warn('slack_home_publish_failed', { error }))
}
