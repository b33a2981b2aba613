// Renders admin views: policy and counts, the opted-in members, the safety audit log (rule ids and reasons, never
// member text). Shown ephemerally to the admin who asked. Renders only.
import { EmbedBuilder } from 'discord.js'
import type { AuditEntry, MemberSummary, WorkspaceCounts, WorkspacePolicy } from '../../src/core/types.js'
import { colours, discordTime, truncate } from './render-reply.js'

export function renderStatus(policy: WorkspacePolicy, counts: WorkspaceCounts, note?: string) {
  const channels = policy.learningChannels.length === 0 ? 'none' : policy.learningChannels.map((id) => (id === '*' ? 'every public channel' : `<#${id}>`)).join(', ')
  const embed = new EmbedBuilder()
    .setColor(policy.enabled ? colours.success : colours.warning)
    .setTitle(`hyperalign is ${policy.enabled ? 'on' : 'off'} in this server`)
    .addFields(
      { name: 'Learning channels', value: truncate(channels, 1024) },
      { name: 'Retention', value: `${policy.retentionDays} days`, inline: true },
      { name: 'Consent mode', value: policy.consentMode === 'admin' ? 'admin (admins opt members in; they are told)' : 'member (each member opts in)', inline: true },
      { name: 'Opted-in members', value: String(counts.optedInMembers), inline: true },
      { name: 'Messages kept', value: String(counts.messages), inline: true },
      { name: 'Drafts', value: String(counts.drafts), inline: true },
      { name: 'Answers', value: String(counts.answers), inline: true },
      { name: 'Refusals', value: String(counts.refusals), inline: true },
      { name: 'Model tokens today', value: `${counts.tokensToday} of ${counts.dailyTokenBudget}`, inline: true },
      { name: 'Waiting for the store', value: String(counts.messagesWaitingForStore), inline: true },
      { name: 'Lost while the store was down', value: String(counts.messagesDroppedWhileStoreDown), inline: true },
      { name: 'Learning jobs', value: `${counts.learningRetrying} retrying, ${counts.learningDeadLetters} failed for good`, inline: true },
    )
  if (policy.updatedAt > 0) embed.setFooter({ text: `Last changed ${new Date(policy.updatedAt).toISOString()}` })
  if (note) embed.setDescription(note)
  return { content: '', embeds: [embed], allowedMentions: { parse: [] } }
}

export function renderMembers(members: MemberSummary[]) {
  const optedIn = members.filter((member) => member.optedIn)
  const lines = optedIn.map((member) => `<@${member.userId}>: since ${discordTime(member.at, 'D')}${member.via === 'admin' ? ' (by an admin)' : member.via === 'import' ? ' (import)' : ''}, ${member.historySize} messages`)
  const embed = new EmbedBuilder()
    .setColor(colours.neutral)
    .setTitle(`${optedIn.length} opted-in members`)
    .setDescription(truncate(lines.join('\n') || 'Nobody has opted in yet.', 4000))
    .setFooter({ text: 'Opt a member out with /hyperalign-admin member. Their hypotheses and messages are theirs to see, not shown here.' })
  return { content: '', embeds: [embed], allowedMentions: { parse: [] } }
}

export function renderAuditLog(entries: AuditEntry[]) {
  const lines = entries.map((entry) => {
    const who = entry.memberUserId ? ` <@${entry.memberUserId}>` : ''
    const rules = entry.ruleIds && entry.ruleIds.length > 0 ? ` [${entry.ruleIds.join(', ')}]` : ''
    const decision = entry.decision ? ` ${entry.decision}` : ''
    return `${discordTime(entry.at, 'f')} **${entry.kind}**${decision}${rules}${who}: ${truncate(entry.reason, 200)}`
  })
  const embed = new EmbedBuilder()
    .setColor(colours.neutral)
    .setTitle('Safety audit log')
    .setDescription(truncate(lines.join('\n') || 'No entries.', 4000))
  return { content: '', embeds: [embed], allowedMentions: { parse: [] } }
}
