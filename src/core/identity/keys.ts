// Store keys, always under the workspace so two tenants can never meet: `v1:<platform>:<workspace>[:<user>]…`, and
// the parser that reads a member back from one. Each id is URI-encoded, so an id containing `:` cannot reach into
// another member's or workspace's keys.
import { platformSchema, type MemberRef, type WorkspaceRef } from './member-ref.js'

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

/**
 * The member a `memberKey` names, or undefined for anything else (another version, an unknown platform, a child
 * key, an id that does not decode): a key that is not exactly a member's is never taken for one.
 */
export function parseMemberKey(key: string): MemberRef | undefined {
  const parts = key.split(':')
  if (parts.length !== 4 || parts[0] !== keyVersion) return undefined
  const platform = platformSchema.safeParse(parts[1])
  if (!platform.success) return undefined
  try {
    const member = { platform: platform.data, workspaceId: decodeURIComponent(parts[2]!), userId: decodeURIComponent(parts[3]!) }
    return member.workspaceId && member.userId ? member : undefined
  } catch {
    return undefined
  }
}
