// Reads the workspace policy (learning channels, retention) for screens every member sees. Kept behind one small
// function because the core may restrict get_policy to admins; then members see the generic statement instead.
import { isBotError } from '../../src/bot-error.js'
import type { Actor, BotCore, WorkspacePolicy } from '../../src/core/types.js'

export async function readWorkspacePolicy(core: BotCore, actor: Actor): Promise<WorkspacePolicy | undefined> {
  try {
    const result = await core.admin(actor, { platform: actor.member.platform, workspaceId: actor.member.workspaceId }, { action: 'get_policy' })
    return result.action === 'policy' ? result.policy : undefined
  } catch (error) {
    if (isBotError(error, 'not_permitted')) return undefined
    throw error
  }
}
