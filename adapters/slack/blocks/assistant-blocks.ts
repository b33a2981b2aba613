// Block Kit for the assistant pane: the greeting (with the opt-in invitation for members who have not opted in),
// the /draft blocks with a line on the context used, and what to do when no channel could be read. Member-only.
import type { types } from '@slack/bolt'
import type { DraftResult, Profile } from '../../../src/core/types.js'
import type { UnreadReason } from '../viewed-channel-context.js'
import { renderDraftResult } from './draft-blocks.js'
import { optInPrompt, type SlackReply } from './error-blocks.js'

const section = (text: string): types.KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text } })
const context = (text: string): types.KnownBlock => ({ type: 'context', elements: [{ type: 'mrkdwn', text }] })

export const switchedOffText = 'hyperalign is switched off in this workspace. A workspace admin can switch it on in the Home tab of the hyperalign app.'

export function assistantGreeting(profile: Pick<Profile, 'optedIn' | 'workspaceEnabled'>): SlackReply {
  if (!profile.workspaceEnabled) return { text: switchedOffText, blocks: [section(`:zzz: ${switchedOffText}`)] }
  if (!profile.optedIn) {
    const invitation = optInPrompt()
    return { text: invitation.text, blocks: [section('Hi! I draft messages in your own voice, right here beside the channel you are reading.'), ...invitation.blocks] }
  }
  const text = 'Hi! Type what you want to say, or pick a prompt: I draft it in your voice, with the conversation you are viewing as context where learning is on. Nothing is posted until you click *Post*.'
  return { text, blocks: [section(text), context('Drafts appear only here; *Post* puts one into the channel you were viewing when you asked.')] }
}

/** Why the viewed conversation is not part of the draft; channel ids only, never its text. */
export function unreadReasonText(reason: UnreadReason, channelId: string | undefined): string {
  const channel = channelId ? `<#${channelId}>` : 'that conversation'
  switch (reason) {
    case 'no_channel':
      return 'You are not viewing a channel. Open the channel you want to write in (I follow you there), then ask again.'
    case 'other_workspace':
      return `${channel} belongs to another workspace, so I do not read it.`
    case 'direct':
      return 'I never read direct messages.'
    case 'not_member':
      return `I am not in ${channel}, so I cannot read it. Invite me with \`/invite @hyperalign\` for context there.`
    case 'not_open':
      return `Learning is not on in ${channel}, so I do not read it for context.`
    case 'unreadable':
      return `Slack did not let me read ${channel}.`
  }
}

/** The same draft blocks as /draft; Post targets the viewed channel. */
export function assistantDraftReply(result: DraftResult, channelId: string, unread: UnreadReason | undefined): SlackReply {
  const reply = renderDraftResult(result, { channelId })
  if (result.status !== 'drafted') return reply
  const note = unread ? `:information_source: Drafted without the conversation: ${unreadReasonText(unread, channelId)}` : `Drafted with the latest messages of <#${channelId}> as context · *Post* puts it there.`
  const blocks = [...reply.blocks]
  // Just above the buttons, where the member decides.
  blocks.splice(Math.max(0, blocks.length - 1), 0, context(note))
  return { text: reply.text, blocks }
}

export function noContextReply(reason: UnreadReason, channelId: string | undefined): SlackReply {
  const text = `${unreadReasonText(reason, channelId)} Or tell me what to say: \`Draft a message: thanks for the review, I will merge it tomorrow\``
  return { text, blocks: [section(`:information_source: ${text}`)] }
}

export function noChannelReply(): SlackReply {
  const text = unreadReasonText('no_channel', undefined)
  return { text, blocks: [section(`:information_source: ${text}`)] }
}

export const usageText = 'Tell me what you want to say after `Draft a message:`, for example `Draft a message: thanks for the review, I will merge it tomorrow`.'

export function usageReply(): SlackReply {
  return { text: usageText, blocks: [section(usageText)] }
}
