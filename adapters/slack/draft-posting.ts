// Posts a draft after the member clicked Post (or submitted the Edit modal): the core first checks and marks it
// posted, then it goes out labelled as AI-drafted — as the member when they granted a user token, otherwise as the
// app with "drafted by @member". Nothing here runs without that click.
import { isBotError } from '../../src/bot-error.js'
import type { Actor } from '../../src/core/types.js'
import { postedMessage, refusalReply } from './blocks/draft-blocks.js'
import { errorReply, noticeReply } from './blocks/error-blocks.js'
import type { DraftTarget } from './draft-target.js'
import { escapeMrkdwn, truncate } from './mrkdwn.js'
import type { PrivateReply } from './private-reply.js'
import type { SlackHandlerDeps } from './slack-handler-deps.js'
import { rejectedTokenErrors } from './user-posting.js'

export type ReplyToMember = (message: PrivateReply, options?: { replaceOriginal?: boolean; deleteOriginal?: boolean }) => Promise<void>

/** Slack errors that mean "the app cannot post here", which the member can fix or work around. */
const cannotPostHere = new Set(['not_in_channel', 'channel_not_found', 'is_archived', 'restricted_action', 'cant_post_in_thread', 'restricted_action_thread_only', 'restricted_action_read_only_channel', 'ekm_access_denied'])

export async function postDraft(deps: SlackHandlerDeps, input: { actor: Actor; target: DraftTarget; editedText?: string; reply: ReplyToMember }): Promise<void> {
  const { actor, target, reply } = input
  let outcome
  try {
    outcome = await deps.core.finalizeDraft(actor, { action: 'post', draftId: target.draftId, ...(input.editedText !== undefined ? { text: input.editedText } : {}) })
  } catch (error) {
    if (isBotError(error, 'not_found')) {
      await reply(noticeReply('This draft was already posted or discarded, or it expired. Run /draft again for a new one.', ':information_source:'), { replaceOriginal: true })
      return
    }
    deps.logger.warn('slack_post_finalize_failed', { error })
    await reply(errorReply(error), { replaceOriginal: input.editedText === undefined })
    return
  }
  if (outcome.status === 'refused') {
    await reply(refusalReply(outcome), { replaceOriginal: input.editedText === undefined })
    return
  }
  if (outcome.status !== 'ready_to_post') return
  const edited = input.editedText !== undefined
  // As the member when they granted a user token; otherwise as the app, with "drafted by @member".
  const userToken = await deps.userPosting?.tokenFor(actor).catch((error: unknown) => {
    deps.logger.warn('slack_user_token_read_failed', { error })
    return undefined
  })
  const message = postedMessage(outcome.text, outcome.label, actor.member.userId, edited, userToken ? 'member' : 'app')
  try {
    await deps.client.chat.postMessage({
      ...(userToken ? { token: userToken } : {}),
      channel: target.channelId,
      ...(target.threadTs ? { thread_ts: target.threadTs } : {}),
      text: message.text,
      blocks: message.blocks,
      unfurl_links: false,
      unfurl_media: false,
    })
  } catch (error) {
    const slackError = (error as { data?: { error?: string } }).data?.error
    deps.logger.warn('slack_post_failed', { slackError, as: userToken ? 'member' : 'app' })
    // The click is not lost: the draft becomes postable again, and its buttons stay on screen.
    await deps.core.finalizeDraft(actor, { action: 'restore', draftId: target.draftId }).catch(() => {})
    let why: string
    if (userToken && slackError && rejectedTokenErrors.has(slackError)) {
      await deps.core.removeCredential(actor, actor.member).catch(() => {})
      why = 'Slack no longer accepts your permission for hyperalign to post as you, so nothing was posted. Click Post again to post it as the app (with "drafted by" you), or run `/hyperalign connect` to grant it again. Your text:'
    } else if (slackError && cannotPostHere.has(slackError)) {
      why = userToken
        ? 'Slack did not let you post in this conversation, so nothing was posted. Click Post to try again, or copy your text:'
        : 'I cannot post in this conversation (the app is not a member here). Invite it with `/invite @hyperalign` and click Post again, or copy your text:'
    } else {
      why = 'Slack did not accept the message. Click Post to try again, or copy your text:'
    }
    await reply(
      { text: `${why}\n${escapeMrkdwn(truncate(outcome.text, 2500))}`, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `:warning: ${why}\n\`\`\`${escapeMrkdwn(truncate(outcome.text, 2500))}\`\`\`` } }] },
      { replaceOriginal: false },
    )
    return
  }
  await reply(noticeReply(userToken ? 'Posted as you, labelled as AI-drafted.' : 'Posted, labelled as AI-drafted and drafted by you.'), { replaceOriginal: true })
}
