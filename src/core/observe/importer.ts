// Imports a conversation export as an admin act: records the consent it relies on (the members named on import),
// then feeds the messages, a batch at a time, through the batch observe path (the live path's filters, which still
// refuse anyone not named, in a few writes per batch). A batch reported as done is stored: a crash loses at most
// the batch in flight, and importing the file again completes it. Learning waits until the whole export is in:
// only then is the population complete that each member is calibrated against.
import { BotError } from '../../bot-error.js'
import type { ConsentService } from '../records/consent-service.js'
import type { PolicyService } from '../records/policy-service.js'
import type { ImportReport, ImportRequest, MemberRef, ObservedMessage, ObserveOutcome, WorkspaceRef } from '../types.js'
import type { StylePopulation } from '../records/workspace-style.js'

export function createImporter(dependencies: {
  policies: PolicyService
  consent: ConsentService
  observeMany: (messages: readonly ObservedMessage[]) => Promise<{ outcomes: ObserveOutcome[]; rebuilt: MemberRef[] }>
  /** The workspace's style population as it is now. */
  population: (workspace: WorkspaceRef) => Promise<StylePopulation>
  /** Recomputes a member's calibration and example pool against that population (no model). */
  refreshStyle: (member: MemberRef, population: StylePopulation) => Promise<void>
  enqueueLearning: (member: MemberRef) => void
  clock: () => number
  /** Messages per batch: enough that the few writes per member per batch are cheap, few enough to bound a retry. */
  batchMessages: number
}) {
  const { policies, consent, observeMany, clock } = dependencies
  return {
    async run(request: ImportRequest): Promise<ImportReport> {
      const workspace = { platform: request.actor.member.platform, workspaceId: request.actor.member.workspaceId }
      await policies.requireAdmin(request.actor, workspace)
      await policies.requireEnabled(workspace)
      for (const message of request.messages) {
        if (message.workspace.platform !== workspace.platform || message.workspace.workspaceId !== workspace.workspaceId) {
          throw new BotError('input_invalid', 'Every imported message must belong to the workspace being imported into.')
        }
      }
      const named = new Set(request.consentingUserIds)
      for (const userId of named) {
        const member = { ...workspace, userId }
        if (!(await consent.isOptedIn(member))) await consent.grant(member, request.actor.member, 'import', clock())
      }
      const report: ImportReport = { total: request.messages.length, stored: 0, ignored: 0, ignoredBy: {}, members: named.size }
      const storedFor = new Map<string, MemberRef>()
      const due = new Map<string, MemberRef>()
      for (let start = 0; start < request.messages.length; start += dependencies.batchMessages) {
        const batch = request.messages.slice(start, start + dependencies.batchMessages)
        const { outcomes, rebuilt } = await observeMany(batch)
        for (const member of rebuilt) storedFor.set(member.userId, member)
        for (const [index, outcome] of outcomes.entries()) {
          if (outcome.status === 'stored') {
            report.stored += 1
            const member = { ...workspace, userId: batch[index]!.userId! }
            storedFor.set(member.userId, member)
            if (outcome.due) due.set(member.userId, member)
          } else if (outcome.status === 'ignored') {
            report.ignored += 1
            report.ignoredBy[outcome.reason] = (report.ignoredBy[outcome.reason] ?? 0) + 1
          } else report.ignored += 1
        }
        request.onProgress?.(start + batch.length, request.messages.length, 'messages')
      }
      if (storedFor.size) {
        const population = await dependencies.population(workspace)
        let calibrated = 0
        for (const member of storedFor.values()) {
          await dependencies.refreshStyle(member, population)
          calibrated += 1
          if (calibrated % 10 === 0 || calibrated === storedFor.size) request.onProgress?.(calibrated, storedFor.size, 'calibration')
        }
      }
      for (const member of due.values()) dependencies.enqueueLearning(member)
      return report
    },
  }
}
