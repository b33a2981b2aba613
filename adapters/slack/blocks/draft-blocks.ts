// Block Kit for drafts: the private draft with score, hypotheses used and Post / Edit / Regenerate / Discard, the
// refusal (rule ids and message, never draft text) and the labelled message that Post puts in the channel.
import type { types } from '@slack/bolt'
import type { DraftResult, Verdict } from '../../../src/core/types.js'
import { actionIds } from '../action-ids.js'
import { encodeDraftTarget, type DraftTarget } from '../draft-target.js'
import { chunkText, escapeMrkdwn, truncate } from '../mrkdwn.js'
import type { SlackReply } from './error-blocks.js'

type Drafted = Extract<DraftResult, { status: 'drafted' }>
type Refused = Extract<DraftResult, { status: 'refused' }>

/** Slack caps section text at 3,000 characters and plain_text_input values at 3,000. */
const sectionLimit = 2900
export const editableLimit = 3000

export function renderDraftResult(result: DraftResult, route: Omit<DraftTarget, 'draftId'>): SlackReply {
  return result.status === 'drafted' ? draftReply(result, route) : refusalReply(result)
}

export function draftReply(draft: Drafted, route: Omit<DraftTarget, 'draftId'>): SlackReply {
  const value = encodeDraftTarget({ ...route, draftId: draft.draftId })
  const score =
    draft.styleMatch === undefined
      ? 'Style match: not enough of your own messages yet to measure'
      : `Style match *${draft.styleMatch.toFixed(2)}* (1.00 = like your own writing, 0.00 = like someone else's)`
  const hypotheses = draft.hypothesesUsed.slice(0, 6).map((hypothesis) => `• ${escapeMrkdwn(truncate(hypothesis.statement, 180))}`)
  const buttons: types.Button[] = [
    { type: 'button', action_id: actionIds.draftPost, style: 'primary', text: { type: 'plain_text', text: 'Post' }, value },
    ...(draft.text.length <= editableLimit ? [{ type: 'button' as const, action_id: actionIds.draftEdit, text: { type: 'plain_text' as const, text: 'Edit' }, value }] : []),
    { type: 'button', action_id: actionIds.draftRegenerate, text: { type: 'plain_text', text: 'Regenerate' }, value },
    { type: 'button', action_id: actionIds.draftDiscard, text: { type: 'plain_text', text: 'Discard' }, value },
  ]
  const blocks: types.KnownBlock[] = [
    { type: 'context', elements: [{ type: 'mrkdwn', text: ':pencil2: *Draft in your voice* · only you can see this · nothing is posted until you click *Post*' }] },
    ...chunkText(escapeMrkdwn(draft.text), sectionLimit).map((piece): types.KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text: piece } })),
    { type: 'context', elements: [{ type: 'mrkdwn', text: score }] },
  ]
  if (hypotheses.length > 0) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `Shaped by what I learned about you:\n${hypotheses.join('\n')}` }] })
  }
  if (draft.notice) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `:information_source: ${escapeMrkdwn(draft.notice)}` }] })
  blocks.push({ type: 'actions', block_id: 'draft_actions', elements: buttons })
  return { text: `Draft in your voice (only you can see this): ${escapeMrkdwn(truncate(draft.text, 200))}`, blocks }
}

export function refusalReply(refusal: Pick<Refused, 'verdict' | 'message'>): SlackReply {
  const text = `I did not write this draft. ${escapeMrkdwn(refusal.message)}`
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `:no_entry: *I did not write this draft.* ${escapeMrkdwn(refusal.message)}` } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: ruleLine(refusal.verdict) }] },
    ],
  }
}

export function ruleLine(verdict: Verdict): string {
  const rules = verdict.ruleIds.length > 0 ? verdict.ruleIds.map((rule) => `\`${escapeMrkdwn(rule)}\``).join(', ') : 'none cited'
  return `Safety rule${verdict.ruleIds.length === 1 ? '' : 's'}: ${rules} · checked at the ${verdict.stage === 'request' ? 'request' : 'draft'} stage`
}

/** The message Post puts in the channel: the draft, labelled as AI-drafted, attributed to the member. */
export function postedMessage(
  text: string,
  label: string,
  memberUserId: string,
  edited: boolean,
  postedAs: 'app' | 'member' = 'app',
): { text: string; blocks: types.KnownBlock[] } {
  const attribution =
    postedAs === 'member'
      ? `${escapeMrkdwn(label)} · approved${edited ? ' and edited' : ''} by <@${memberUserId}> · posted as them by hyperalign`
      : `${escapeMrkdwn(label)} · drafted by <@${memberUserId}>${edited ? ' and edited by them' : ''} · posted by the hyperalign app`
  return {
    text: `${escapeMrkdwn(truncate(text, 3500))}\n\n(${escapeMrkdwn(label)}; ${postedAs === 'member' ? 'approved' : 'drafted'} by <@${memberUserId}>)`,
    blocks: [
      ...chunkText(escapeMrkdwn(text), sectionLimit).map((piece): types.KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text: piece } })),
      { type: 'context', elements: [{ type: 'mrkdwn', text: `:robot_face: ${attribution}` }] },
    ],
  }
}

export function workingReply(text: string): SlackReply {
  return { text, blocks: [{ type: 'context', elements: [{ type: 'mrkdwn', text: `:hourglass_flowing_sand: ${escapeMrkdwn(text)}` }] }] }
}
