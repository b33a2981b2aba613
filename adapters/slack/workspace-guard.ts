// Bolt middleware: a command or interactive payload is handled only when its workspace ids agree — the payload's
// team, the team it gives for the user, and the team Slack itself reports for that user (users.info). A payload
// naming another workspace (forged, or replayed into the wrong tenant) is acknowledged and nothing else happens.
import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt'
import type { Logger } from '../../src/logger.js'
import type { SlackActorResolver } from './slack-actors.js'

type Claimed = { payloadType: string; userId?: string; teamIds: string[] }

const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined)

/** The workspace ids a payload claims for the acting user; undefined for events (no user acts in them). */
function claimedWorkspaces(body: Record<string, unknown>): Claimed | undefined {
  if (typeof body.command === 'string') return { payloadType: 'command', userId: text(body.user_id), teamIds: [text(body.team_id)].filter((id) => id !== undefined) }
  if (body.type === 'event_callback' || !body.user || typeof body.user !== 'object') return undefined
  const user = body.user as { id?: unknown; team_id?: unknown }
  const team = body.team as { id?: unknown } | null | undefined
  return { payloadType: String(body.type), userId: text(user.id), teamIds: [text(team?.id), text(user.team_id)].filter((id) => id !== undefined) }
}

export function workspaceGuard(deps: { actors: SlackActorResolver; logger: Logger }): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const claimed = claimedWorkspaces(args.body as Record<string, unknown>)
    if (!claimed || claimed.teamIds.length === 0 || !claimed.userId) {
      await args.next()
      return
    }
    const [teamId] = claimed.teamIds
    const agree = claimed.teamIds.every((id) => id === teamId)
    // When Slack cannot be asked, the payload's own ids must still agree; the core checks admin rights either way.
    const reported = agree ? await deps.actors.workspaceOfUser(teamId!, claimed.userId) : undefined
    if (agree && (reported === undefined || reported === teamId)) {
      await args.next()
      return
    }
    deps.logger.warn('slack_workspace_mismatch', { payloadType: claimed.payloadType })
    if ('ack' in args && typeof args.ack === 'function') await (args.ack as () => Promise<void>)()
  }
}
