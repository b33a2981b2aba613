// Imports a conversation export as an admin act: records the consent it relies on (the members named on import),
// then feeds the messages, a batch at a time, through the batch observe path (the live path's filters, which still
// refuse anyone not named, in a few writes per batch). Messages that come as a stream (a file read as it goes) are
// taken a batch at a time, the next batch read while the last one is stored, so memory follows the batch and not
// the export. A batch reported as done is stored: a crash loses at most the batch in flight, and importing the file
// again completes it. Style counts are folded once, after the last batch (batch-observer.ts says why); a member
// whose import stopped before that has them folded by importing again (or by their next observe). Learning waits
// until the whole export is in: only then is the population complete that each member is calibrated against.
import { BotError } from '../../bot-error.js'
import type { ConsentService } from '../records/consent-service.js'
import type { PolicyService } from '../records/policy-service.js'
import type { ImportReport, ImportRequest, MemberRef, ObservedMessage, ObserveOutcome, WorkspaceRef } from '../types.js'
import type { StylePopulation } from '../records/workspace-style.js'

export function createImporter(dependencies: {
  policies: PolicyService
  consent: ConsentService
  observeMany: (messages: readonly ObservedMessage[], options: { foldStyle: boolean }) => Promise<{ outcomes: ObserveOutcome[]; rebuilt: MemberRef[] }>
  /** Folds members' style counts up to their history (the batches leave that to the end of the import). */
  foldStyle: (members: readonly MemberRef[]) => Promise<void>
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
      const inWorkspace = (message: ObservedMessage) => message.workspace.platform === workspace.platform && message.workspace.workspaceId === workspace.workspaceId
      const foreign = () => new BotError('input_invalid', 'Every imported message must belong to the workspace being imported into.')
      // A list is checked whole before anything is recorded; a stream, batch by batch before the batch is stored.
      if (Array.isArray(request.messages) && !request.messages.every(inWorkspace)) throw foreign()
      const named = new Set(request.consentingUserIds)
      for (const userId of named) {
        const member = { ...workspace, userId }
        if (!(await consent.isOptedIn(member))) await consent.grant(member, request.actor.member, 'import', clock())
      }
      const report: ImportReport = { total: 0, stored: 0, ignored: 0, ignoredBy: {}, members: named.size }
      const storedFor = new Map<string, MemberRef>()
      const due = new Map<string, MemberRef>()
      const alreadyStored = new Map<string, MemberRef>()
      const batches = inBatches(request.messages, dependencies.batchMessages)
      try {
        // The next batch is read while this one is stored: reading is CPU work, storing mostly waits on the store.
        let next = batches.next()
        for (let read = await next; !read.done; read = await next) {
          const batch = read.value
          if (!batch.every(inWorkspace)) throw foreign()
          next = batches.next()
          // Settles the read ahead of time if storing fails, so its error is not reported as unhandled.
          next.catch(() => {})
          const { outcomes, rebuilt } = await observeMany(batch, { foldStyle: false })
          for (const member of rebuilt) storedFor.set(member.userId, member)
          for (const [index, outcome] of outcomes.entries()) {
            if (outcome.status === 'stored') {
              report.stored += 1
              const member = { ...workspace, userId: batch[index]!.userId! }
              storedFor.set(member.userId, member)
              if (outcome.due) due.set(member.userId, member)
            } else if (outcome.status === 'ignored') {
              // Stored by an earlier import, perhaps one that stopped before folding their counts.
              if (outcome.reason === 'duplicate') alreadyStored.set(batch[index]!.userId!, { ...workspace, userId: batch[index]!.userId! })
              report.ignored += 1
              report.ignoredBy[outcome.reason] = (report.ignoredBy[outcome.reason] ?? 0) + 1
            } else report.ignored += 1
          }
          report.total += batch.length
          const total = request.total ?? (Array.isArray(request.messages) ? request.messages.length : report.total)
          request.onProgress?.(report.total, Math.max(total, report.total), 'messages', { stored: report.stored, ignored: report.ignored })
        }
      } finally {
        // Closes a file being read when the import stops early.
        await batches.return(undefined).catch(() => {})
      }
      // Once per member, after the last batch: the rows the history dropped on the way are never counted.
      await dependencies.foldStyle([...new Map([...alreadyStored, ...storedFor]).values()])
      if (storedFor.size) {
        // Every message is in and counted: the calibration starts.
        request.onProgress?.(0, storedFor.size, 'calibration')
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

/** Consecutive runs of `size` messages (the last one shorter), from a list or a stream. */
async function* inBatches(messages: readonly ObservedMessage[] | AsyncIterable<ObservedMessage>, size: number): AsyncGenerator<ObservedMessage[]> {
  if (Array.isArray(messages)) {
    for (let start = 0; start < messages.length; start += size) yield messages.slice(start, start + size)
    return
  }
  let batch: ObservedMessage[] = []
  for await (const message of messages as AsyncIterable<ObservedMessage>) {
    batch.push(message)
    if (batch.length >= size) {
      yield batch
      batch = []
    }
  }
  if (batch.length) yield batch
}
