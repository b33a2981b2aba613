// Reads the workspace policy (learning channels, retention) for the screens that show it: only to those the core says
// may administer the workspace; members see the generic statement instead.
import type { BotCore } from '../../src/core/bot-core.js'
import type { Actor, WorkspacePolicy } from '../../src/core/types.js'
import { slackWorkspace } from './slack-actors.js'

export async function readWorkspacePolicy(core: BotCore, actor: Actor): Promise<WorkspacePolicy | undefined> {
  const workspace = slackWorkspace(actor.member.workspaceId)
  const { administer } = await core.permissions(actor, workspace)
  return administer ? core.admin.policy(actor, workspace) : undefined
}
