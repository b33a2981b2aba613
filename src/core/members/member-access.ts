// Who may act on a member's data: the member themselves, or an admin of that member's own workspace. The platform
// says who is an admin there; its flag never reaches into another workspace, so tenants never meet.
import { BotError } from '../../bot-error.js'
import { sameMember } from '../identity/member-ref.js'
import type { PolicyService } from '../records/policy-service.js'
import type { Actor, MemberRef, Permissions, WorkspacePolicy, WorkspaceRef } from '../types.js'

/** Only the member themselves sees or changes what was learned about them. */
export function requireSelf(actor: Actor, member: MemberRef): void {
  if (!sameMember(actor.member, member)) throw new BotError('not_permitted', 'Only the member themselves can see or change what was learned about them.')
}

export type MemberAccess = ReturnType<typeof createMemberAccess>

export function createMemberAccess(policies: PolicyService) {
  /** An admin of this very workspace (by the platform's flag or the workspace's own list). */
  const administers = async (actor: Actor, workspace: WorkspaceRef, policy?: WorkspacePolicy): Promise<boolean> => {
    if (actor.member.platform !== workspace.platform || actor.member.workspaceId !== workspace.workspaceId) return false
    return policies.isAdmin(actor, policy ?? (await policies.get(workspace)))
  }
  return {
    administers,
    async permissions(actor: Actor, workspace: WorkspaceRef): Promise<Permissions> {
      return { administer: await administers(actor, workspace) }
    },
    /** The member themselves, or an admin of their workspace; `what` finishes "Only the member or a workspace admin can …". */
    async requireSelfOrAdmin(actor: Actor, member: MemberRef, what: string): Promise<void> {
      if (sameMember(actor.member, member) || (await administers(actor, member))) return
      throw new BotError('not_permitted', `Only the member or a workspace admin can ${what}.`)
    },
  }
}
