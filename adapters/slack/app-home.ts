// Publishes the App Home tab when a member opens it or after they change something there: their own profile for
// everyone, the admin section only when the core says this actor may administer the workspace.
import type { App } from '@slack/bolt'
import type { Actor, WorkspacePolicy } from '../../src/core/types.js'
import type { BotCore } from '../../src/core/bot-core.js'
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
      // The policy is read only for those the core says may administer, so it alone decides who sees admin controls.
      const admin = policy ? await adminSnapshot(deps.core, actor, teamId, policy) : undefined
      // Offered only to opted-in members: the core keeps a granted token only for them.
      const posting = deps.userPosting && profile.optedIn ? { connectUrl: profile.credential ? undefined : deps.userPosting.authorizeUrl(teamId, userId) } : undefined
      await deps.client.views.publish({ user_id: userId, view: renderHome({ profile, policy, admin, posting, ...extras }) })
    },
  }
}

/** What the admin section shows, for an actor the core already said may administer. */
async function adminSnapshot(core: BotCore, actor: Actor, teamId: string, policy: WorkspacePolicy): Promise<AdminSnapshot> {
  const workspace = slackWorkspace(teamId)
  const [counts, members, audit] = await Promise.all([core.admin.counts(actor, workspace), core.admin.members(actor, workspace), core.admin.auditLog(actor, workspace, 10)])
  return { policy, counts, members, audit }
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
