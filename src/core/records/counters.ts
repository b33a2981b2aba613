// Workspace activity counters admins see (drafts, answers, refusals). Counts only: never who or what. Each increment
// is one atomic operation of the store's engine (HINCRBY, an upsert), so concurrent ones are never lost.
import type { Store } from '../../store/store.js'
import { workspaceChildKey } from '../identity/keys.js'
import type { WorkspaceRef } from '../types.js'

export type WorkspaceActivity = { drafts: number; answers: number; refusals: number; posted: number }

export type Counters = ReturnType<typeof createCounters>

export function createCounters(store: Store) {
  const key = (workspace: WorkspaceRef) => workspaceChildKey(workspace, 'activity')
  return {
    async get(workspace: WorkspaceRef): Promise<WorkspaceActivity> {
      const values = await store.counters.get(key(workspace))
      return { drafts: values.drafts ?? 0, answers: values.answers ?? 0, refusals: values.refusals ?? 0, posted: values.posted ?? 0 }
    },
    async increment(workspace: WorkspaceRef, name: keyof WorkspaceActivity) {
      await store.counters.add([{ key: key(workspace), deltas: { [name]: 1 } }])
    },
  }
}
