// Workspace administration: policy, member opt-in toggles, counts, the audit log and imports, one typed method each.
// Every method re-checks that the actor administers that very workspace; admins see counts and consent states,
// never a member's messages or hypotheses.
import { BotError } from '../../bot-error.js'
import type { AdminCore } from '../bot-core.js'
import type { AuditLog } from '../records/audit-log.js'
import type { ConsentService } from '../records/consent-service.js'
import type { Counters } from '../records/counters.js'
import type { HistoryStore } from '../records/history-store.js'
import type { LearningStateStore } from '../records/learning-state-store.js'
import type { PolicyService } from '../records/policy-service.js'
import type { UsageLedger } from '../budget/usage-ledger.js'
import type { Actor, ConsentOutcome, ImportReport, ImportRequest, MemberRef, WorkspacePolicy, WorkspaceRef } from '../types.js'

export function createAdminService(dependencies: {
  policies: PolicyService
  consent: ConsentService
  history: HistoryStore
  learning: LearningStateStore
  counters: Counters
  ledger: UsageLedger
  audit: AuditLog
  setConsent: (actor: Actor, member: MemberRef, optedIn: boolean) => Promise<ConsentOutcome>
  importMessages: (request: ImportRequest) => Promise<ImportReport>
  /** This process's in-memory queue of messages waiting for the store, for the workspace. */
  waitingForStore: (workspace: WorkspaceRef) => { waiting: number; dropped: number }
}): AdminCore {
  const { policies, consent, history, learning, counters, ledger, audit } = dependencies

  /** The workspace's policy, for an admin of that very workspace only. */
  const authorize = async (actor: Actor, workspace: WorkspaceRef): Promise<WorkspacePolicy> => {
    if (actor.member.platform !== workspace.platform || actor.member.workspaceId !== workspace.workspaceId) {
      throw new BotError('not_permitted', 'You can only administer your own workspace.')
    }
    return policies.requireAdmin(actor, workspace)
  }

  /** Changes the policy and records that it changed (never to what, beyond counts and settings). */
  const change = async (actor: Actor, workspace: WorkspaceRef, next: Parameters<PolicyService['update']>[2], reason: string, validate?: () => void) => {
    const policy = await authorize(actor, workspace)
    validate?.()
    const updated = await policies.update(workspace, actor, next)
    await audit.record(workspace, { kind: 'policy', reason }, policy.retentionDays)
    return updated
  }

  const historySizes = (workspace: WorkspaceRef, userIds: string[]) => Promise.all(userIds.map((userId) => history.size({ ...workspace, userId })))

  return {
    policy: authorize,
    setEnabled: (actor, workspace, enabled) => change(actor, workspace, { enabled }, `bot ${enabled ? 'enabled' : 'disabled'}`),
    setLearningChannels(actor, workspace, channelIds) {
      const unique = [...new Set(channelIds.map((id) => id.trim()).filter(Boolean))].slice(0, 500)
      return change(actor, workspace, { learningChannels: unique }, `learning channels set (${unique.length})`)
    },
    setRetentionDays: (actor, workspace, days) =>
      change(actor, workspace, { retentionDays: days }, `retention set to ${days} days`, () => {
        if (!Number.isInteger(days) || days < 1 || days > 3650) throw new BotError('input_invalid', 'Retention must be a whole number of days between 1 and 3650.')
      }),
    setConsentMode: (actor, workspace, mode) => change(actor, workspace, { consentMode: mode }, `consent mode set to ${mode}`),
    async setMemberConsent(actor, workspace, userId, optedIn) {
      await authorize(actor, workspace)
      return dependencies.setConsent(actor, { ...workspace, userId }, optedIn)
    },
    async members(actor, workspace) {
      await authorize(actor, workspace)
      const members = await consent.members(workspace)
      const sizes = await historySizes(workspace, members.map((each) => each.userId))
      return members.map((each, index) => ({ userId: each.userId, optedIn: true, via: each.record.via, at: each.record.at, historySize: sizes[index]! }))
    },
    async counts(actor, workspace) {
      await authorize(actor, workspace)
      const [members, activity, usage] = await Promise.all([consent.members(workspace), counters.get(workspace), ledger.workspaceToday(workspace)])
      const sizes = await historySizes(workspace, members.map((each) => each.userId))
      const queue = dependencies.waitingForStore(workspace)
      // Learning jobs by their state on the member's record, so the figures are this workspace's alone.
      const states = await Promise.all(members.map((each) => learning.get({ ...workspace, userId: each.userId })))
      return {
        optedInMembers: members.length,
        messages: sizes.reduce((sum, size) => sum + size, 0),
        drafts: activity.drafts,
        answers: activity.answers,
        refusals: activity.refusals,
        tokensToday: usage.promptTokens + usage.completionTokens,
        dailyTokenBudget: ledger.dailyTokenBudget,
        messagesWaitingForStore: queue.waiting,
        messagesDroppedWhileStoreDown: queue.dropped,
        learningRetrying: states.filter((state) => state.deadLetterAt === undefined && state.attempts > 0).length,
        learningDeadLetters: states.filter((state) => state.deadLetterAt !== undefined).length,
      }
    },
    async auditLog(actor, workspace, limit) {
      await authorize(actor, workspace)
      return audit.recent(workspace, Math.min(Math.max(limit ?? 50, 1), 500))
    },
    importMessages: (request) => dependencies.importMessages(request),
  }
}
