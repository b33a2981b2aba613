// Workspace administration: policy, member opt-in toggles, counts and the audit log. Every action re-checks that
// the actor is an admin; admins see counts and consent states, never a member's messages or hypotheses.
import { BotError } from '../../bot-error.js'
import type { AuditLog } from '../records/audit-log.js'
import type { ConsentService } from '../records/consent-service.js'
import type { Counters } from '../records/counters.js'
import type { HistoryStore } from '../records/history-store.js'
import type { PolicyService } from '../records/policy-service.js'
import type { Actor, AdminAction, AdminResult, ConsentOutcome, MemberRef, WorkspaceRef } from '../types.js'
import type { UsageLedger } from '../records/usage-ledger.js'

export function createAdminService(dependencies: {
  policies: PolicyService
  consent: ConsentService
  history: HistoryStore
  counters: Counters
  ledger: UsageLedger
  audit: AuditLog
  setConsent: (actor: Actor, member: MemberRef, optedIn: boolean) => Promise<ConsentOutcome>
  /** This process's in-memory queue of messages waiting for the store, for the workspace. */
  waitingForStore: (workspace: WorkspaceRef) => { waiting: number; dropped: number }
}) {
  const { policies, consent, history, counters, ledger, audit } = dependencies

  return {
    async run(actor: Actor, workspace: WorkspaceRef, action: AdminAction): Promise<AdminResult> {
      if (actor.member.platform !== workspace.platform || actor.member.workspaceId !== workspace.workspaceId) {
        throw new BotError('not_permitted', 'You can only administer your own workspace.')
      }
      const policy = await policies.requireAdmin(actor, workspace)
      const logPolicy = (reason: string) => audit.record(workspace, { kind: 'policy', reason }, policy.retentionDays)
      switch (action.action) {
        case 'get_policy':
          return { action: 'policy', policy }
        case 'set_enabled': {
          const next = await policies.update(workspace, actor, { enabled: action.enabled })
          await logPolicy(`bot ${action.enabled ? 'enabled' : 'disabled'}`)
          return { action: 'policy', policy: next }
        }
        case 'set_learning_channels': {
          const channelIds = [...new Set(action.channelIds.map((id) => id.trim()).filter(Boolean))].slice(0, 500)
          const next = await policies.update(workspace, actor, { learningChannels: channelIds })
          await logPolicy(`learning channels set (${channelIds.length})`)
          return { action: 'policy', policy: next }
        }
        case 'set_retention_days': {
          if (!Number.isInteger(action.days) || action.days < 1 || action.days > 3650) {
            throw new BotError('input_invalid', 'Retention must be a whole number of days between 1 and 3650.')
          }
          const next = await policies.update(workspace, actor, { retentionDays: action.days })
          await logPolicy(`retention set to ${action.days} days`)
          return { action: 'policy', policy: next }
        }
        case 'set_consent_mode': {
          const next = await policies.update(workspace, actor, { consentMode: action.mode })
          await logPolicy(`consent mode set to ${action.mode}`)
          return { action: 'policy', policy: next }
        }
        case 'set_member_consent': {
          const outcome = await dependencies.setConsent(actor, { ...workspace, userId: action.userId }, action.optedIn)
          return { action: 'member_consent', outcome }
        }
        case 'list_members': {
          const members = await consent.members(workspace)
          const sizes = await Promise.all(members.map((each) => history.size({ ...workspace, userId: each.userId })))
          return {
            action: 'members',
            members: members.map((each, index) => ({ userId: each.userId, optedIn: true, via: each.record.via, at: each.record.at, historySize: sizes[index]! })),
          }
        }
        case 'counts': {
          const [members, activity, usage] = await Promise.all([consent.members(workspace), counters.get(workspace), ledger.workspaceToday(workspace)])
          const sizes = await Promise.all(members.map((each) => history.size({ ...workspace, userId: each.userId })))
          const queue = dependencies.waitingForStore(workspace)
          return {
            action: 'counts',
            counts: {
              optedInMembers: members.length,
              messages: sizes.reduce((sum, size) => sum + size, 0),
              drafts: activity.drafts,
              answers: activity.answers,
              refusals: activity.refusals,
              tokensToday: usage.promptTokens + usage.completionTokens,
              dailyTokenBudget: ledger.dailyTokenBudget,
              messagesWaitingForStore: queue.waiting,
              messagesDroppedWhileStoreDown: queue.dropped,
            },
          }
        }
        case 'audit_log':
          return { action: 'audit_log', entries: await audit.recent(workspace, Math.min(Math.max(action.limit ?? 50, 1), 500)) }
      }
    },
  }
}
