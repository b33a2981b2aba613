// Replies to opting in, opting out and forgetting, and the forget confirmation. They say what is now stored,
// what was erased (counted), and what the member can do next.
import type { ForgetReport, Profile, WorkspacePolicy } from '../../../src/core/types.js'
import { actionIds } from '../action-ids.js'
import type { SlackReply } from './error-blocks.js'
import { storedStatement } from './profile-blocks.js'

export function optedInReply(profile: Pick<Profile, 'consentStatement' | 'retentionDays'>, policy: WorkspacePolicy | undefined): SlackReply {
  const text = 'You are opted in. From now on I learn from the messages you write in channels where learning is on.'
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `:white_check_mark: ${text}` } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: storedStatement(profile, policy) }] },
      {
        type: 'actions',
        elements: [{ type: 'button', action_id: actionIds.backfill, style: 'primary', text: { type: 'plain_text', text: 'Learn from my recent messages' }, value: 'reply' }],
      },
    ],
  }
}

export function erasedSummary(report: ForgetReport | undefined): string {
  if (!report) return 'Nothing was stored about you.'
  return `Erased ${report.messages} messages, ${report.hypotheses} hypotheses, ${report.drafts} drafts and ${report.auditEntries + report.otherRecords} other records.`
}

export function optedOutReply(report: ForgetReport | undefined): SlackReply {
  const text = `You are opted out. ${erasedSummary(report)} I will not learn from your messages unless you opt in again.`
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `:white_check_mark: ${text}` } }] }
}

export function forgottenReply(report: ForgetReport): SlackReply {
  const text = `Done. ${erasedSummary(report)} You are opted out.`
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `:white_check_mark: ${text}` } }] }
}

export function forgetConfirmation(): SlackReply {
  const text = 'Erase everything hyperalign stored about you (messages, style figures, hypotheses, drafts) and opt you out? This cannot be undone.'
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `:warning: ${text}` } },
      {
        type: 'actions',
        elements: [
          { type: 'button', action_id: actionIds.forgetConfirm, style: 'danger', text: { type: 'plain_text', text: 'Erase everything' }, value: 'reply' },
          { type: 'button', action_id: actionIds.forgetCancel, text: { type: 'plain_text', text: 'Cancel' }, value: 'reply' },
        ],
      },
    ],
  }
}

/** The link to Slack's consent page for posting as the member (their own ephemeral message only). */
export function connectReply(authorizeUrl: string, alreadyConnected: boolean): SlackReply {
  const text = alreadyConnected
    ? 'hyperalign already posts the drafts you approve as you. Follow the link to grant the permission again (for example after changing it in Slack).'
    : 'Let hyperalign post the drafts you approve as you (still labelled as AI-drafted, and only when you click Post). Slack will ask you to allow "send messages on your behalf"; the link works for thirty minutes. `/hyperalign disconnect` takes it back.'
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text } },
      { type: 'actions', elements: [{ type: 'button', action_id: actionIds.postingConnect, style: 'primary', text: { type: 'plain_text', text: 'Allow posting as me' }, url: authorizeUrl, value: 'connect' }] },
    ],
  }
}
