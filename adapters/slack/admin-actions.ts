// Admin controls in App Home: each click becomes one typed core.admin call with the actor's Slack facts. The core
// refuses non-admins, so a forged payload from a member changes nothing; the member sees why on their Home tab.
import type { App, BlockAction, BlockElementAction } from '@slack/bolt'
import { z } from 'zod'
import { actionIds } from './action-ids.js'
import { adminResultText, runAdminAction, type AdminAction } from './admin-command.js'
import { errorText } from './blocks/error-blocks.js'
import { notifyMember } from './member-notice.js'
import { slackMember, slackWorkspace } from './slack-actors.js'
import type { SlackHandlerDeps } from './slack-handler-deps.js'
import { revokeBeforeErase } from './user-posting.js'

/** Fields a forged or unexpected payload may or may not carry; read defensively. */
const loose = z.object({
  value: z.string().optional(),
  selected_option: z.object({ value: z.string() }).nullish(),
  selected_options: z.array(z.object({ value: z.string() })).optional(),
  selected_conversations: z.array(z.string()).optional(),
  selected_user: z.string().nullish(),
})
const slackId = /^[A-Z0-9]{2,40}$/

type Translate = (action: z.infer<typeof loose>) => AdminAction | undefined

const translations: Record<string, Translate> = {
  [actionIds.adminEnabled]: (action) => (action.value === 'on' || action.value === 'off' ? { action: 'set_enabled', enabled: action.value === 'on' } : undefined),
  [actionIds.adminLearningChannels]: (action) =>
    action.selected_conversations && action.selected_conversations.every((id) => slackId.test(id))
      ? { action: 'set_learning_channels', channelIds: action.selected_conversations }
      : undefined,
  [actionIds.adminAllChannels]: (action) =>
    action.selected_options ? { action: 'set_learning_channels', channelIds: action.selected_options.some((option) => option.value === 'all') ? ['*'] : [] } : undefined,
  [actionIds.adminRetention]: (action) => {
    const days = Number(action.selected_option?.value ?? action.value)
    return Number.isInteger(days) ? { action: 'set_retention_days', days } : undefined
  },
  [actionIds.adminConsentMode]: (action) => {
    const mode = action.selected_option?.value ?? action.value
    return mode === 'member' || mode === 'admin' ? { action: 'set_consent_mode', mode } : undefined
  },
  [actionIds.adminMemberOptOut]: (action) => (action.value && slackId.test(action.value) ? { action: 'set_member_consent', userId: action.value, optedIn: false } : undefined),
  [actionIds.adminMemberOptIn]: (action) => (action.selected_user && slackId.test(action.selected_user) ? { action: 'set_member_consent', userId: action.selected_user, optedIn: true } : undefined),
}

export function registerAdminActions(app: App, deps: SlackHandlerDeps): void {
  for (const [actionId, translate] of Object.entries(translations)) {
    app.action<BlockAction>(actionId, async ({ ack, body, action }) => {
      await ack()
      const teamId = body.team?.id ?? body.user.team_id
      if (!teamId) return
      const notice = await applyAdminControl(deps, teamId, body.user.id, action, translate)
      await deps.home.publish(teamId, body.user.id, { notice }).catch((error: unknown) => deps.logger.warn('slack_home_publish_failed', { error }))
    })
  }
}

async function applyAdminControl(deps: SlackHandlerDeps, teamId: string, userId: string, element: BlockElementAction, translate: Translate): Promise<{ text: string; tone: 'ok' | 'error' }> {
  const parsed = loose.safeParse(element)
  const adminAction = parsed.success ? translate(parsed.data) : undefined
  if (!adminAction) return { text: 'That control sent a value I do not understand; nothing was changed.', tone: 'error' }
  try {
    const actor = await deps.actors.resolve(teamId, userId)
    if (adminAction.action === 'set_member_consent' && !adminAction.optedIn) await revokeBeforeErase(deps, actor, slackMember(teamId, adminAction.userId))
    const result = await runAdminAction(deps.core.admin, actor, slackWorkspace(teamId), adminAction)
    if (result.action === 'member_consent' && result.outcome.notifyMember && adminAction.action === 'set_member_consent') {
      await notifyMember(deps.client, deps.logger, adminAction.userId, result.outcome.notifyMember)
    }
    return { text: result.action === 'policy' ? 'Saved.' : adminResultText(result), tone: 'ok' }
  } catch (error) {
    deps.logger.warn('slack_admin_action_refused', { code: (error as { code?: string }).code, actionId: element.action_id })
    return { text: errorText(error), tone: 'error' }
  }
}
