// The retention sweep (hourly, and on demand): drops every member's messages past their workspace's retention, with
// their style counts (draft examples refer to the rows and go with them), the "not like this" examples drafted from
// them and edit pairs past retention, and the workspace's style population that counted them (summed again when next
// needed); then has the store drop what the deleted rows left in its files.
import type { Store } from '../../store/store.js'
import type { KeyedLock } from '../coordination/keyed-lock.js'
import { memberKey, workspaceKey } from '../identity/keys.js'
import type { ContrastStore } from '../records/contrast-store.js'
import type { EditPairStore } from '../records/edit-pair-store.js'
import type { HistoryStore } from '../records/history-store.js'
import type { LearningStateStore } from '../records/learning-state-store.js'
import type { MemberStyleStore } from '../records/member-style-store.js'
import type { PolicyService } from '../records/policy-service.js'
import type { WorkspaceStyle } from '../records/workspace-style.js'
import type { WorkspaceRef } from '../types.js'

export type RetentionSweep = () => Promise<{ members: number; messagesRemoved: number }>

export function createRetentionSweep(dependencies: {
  store: Store
  policies: PolicyService
  history: HistoryStore
  style: MemberStyleStore
  workspaceStyle: Pick<WorkspaceStyle, 'drop'>
  learning: LearningStateStore
  contrast: ContrastStore
  editPairs: EditPairStore
  lock: KeyedLock
  clock: () => number
}): RetentionSweep {
  const { store, policies, history, style, workspaceStyle, learning, contrast, editPairs, lock, clock } = dependencies
  return async () => {
    const expiredIn = new Map<string, WorkspaceRef>()
    let members = 0
    let messagesRemoved = 0
    let pairsRemoved = 0
    for await (const { member } of learning.all()) {
      const policy = await policies.get(member)
      const removed = await lock.run(memberKey(member), async () => {
        const expired = await history.sweep(member, policy.retentionDays)
        // The draft example pool refers to rows, so an expired message leaves it with the row.
        if (expired.length) {
          await style.rowsChanged(member, { add: [], remove: expired })
          await contrast.dropFrom(member, new Set(expired.map((each) => `${each.channelId}\n${each.id}`)), policy.retentionDays)
        }
        pairsRemoved += await editPairs.sweep(member, policy.retentionDays, clock())
        return expired.length
      })
      members += 1
      messagesRemoved += removed
      if (removed) expiredIn.set(workspaceKey(member), { platform: member.platform, workspaceId: member.workspaceId })
    }
    for (const workspace of expiredIn.values()) await workspaceStyle.drop(workspace)
    // Past retention is erased like a forget: nothing left in the store's files either.
    if (messagesRemoved + pairsRemoved > 0) await store.compact()
    return { members, messagesRemoved }
  }
}
