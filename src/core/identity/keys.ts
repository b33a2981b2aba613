// Store keys, always under the workspace so two tenants can never meet: `v1:<platform>:<workspace>[:<user>]…`.
// Each id is URI-encoded, so an id containing `:` cannot reach into another member's or workspace's keys.
import type { MemberRef, WorkspaceRef } from '../types.js'

export const keyVersion = 'v1'

const part = (value: string) => encodeURIComponent(value)

export function workspaceKey(workspace: WorkspaceRef): string {
  return `${keyVersion}:${workspace.platform}:${part(workspace.workspaceId)}`
}

export function memberKey(member: MemberRef): string {
  return `${workspaceKey(member)}:${part(member.userId)}`
}

/** A key below a member, e.g. `memberChildKey(m, 'page', 3)`. Prefix-listing `memberKey(m) + ':'` finds them all. */
export function memberChildKey(member: MemberRef, ...parts: (string | number)[]): string {
  return [memberKey(member), ...parts.map((each) => part(String(each)))].join(':')
}

export function workspaceChildKey(workspace: WorkspaceRef, ...parts: (string | number)[]): string {
  return [workspaceKey(workspace), ...parts.map((each) => part(String(each)))].join(':')
}

/** The label used in usage accounting and logs: `slack:T123` / `slack:T123:U456` (not store keys). */
export function workspaceLabel(workspace: WorkspaceRef): string {
  return `${workspace.platform}:${workspace.workspaceId}`
}

export function memberLabel(member: MemberRef): string {
  return `${workspaceLabel(member)}:${member.userId}`
}

export function sameMember(a: MemberRef, b: MemberRef): boolean {
  return a.platform === b.platform && a.workspaceId === b.workspaceId && a.userId === b.userId
}

export function workspaceOf(member: MemberRef): WorkspaceRef {
  return { platform: member.platform, workspaceId: member.workspaceId }
}
