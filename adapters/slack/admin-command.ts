// Parses `/hyperalign admin …` and the App Home admin controls into admin actions, runs each as the core's typed admin
// call and renders the result. It does not check who is asking: the core refuses non-admins.
import type { AdminCore } from '../../src/core/bot-core.js'
import type { Actor, AuditEntry, ConsentMode, ConsentOutcome, MemberSummary, WorkspaceCounts, WorkspacePolicy, WorkspaceRef } from '../../src/core/types.js'
import { slackDate } from './blocks/profile-blocks.js'
import { escapeMrkdwn, truncate } from './mrkdwn.js'
import type { SlackReply } from './blocks/error-blocks.js'

/** One admin request as Slack text or a Home control says it. */
export type AdminAction =
  | { action: 'get_policy' }
  | { action: 'set_enabled'; enabled: boolean }
  | { action: 'set_learning_channels'; channelIds: string[] }
  | { action: 'set_retention_days'; days: number }
  | { action: 'set_consent_mode'; mode: ConsentMode }
  | { action: 'set_member_consent'; userId: string; optedIn: boolean }
  | { action: 'list_members' }
  | { action: 'counts' }
  | { action: 'audit_log'; limit?: number }

/** What one action answered, for rendering. */
export type AdminResult =
  | { action: 'policy'; policy: WorkspacePolicy }
  | { action: 'member_consent'; outcome: ConsentOutcome }
  | { action: 'members'; members: MemberSummary[] }
  | { action: 'counts'; counts: WorkspaceCounts }
  | { action: 'audit_log'; entries: AuditEntry[] }

export type ParsedAdminCommand = { actions: AdminAction[] } | { error: string }

/** The core's typed admin call for a parsed action. */
export async function runAdminAction(admin: AdminCore, actor: Actor, workspace: WorkspaceRef, action: AdminAction): Promise<AdminResult> {
  switch (action.action) {
    case 'get_policy':
      return { action: 'policy', policy: await admin.policy(actor, workspace) }
    case 'set_enabled':
      return { action: 'policy', policy: await admin.setEnabled(actor, workspace, action.enabled) }
    case 'set_learning_channels':
      return { action: 'policy', policy: await admin.setLearningChannels(actor, workspace, action.channelIds) }
    case 'set_retention_days':
      return { action: 'policy', policy: await admin.setRetentionDays(actor, workspace, action.days) }
    case 'set_consent_mode':
      return { action: 'policy', policy: await admin.setConsentMode(actor, workspace, action.mode) }
    case 'set_member_consent':
      return { action: 'member_consent', outcome: await admin.setMemberConsent(actor, workspace, action.userId, action.optedIn) }
    case 'list_members':
      return { action: 'members', members: await admin.members(actor, workspace) }
    case 'counts':
      return { action: 'counts', counts: await admin.counts(actor, workspace) }
    case 'audit_log':
      return { action: 'audit_log', entries: await admin.auditLog(actor, workspace, action.limit) }
  }
}

const channelPattern = /^<#([CG][A-Z0-9]+)(?:\|[^>]*)?>$|^([CG][A-Z0-9]{2,})$/
const userPattern = /^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$|^([UW][A-Z0-9]{2,})$/

const usage = 'Admin commands: `status`, `on`, `off`, `channels #a #b | all | none`, `retention <days>`, `consent member|admin`, `optin @member`, `optout @member`, `members`, `audit`.'

export function parseAdminCommand(words: string[]): ParsedAdminCommand {
  const [sub = 'status', ...rest] = words
  switch (sub.toLowerCase()) {
    case 'status':
      return { actions: [{ action: 'get_policy' }, { action: 'counts' }] }
    case 'on':
    case 'enable':
      return { actions: [{ action: 'set_enabled', enabled: true }] }
    case 'off':
    case 'disable':
      return { actions: [{ action: 'set_enabled', enabled: false }] }
    case 'channels': {
      if (rest.length === 1 && rest[0]?.toLowerCase() === 'all') return { actions: [{ action: 'set_learning_channels', channelIds: ['*'] }] }
      if (rest.length === 1 && rest[0]?.toLowerCase() === 'none') return { actions: [{ action: 'set_learning_channels', channelIds: [] }] }
      const ids = rest.map((word) => channelPattern.exec(word)).map((match) => match?.[1] ?? match?.[2])
      if (rest.length === 0 || ids.some((id) => !id)) return { error: 'Name channels like `/hyperalign admin channels #general #dev`, or use `all` or `none`.' }
      return { actions: [{ action: 'set_learning_channels', channelIds: ids as string[] }] }
    }
    case 'retention': {
      const days = Number(rest[0])
      if (!Number.isInteger(days) || days < 1 || days > 3650) return { error: 'Give retention as whole days between 1 and 3650, e.g. `/hyperalign admin retention 90`.' }
      return { actions: [{ action: 'set_retention_days', days }] }
    }
    case 'consent': {
      const mode = rest[0]?.toLowerCase()
      if (mode !== 'member' && mode !== 'admin') return { error: 'Consent mode is `member` (each member opts in) or `admin` (admins opt members in).' }
      return { actions: [{ action: 'set_consent_mode', mode }] }
    }
    case 'optin':
    case 'optout': {
      const match = userPattern.exec(rest[0] ?? '')
      const userId = match?.[1] ?? match?.[2]
      if (!userId || rest.length !== 1) return { error: `Name one member, e.g. \`/hyperalign admin ${sub.toLowerCase()} @someone\`.` }
      return { actions: [{ action: 'set_member_consent', userId, optedIn: sub.toLowerCase() === 'optin' }] }
    }
    case 'members':
      return { actions: [{ action: 'list_members' }] }
    case 'audit':
      return { actions: [{ action: 'audit_log', limit: 20 }] }
    default:
      return { error: usage }
  }
}

export function adminResultText(result: AdminResult): string {
  switch (result.action) {
    case 'policy': {
      const policy = result.policy
      const channels = policy.learningChannels.includes('*') ? 'every public channel the app is in' : policy.learningChannels.length === 0 ? 'none' : policy.learningChannels.map((id) => `<#${id}>`).join(', ')
      return [
        `*hyperalign is ${policy.enabled ? 'on' : 'off'}* in this workspace.`,
        `Learning channels: ${channels}`,
        `Retention: ${policy.retentionDays} days · consent mode: ${policy.consentMode === 'member' ? 'each member opts in' : 'admins opt members in'}`,
      ].join('\n')
    }
    case 'counts': {
      const counts = result.counts
      return `Opted-in members: ${counts.optedInMembers} · messages kept: ${counts.messages} · drafts: ${counts.drafts} · answers: ${counts.answers} · refusals: ${counts.refusals} · model tokens today: ${counts.tokensToday} of ${counts.dailyTokenBudget} · learning retrying: ${counts.learningRetrying}, failed for good: ${counts.learningDeadLetters}`
    }
    case 'members': {
      const optedIn = result.members.filter((member) => member.optedIn)
      if (optedIn.length === 0) return 'No member has opted in yet.'
      return [`*Opted-in members* (${optedIn.length})`, ...optedIn.slice(0, 100).map((member) => `• <@${member.userId}> · via ${member.via} ${slackDate(member.at)} · ${member.historySize} messages`)].join('\n')
    }
    case 'audit_log': {
      if (result.entries.length === 0) return 'The safety audit log is empty.'
      return [
        '*Safety audit log*',
        ...result.entries.map((entry) =>
          [`• ${slackDate(entry.at)} ${entry.kind}`, entry.memberUserId ? `<@${entry.memberUserId}>` : '', entry.decision ?? '', (entry.ruleIds ?? []).map((rule) => `\`${escapeMrkdwn(rule)}\``).join(' '), escapeMrkdwn(truncate(entry.reason, 160))]
            .filter(Boolean)
            .join(' · '),
        ),
      ].join('\n')
    }
    case 'member_consent': {
      const record = result.outcome.record
      const erased = result.outcome.erased
      return record.optedIn
        ? 'Opted the member in. They have been told privately and can opt out any time.'
        : `Opted the member out${erased ? ` and erased ${erased.messages} messages, ${erased.hypotheses} hypotheses and ${erased.drafts} drafts` : ''}.`
    }
  }
}

export function adminReply(results: AdminResult[]): SlackReply {
  const text = results.map(adminResultText).join('\n\n')
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: truncate(text, 2900) } }] }
}
