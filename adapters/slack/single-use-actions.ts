// Bolt middleware: a state-changing click, modal submission or command (consent, admin, post, discard, forget,
// connection changes) is handled once. Its fingerprint is claimed in the store through the core, so a captured
// request replayed within Slack's signature window, to this process or another, is acknowledged and does nothing.
import { createHash } from 'node:crypto'
import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt'
import type { BotCore } from '../../src/core/bot-core.js'
import type { Logger } from '../../src/logger.js'
import { actionIds, commands, viewIds } from './action-ids.js'
import { slackWorkspace } from './slack-actors.js'

export const stateChangingActions: ReadonlySet<string> = new Set([
  actionIds.optIn,
  actionIds.optOut,
  actionIds.forgetConfirm,
  actionIds.postingDisconnect,
  actionIds.draftPost,
  actionIds.draftDiscard,
  actionIds.adminEnabled,
  actionIds.adminLearningChannels,
  actionIds.adminAllChannels,
  actionIds.adminRetention,
  actionIds.adminConsentMode,
  actionIds.adminMemberOptOut,
  actionIds.adminMemberOptIn,
])
const stateChangingViews: ReadonlySet<string> = new Set([viewIds.editDraft])
const stateChangingSubcommands: ReadonlySet<string> = new Set(['optin', 'optout', 'disconnect', 'learn', 'admin'])

type Body = Record<string, unknown>
const field = (value: unknown) => (typeof value === 'string' ? value : '')

/**
 * What identifies one delivery: Slack gives every click, submission and command its own trigger_id (and every click
 * its own action_ts), and a replay repeats them exactly. Hashed, so the stored key names no member.
 */
function fingerprintOf(body: Body): { teamId: string; what: string; parts: string[] } | undefined {
  if (body.command === commands.hyperalign) {
    const subcommand = field(body.text).trim().split(/\s+/)[0]?.toLowerCase() ?? ''
    if (!stateChangingSubcommands.has(subcommand)) return undefined
    return { teamId: field(body.team_id), what: `command:${subcommand}`, parts: [field(body.trigger_id), field(body.text)] }
  }
  const teamId = field((body.team as { id?: unknown } | null | undefined)?.id) || field((body.user as { team_id?: unknown } | undefined)?.team_id)
  if (body.type === 'block_actions') {
    const [action] = body.actions as { action_id: string; action_ts?: string }[]
    if (!action || !stateChangingActions.has(action.action_id)) return undefined
    return { teamId, what: action.action_id, parts: [field(body.trigger_id), field(action.action_ts)] }
  }
  if (body.type === 'view_submission') {
    const view = body.view as { id: string; callback_id?: string; hash?: string }
    if (!stateChangingViews.has(field(view.callback_id))) return undefined
    return { teamId, what: field(view.callback_id), parts: [field(body.trigger_id), view.id, field(view.hash)] }
  }
  return undefined
}

export function singleUseActions(deps: { core: BotCore; logger: Logger }): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const fingerprint = fingerprintOf(args.body as Body)
    if (!fingerprint || !fingerprint.teamId) {
      await args.next()
      return
    }
    const deliveryId = createHash('sha256').update([fingerprint.what, ...fingerprint.parts].join('\n')).digest('hex').slice(0, 48)
    if (await deps.core.claimDelivery(slackWorkspace(fingerprint.teamId), `slack.${deliveryId}`)) {
      await args.next()
      return
    }
    deps.logger.info('slack_action_repeated', { action: fingerprint.what })
    if ('ack' in args && typeof args.ack === 'function') await (args.ack as () => Promise<void>)()
  }
}
