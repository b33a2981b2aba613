// Publishes the App Home tab when a member opens it or after they change something there: their own profile for
// everyone, the admin section only when the core returns admin data for this actor.
import type { App } from '@slack/bolt'
import { isBotError } from '../../src/bot-error.js'
import type { Actor, BotCore } from '../../src/core/types.js'
import { actionIds } from './action-ids.js'
import type { AdminSnapshot } from './blocks/admin-home-blocks.js'
import { renderHome } from './blocks/home-blocks.js'
import { readWorkspacePolicy } from './read-workspace-policy.js'
import { slackWorkspace } from './slack-actors.js'
import type { HomePublisher, SlackHandlerDeps } from './slack-handler-deps.js'

export function createHomePublisher(deps: Pick<SlackHandlerDeps, 'core' | 'actors' | 'client' | 'logger' | 'userPosting'>): HomePublisher {
  return {
    async publish(teamId, userId, extras = {}) {
      const actor = await deps.actors.resolve(teamId, userId)
      const [profile, policy] = await Promise.all([deps.core.profile(actor, actor.member), readWorkspacePolicy(deps.core, actor)])
      // The core answers get_policy only for those it treats as admins, so it alone decides who sees admin controls.
      const admin = policy ? await adminSnapshot(deps.core, actor, teamId) : undefined
      // Offered only to opted-in members: the core keeps a granted token only for them.
      const posting = deps.userPosting && profile.optedIn ? { connectUrl: profile.credential ? undefined : deps.userPosting.authorizeUrl(teamId, userId) } : undefined
      await deps.client.views.publish({ user_id: userId, view: renderHome({ profile, policy, admin, posting, ...extras }) })
    },
  }
}

/** Undefined when the core does not treat this actor as an admin: then no admin control is rendered. */
async function adminSnapshot(core: BotCore, actor: Actor, teamId: string): Promise<AdminSnapshot | undefined> {
  const workspace = slackWorkspace(teamId)
  try {
    const [policy, counts, members, audit] = await Promise.all([
      core.admin(actor, workspace, { action: 'get_policy' }),
      core.admin(actor, workspace, { action: 'counts' }),
      core.admin(actor, workspace, { action: 'list_members' }),
      core.admin(actor, workspace, { action: 'audit_log', limit: 10 }),
    ])
    if (policy.action !== 'policy') return undefined
    return {
      policy: policy.policy,
      counts: counts.action === 'counts' ? counts.counts : undefined,
      members: members.action === 'members' ? members.members : [],
      audit: audit.action === 'audit_log' ? audit.entries : [],
    }
  } catch (error) {
    if (isBotError(error, 'not_permitted')) return undefined
    throw error
  }
}

export function registerAppHome(app: App, deps: SlackHandlerDeps): void {
  // A link button still sends a click to the app; Slack expects it acknowledged.
  app.action(actionIds.postingConnect, async ({ ack }) => {
    await ack()
  })
  app.event('app_home_opened', async ({ event, body }) => {
    if (event.tab !== 'home') return
    const teamId = (body as { team_id?: string }).team_id
    if (!teamId) return
    try {
      await deps.home.publish(teamId, event.user)
    } catch (error) {
      deps.logger.warn('slack_home_publish_failed', { error })
    }
  })
}
