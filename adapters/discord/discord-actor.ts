// Translates Discord identities into core refs: a server is a workspace, a member is `discord:<guild>:<user>`, and
// Manage Server (as Discord computed it for this interaction) is the platform-admin flag. The core decides what it allows.
import { ChannelType, PermissionFlagsBits, type Channel, type Interaction, type RepliableInteraction } from 'discord.js'
import { BotError } from '../../src/bot-error.js'
import type { Actor, ChannelKind, MemberRef, WorkspaceRef } from '../../src/core/types.js'

export function workspaceOf(guildId: string): WorkspaceRef {
  return { platform: 'discord', workspaceId: guildId }
}

export function memberOf(guildId: string, userId: string): MemberRef {
  return { platform: 'discord', workspaceId: guildId, userId }
}

/**
 * The actor of a server interaction. `memberPermissions` comes from the interaction payload, which Discord computes
 * for the invoking member in that channel; a client cannot set it, so a member without Manage Server is never an admin
 * here, whatever the command's default permissions or a crafted custom id say.
 */
export function actorFromInteraction(interaction: Interaction): Actor | undefined {
  if (!interaction.guildId) return undefined
  return {
    member: memberOf(interaction.guildId, interaction.user.id),
    isPlatformAdmin: interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild) ?? false,
  }
}

/** The actor of an interaction that only makes sense inside a server (drafts, member and admin commands). */
export function requireActor(interaction: RepliableInteraction): Actor {
  const actor = actorFromInteraction(interaction)
  if (!actor) throw new BotError('input_invalid', 'draft outside a server', { userMessage: 'Drafting works inside a server, where your writing was learned.' })
  return actor
}

export function actorFor(member: MemberRef, isPlatformAdmin = false): Actor {
  return { member, isPlatformAdmin }
}

/**
 * Public when @everyone can view the channel; a private thread, or a thread of a private channel, is private.
 * Unknown channels count as private, the safer reading for a check about carrying text elsewhere.
 */
export function channelKindOf(channel: Channel | null | undefined): ChannelKind {
  if (!channel) return 'private'
  if (channel.isDMBased()) return 'direct'
  if (channel.isThread()) {
    if (channel.type === ChannelType.PrivateThread) return 'private'
    return channelKindOf(channel.parent)
  }
  const everyone = channel.guild.roles.everyone
  return channel.permissionsFor(everyone)?.has(PermissionFlagsBits.ViewChannel) ? 'public' : 'private'
}

/** The channel whose learning setting applies: a thread learns under its parent channel. */
export function learningChannelIdOf(channel: Channel): { channelId: string; threadId?: string } {
  if (channel.isThread() && channel.parentId) return { channelId: channel.parentId, threadId: channel.id }
  return { channelId: channel.id }
}
