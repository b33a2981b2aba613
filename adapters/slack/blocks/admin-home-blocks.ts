// The admin part of App Home: bot on/off, learning channels, retention, consent mode, opted-in members with
// per-member toggles, counts and the safety audit log. Rendered only from data the core returned to an admin.
import type { types } from '@slack/bolt'
import type { AuditEntry, MemberSummary, WorkspaceCounts, WorkspacePolicy } from '../../../src/core/types.js'
import { actionIds } from '../action-ids.js'
import { escapeMrkdwn, truncate } from '../mrkdwn.js'
import { slackDate } from './profile-blocks.js'

export type AdminMember = MemberSummary
export type AdminSnapshot = { policy: WorkspacePolicy; counts?: WorkspaceCounts; members: AdminMember[]; audit: AuditEntry[] }

const retentionChoices = [7, 14, 30, 60, 90, 180, 365]
const shownMembers = 15
const shownAuditEntries = 10
const plain = (text: string) => ({ type: 'plain_text' as const, text })

export function adminBlocks(snapshot: AdminSnapshot): types.KnownBlock[] {
  const { policy } = snapshot
  const retention = [...new Set([...retentionChoices, policy.retentionDays])].sort((a, b) => a - b)
  const retentionOption = (days: number) => ({ text: plain(`${days} days`), value: String(days) })
  const allChannels = { text: plain('Every public channel the app is in'), value: 'all' }
  const consentOptions = {
    member: { text: plain('Each member opts in'), value: 'member', description: plain('Default. Nobody is learned from until they opt in themselves.') },
    admin: { text: plain('Admins opt members in'), value: 'admin', description: plain('For organisations that collect consent themselves. Members are told and can opt out.') },
  }
  const blocks: types.KnownBlock[] = [
    { type: 'divider' },
    { type: 'header', text: plain('Workspace admin') },
    {
      type: 'section',
      text: { type: 'mrkdwn', text: policy.enabled ? '*hyperalign is on* in this workspace.' : '*hyperalign is off* in this workspace: no learning and no drafts.' },
      accessory: { type: 'button', action_id: actionIds.adminEnabled, text: plain(policy.enabled ? 'Turn off' : 'Turn on'), value: policy.enabled ? 'off' : 'on', ...(policy.enabled ? { style: 'danger' as const } : { style: 'primary' as const }) },
    },
    {
      type: 'section',
      block_id: 'admin_channels',
      text: { type: 'mrkdwn', text: '*Channels where learning is allowed* (opted-in members only; direct messages never)' },
      accessory: {
        type: 'multi_conversations_select',
        action_id: actionIds.adminLearningChannels,
        placeholder: plain('Choose channels'),
        ...(policy.learningChannels.filter((channel) => channel !== '*').length > 0 ? { initial_conversations: policy.learningChannels.filter((channel) => channel !== '*') } : {}),
        filter: { include: ['public', 'private'], exclude_bot_users: true, exclude_external_shared_channels: true },
      },
    },
    {
      type: 'actions',
      block_id: 'admin_all_channels',
      elements: [
        { type: 'checkboxes', action_id: actionIds.adminAllChannels, options: [allChannels], ...(policy.learningChannels.includes('*') ? { initial_options: [allChannels] } : {}) },
      ],
    },
    {
      type: 'section',
      block_id: 'admin_retention',
      text: { type: 'mrkdwn', text: '*Retention*: messages are deleted this long after they were written.' },
      accessory: { type: 'static_select', action_id: actionIds.adminRetention, options: retention.map(retentionOption), initial_option: retentionOption(policy.retentionDays) },
    },
    {
      type: 'section',
      block_id: 'admin_consent_mode',
      text: { type: 'mrkdwn', text: '*Consent mode*' },
      accessory: { type: 'radio_buttons', action_id: actionIds.adminConsentMode, options: [consentOptions.member, consentOptions.admin], initial_option: consentOptions[policy.consentMode] },
    },
  ]
  if (snapshot.counts) blocks.push(countsBlock(snapshot.counts))
  blocks.push(...memberBlocks(snapshot.members, policy))
  blocks.push(auditBlock(snapshot.audit))
  return blocks
}

function countsBlock(counts: WorkspaceCounts): types.KnownBlock {
  const field = (label: string, value: string | number) => ({ type: 'mrkdwn' as const, text: `*${label}*\n${value}` })
  return {
    type: 'section',
    fields: [
      field('Opted-in members', counts.optedInMembers),
      field('Messages kept', counts.messages),
      field('Drafts', counts.drafts),
      field('Answers', counts.answers),
      field('Refusals', counts.refusals),
      field('Model tokens today', `${counts.tokensToday} of ${counts.dailyTokenBudget}`),
      field('Learning jobs', `${counts.learningRetrying} retrying, ${counts.learningDeadLetters} failed for good`),
    ],
  }
}

function memberBlocks(members: AdminMember[], policy: WorkspacePolicy): types.KnownBlock[] {
  const optedIn = members.filter((member) => member.optedIn)
  const blocks: types.KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: `*Opted-in members* (${optedIn.length})` } }]
  for (const member of optedIn.slice(0, shownMembers)) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: `<@${member.userId}> · ${member.via === 'self' ? 'opted in themselves' : `opted in via ${member.via}`} ${slackDate(member.at)} · ${member.historySize} messages` },
      accessory: {
        type: 'button',
        action_id: actionIds.adminMemberOptOut,
        text: plain('Opt out'),
        value: member.userId,
        confirm: { title: plain('Opt this member out?'), text: plain('Everything stored about them is erased.'), confirm: plain('Opt out'), deny: plain('Cancel') },
      },
    })
  }
  if (optedIn.length > shownMembers) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `…and ${optedIn.length - shownMembers} more: \`/hyperalign admin members\` lists everyone.` }] })
  }
  if (policy.consentMode === 'admin') {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: 'Opt a member in (admin consent mode). They are told privately and can opt out any time.' },
      accessory: { type: 'users_select', action_id: actionIds.adminMemberOptIn, placeholder: plain('Choose a member') },
    })
  }
  return blocks
}

function auditBlock(entries: AuditEntry[]): types.KnownBlock {
  const lines = entries.slice(0, shownAuditEntries).map((entry) => {
    const parts = [slackDate(entry.at), entry.kind]
    if (entry.memberUserId) parts.push(`<@${entry.memberUserId}>`)
    if (entry.decision) parts.push(entry.decision)
    if (entry.ruleIds && entry.ruleIds.length > 0) parts.push(entry.ruleIds.map((rule) => `\`${escapeMrkdwn(rule)}\``).join(' '))
    parts.push(escapeMrkdwn(truncate(entry.reason, 160)))
    return `• ${parts.join(' · ')}`
  })
  const text = `*Safety audit log* (latest ${lines.length})\n${lines.length > 0 ? lines.join('\n') : '_Nothing recorded yet._'}`
  return { type: 'section', text: { type: 'mrkdwn', text: truncate(text, 2900) } }
}
