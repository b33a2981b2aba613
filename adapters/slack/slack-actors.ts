// Turns a Slack user into the core's Actor: member reference plus whether Slack (users.info is_admin/is_owner) or
// SLACK_ADMIN_USER_IDS calls them an admin, and says which workspace Slack puts the user in. It only reports the
// facts; the core decides what an admin may do.
import type { webApi } from '@slack/bolt'
import type { Actor, MemberRef, WorkspaceRef } from '../../src/core/types.js'
import type { Logger } from '../../src/logger.js'

export type SlackActorResolver = {
  resolve(teamId: string, userId: string): Promise<Actor>
  /** The workspace users.info reports for the user, or undefined when Slack could not be asked. */
  workspaceOfUser(teamId: string, userId: string): Promise<string | undefined>
}

export function slackWorkspace(teamId: string): WorkspaceRef {
  return { platform: 'slack', workspaceId: teamId }
}

export function slackMember(teamId: string, userId: string): MemberRef {
  return { platform: 'slack', workspaceId: teamId, userId }
}

type UserFacts = { isAdmin: boolean; teamId?: string }
type CachedUserFacts = UserFacts & { until: number }

/**
 * A short cache keeps a burst of clicks from costing one users.info call each; it is a cache only, so a demoted
 * admin loses the flag within `cacheMs`. On any users.info failure only the configured list counts (fail closed).
 */
export function createActorResolver(options: {
  client: webApi.WebClient
  adminUserIds: string[]
  logger: Logger
  cacheMs?: number
  clock?: () => number
}): SlackActorResolver {
  const cache = new Map<string, CachedUserFacts>()
  const cacheMs = options.cacheMs ?? 60_000
  const now = options.clock ?? Date.now
  const configured = new Set(options.adminUserIds)

  async function userFacts(teamId: string, userId: string): Promise<UserFacts | undefined> {
    const key = `${teamId}:${userId}`
    const cached = cache.get(key)
    if (cached && cached.until > now()) return cached
    try {
      const result = await options.client.users.info({ user: userId })
      const user = result.user
      const facts: UserFacts = {
        isAdmin: Boolean(user && !user.deleted && !user.is_bot && (user.is_admin || user.is_owner || user.is_primary_owner)),
        ...(user?.team_id ? { teamId: user.team_id } : {}),
      }
      if (cache.size > 10_000) cache.clear()
      cache.set(key, { ...facts, until: now() + cacheMs })
      return facts
    } catch (error) {
      options.logger.warn('slack_users_info_failed', { error, teamId })
      return undefined
    }
  }

  return {
    async resolve(teamId, userId) {
      const isPlatformAdmin = configured.has(userId) || Boolean((await userFacts(teamId, userId))?.isAdmin)
      return { member: slackMember(teamId, userId), isPlatformAdmin }
    },
    async workspaceOfUser(teamId, userId) {
      return (await userFacts(teamId, userId))?.teamId
    },
  }
}
