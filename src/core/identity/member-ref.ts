// Who and where, declared once: the platforms, a workspace, a member and the kinds of channel, as zod schemas (for
// stored values and payloads) with the types taken from them. Plain data; nothing here reads the store.
import { z } from 'zod'

export const platformSchema = z.enum(['slack', 'discord', 'console'])
export type Platform = z.output<typeof platformSchema>

export const workspaceRefSchema = z.object({ platform: platformSchema, workspaceId: z.string() })
export type WorkspaceRef = z.output<typeof workspaceRefSchema>

export const memberRefSchema = workspaceRefSchema.extend({ userId: z.string() })
export type MemberRef = z.output<typeof memberRefSchema>

export const channelKindSchema = z.enum(['public', 'private', 'direct'])
export type ChannelKind = z.output<typeof channelKindSchema>

export function sameMember(a: MemberRef, b: MemberRef): boolean {
  return a.platform === b.platform && a.workspaceId === b.workspaceId && a.userId === b.userId
}

export function workspaceOf(member: MemberRef): WorkspaceRef {
  return { platform: member.platform, workspaceId: member.workspaceId }
}
