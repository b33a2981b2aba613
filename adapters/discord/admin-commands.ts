// /hyperalign-admin: policy (on/off, learning channels, retention, consent mode), member opt-in toggles, members,
// counts and the safety audit log. Every action goes through core.admin, which refuses non-admins whatever was sent.
import { DiscordAPIError, MessageFlags, type ChatInputCommandInteraction } from 'discord.js'
import { BotError } from '../../src/bot-error.js'
import type { AdminAction, AdminResult, ConsentMode, WorkspaceRef } from '../../src/core/types.js'
import type { DiscordContext } from './discord-context.js'
import { requireActor, workspaceOf } from './discord-actor.js'
import { renderAuditLog, renderMembers, renderStatus } from './render-admin.js'

export async function handleAdminCommand(context: DiscordContext, interaction: ChatInputCommandInteraction): Promise<void> {
  await interaction.deferReply({ flags: MessageFlags.Ephemeral })
  const actor = requireActor(interaction)
  const workspace = workspaceOf(interaction.guildId!)
  const run = (action: AdminAction) => context.core.admin(actor, workspace, action)
  const group = interaction.options.getSubcommandGroup(false)
  const command = interaction.options.getSubcommand()

  if (group === 'learning') {
    const current = policyOf(await run({ action: 'get_policy' })).learningChannels
    const channelId = command === 'allow' || command === 'deny' ? interaction.options.getChannel('channel', true).id : ''
    const next =
      command === 'all-public' ? ['*'] : command === 'none' ? [] : command === 'allow' ? [...new Set([...current, channelId])] : current.filter((id) => id !== channelId)
    const result = await run({ action: 'set_learning_channels', channelIds: next })
    const note = command === 'deny' && current.includes('*') ? 'Learning is on in every public channel, so this channel still counts. To exclude it, use `learning none`, then allow channels one by one.' : undefined
    await interaction.editReply(await statusReply(run, result, note))
    return
  }
  switch (command) {
    case 'status':
      await interaction.editReply(await statusReply(run, await run({ action: 'get_policy' })))
      return
    case 'enable':
      await interaction.editReply(await statusReply(run, await run({ action: 'set_enabled', enabled: interaction.options.getBoolean('enabled', true) })))
      return
    case 'retention':
      await interaction.editReply(await statusReply(run, await run({ action: 'set_retention_days', days: interaction.options.getInteger('days', true) })))
      return
    case 'consent-mode':
      await interaction.editReply(await statusReply(run, await run({ action: 'set_consent_mode', mode: interaction.options.getString('mode', true) as ConsentMode })))
      return
    case 'member':
      await setMemberConsent(context, interaction, workspace, run)
      return
    case 'members': {
      const result = await run({ action: 'list_members' })
      if (result.action !== 'members') throw unexpected(result)
      await interaction.editReply(renderMembers(result.members))
      return
    }
    case 'audit': {
      const result = await run({ action: 'audit_log', limit: interaction.options.getInteger('limit') ?? 10 })
      if (result.action !== 'audit_log') throw unexpected(result)
      await interaction.editReply(renderAuditLog(result.entries))
      return
    }
    default:
      throw new BotError('input_invalid', 'unknown admin subcommand', { userMessage: 'I do not know that command.' })
  }
}

async function statusReply(run: (action: AdminAction) => Promise<AdminResult>, policyResult: AdminResult, note?: string) {
  const counts = await run({ action: 'counts' })
  if (counts.action !== 'counts') throw unexpected(counts)
  return renderStatus(policyOf(policyResult), counts.counts, note)
}

async function setMemberConsent(context: DiscordContext, interaction: ChatInputCommandInteraction, _workspace: WorkspaceRef, run: (action: AdminAction) => Promise<AdminResult>) {
  const user = interaction.options.getUser('user', true)
  const optedIn = interaction.options.getBoolean('opted-in', true)
  const result = await run({ action: 'set_member_consent', userId: user.id, optedIn })
  if (result.action !== 'member_consent') throw unexpected(result)
  const lines = [`<@${user.id}> is now ${result.outcome.record.optedIn ? 'opted in' : 'opted out'}.`]
  if (result.outcome.erased) lines.push(`Erased ${result.outcome.erased.messages} messages and ${result.outcome.erased.hypotheses} hypotheses.`)
  if (result.outcome.notifyMember) {
    // The member must hear privately that an admin opted them in; say so when Discord will not deliver it.
    try {
      await user.send({ content: result.outcome.notifyMember, allowedMentions: { parse: [] } })
      lines.push('They were told by DM.')
    } catch (error) {
      context.logger.warn('discord_consent_notice_failed', { error })
      const closed = error instanceof DiscordAPIError && error.code === 50007
      lines.push(closed ? 'I could not DM them (their DMs are closed); please tell them yourself.' : 'I could not DM them; please tell them yourself.')
    }
  }
  await interaction.editReply({ content: lines.join('\n'), allowedMentions: { parse: [] } })
}

function policyOf(result: AdminResult) {
  if (result.action !== 'policy') throw unexpected(result)
  return result.policy
}

function unexpected(result: AdminResult): BotError {
  return new BotError('platform_failed', `unexpected admin result ${result.action}`)
}
