// "Forget me" and opt-out: deletes every record of one member in one step — everything keyed under the member in
// every collection, workspace entries that name them (message index, audit log) and their messages still waiting
// for the store in memory — counts what went, then has the store drop what the deleted rows left in its files.
import type { Store } from '../../store/store.js'
import { collectionNames } from '../../store/store.js'
import type { AuditLog } from '../records/audit-log.js'
import type { HistoryStore } from '../records/history-store.js'
import { memberKey } from '../identity/keys.js'
import type { WorkspaceStyle } from '../records/workspace-style.js'
import type { MemberStyleStore } from '../records/member-style-store.js'
import type { ForgetReport, MemberRef } from '../types.js'
import { z } from 'zod'

export type MemberEraserDependencies = {
  store: Store
  history: HistoryStore
  audit: AuditLog
  workspaceStyle: WorkspaceStyle
  style: Pick<MemberStyleStore, 'dropLegacyCopies'>
  /** Drops the member's messages waiting in memory for the store to come back; returns how many. */
  discardWaiting: (member: MemberRef) => number
}

export function createMemberEraser(dependencies: MemberEraserDependencies) {
  const { store, history, audit, workspaceStyle, style } = dependencies
  return async function erase(member: MemberRef): Promise<ForgetReport> {
    const report: ForgetReport = { messages: 0, hypotheses: 0, drafts: 0, auditEntries: 0, otherRecords: 0 }
    // First, so a retry running meanwhile cannot bring any of them back after the store is clean.
    report.messages += dependencies.discardWaiting(member)
    report.messages += await history.erase(member)
    const own = memberKey(member)
    for (const name of collectionNames) {
      const collection = store.collection(name, z.unknown())
      const keys: string[] = []
      for await (const key of collection.keys(own)) {
        // `own` itself or anything below it, but not a member whose id merely starts the same way.
        if (key === own || key.startsWith(own + ':')) keys.push(key)
      }
      if (name === 'hypotheses') {
        const sets = await store.collection(name, z.object({ hypotheses: z.array(z.unknown()) })).getMany(keys)
        report.hypotheses += sets.reduce((sum, set) => sum + (set?.hypotheses.length ?? 0), 0)
      } else if (name === 'drafts') report.drafts += keys.length
      else report.otherRecords += keys.length
      await collection.deleteMany(keys)
    }
    // The member's own usage counters live beside the records, on the engine's counters.
    const counterKeys: string[] = []
    for await (const key of store.counters.keys(own)) if (key === own || key.startsWith(own + ':')) counterKeys.push(key)
    await store.counters.delete(counterKeys)
    report.otherRecords += counterKeys.length
    report.auditEntries = await audit.eraseMember(member, member.userId)
    // The workspace's population holds the member's counts: dropped, and summed again without them when next
    // needed. Calibration records of an earlier version hold a copy of it: rewritten without.
    await workspaceStyle.drop(member)
    await style.dropLegacyCopies(member)
    // Deleted is not yet gone: a WAL or a free page would still hold the rows (DESIGN §4).
    await store.compact()
    return report
  }
}
