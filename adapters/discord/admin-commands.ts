// /hyperalign-admin: policy (on/off, learning channels, retention, consent mode), member opt-in toggles, members,
// counts and the safety audit log. Every action goes through core.admin, which refuses non-admins whatever was sent.
import { DiscordAPIError, MessageFlags, type ChatInputCommandInteraction } from 'discord.js'
import { BotError } from '../../src/bot-error.js'
import type { Actor, ConsentMode, WorkspacePolicy, WorkspaceRef } from '../../src/core/types.js'
import type { DiscordContext } from './discord-context.js'
import { requireActor, workspaceOf } from './discord-actor.js'
import { renderAuditLog, renderMembers, renderStatus } from './render-admin.js'

export async function handleAdminCommand(context: DiscordContext, interaction: ChatInputCommandInteraction): Promise<void> {
  await interaction.deferReply({ flags: MessageFlags.Ephemeral })
  const actor = requireActor(interaction)
  const workspace = workspaceOf(interaction.guildId!)
  const admin = context.core.admin
  const group = interaction.options.getSubcommandGroup(false)
  const command = interaction.options.getSubcommand()
  const statusReply = async (policy: WorkspacePolicy, note?: string) => renderStatus(policy, await admin.counts(actor, workspace), note)

  if (group === 'learning') {
    const current = (await admin.policy(actor, workspace)).learningChannels
    const channelId = command === 'allow' || command === 'deny' ? interaction.options.getChannel('channel', true).id : ''
    const next =
      command === 'all-public' ? ['*'] : command === 'none' ? [] : command === 'allow' ? [...new Set([...current, channelId])] : current.filter((id) => id !== channelId)
    const policy = await admin.setLearningChannels(actor, workspace, next)
    const note = command === 'deny' && current.includes('*') ? 'Learning is on in every public channel, so this channel still counts. To exclude it, use `learning none`, then allow channels one by one.' : undefined
    await interaction.editReply(await statusReply(policy, note))
    return
  }
  switch (command) {
    case 'status':
      await interaction.editReply(await statusReply(await admin.policy(actor, workspace)))
      return
    case 'enable':
      await interaction.editReply(await statusReply(await admin.setEnabled(actor, workspace, interaction.options.getBoolean('enabled', true))))
      return
    case 'retention':
      await interaction.editReply(await statusReply(await admin.setRetentionDays(actor, workspace, interaction.options.getInteger('days', true))))
      return
    case 'consent-mode':
      await interaction.editReply(await statusReply(await admin.setConsentMode(actor, workspace, interaction.options.getString('mode', true) as ConsentMode)))
      return
    case 'member':
      await setMemberConsent(context, interaction, actor, workspace)
      return
    case 'members':
      await interaction.editReply(renderMembers(await admin.members(actor, workspace)))
      return
    case 'audit':
      await interaction.editReply(renderAuditLog(await admin.auditLog(actor, workspace, interaction.options.getInteger('limit') ?? 10)))
      return
    default:
      throw new BotError('input_invalid', 'unknown admin subcommand', { userMessage: 'I do not know that command.' })
  }
}

async function setMemberConsent(context: DiscordContext, interaction: ChatInputCommandInteraction, actor: Actor, workspace: WorkspaceRef) {
  const user = interaction.options.getUser('user', true)
  const optedIn = interaction.options.getBoolean('opted-in', true)
  const outcome = await context.core.admin.setMemberConsent(actor, workspace, user.id, optedIn)
  const lines = [`<@${user.id}> is now ${outcome.record.optedIn ? 'opted in' : 'opted out'}.`]
  if (outcome.erased) lines.push(`Erased ${outcome.erased.messages} messages and ${outcome.erased.hypotheses} hypotheses.`)
  if (outcome.notifyMember) {
    // The member must hear privately that an admin opted them in; say so when Discord will not deliver it.
    try {
      await user.send({ content: outcome.notifyMember, allowedMentions: { parse: [] } })
      lines.push('They were told by DM.')
    } catch (error) {
      context.logger.warn('discord_consent_notice_failed', { error })
      const closed = error instanceof DiscordAPIError && error.code === 50007
      lines.push(closed ? 'I could not DM them (their DMs are closed); please tell them yourself.' : 'I could not DM them; please tell them yourself.')
    }
  }
  await interaction.editReply({ content: lines.join('\n'), allowedMentions: { parse: [] } })
}
