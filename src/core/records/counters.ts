// Workspace activity counters admins see (drafts, answers, refusals). Counts only: never who or what. Increments
// run under the keyed lock so concurrent ones are not lost.
import { z } from 'zod'
import type { Store } from '../../store/store.js'
import { workspaceChildKey } from '../identity/keys.js'
import type { KeyedLock } from '../coordination/keyed-lock.js'
import type { WorkspaceRef } from '../types.js'

const countersSchema = z.object({ drafts: z.number(), answers: z.number(), refusals: z.number(), posted: z.number() })
export type WorkspaceActivity = z.output<typeof countersSchema>

export type Counters = ReturnType<typeof createCounters>

export function createCounters(store: Store, lock: KeyedLock) {
  const counters = store.collection('counters', countersSchema)
  const key = (workspace: WorkspaceRef) => workspaceChildKey(workspace, 'activity')
  const zero: WorkspaceActivity = { drafts: 0, answers: 0, refusals: 0, posted: 0 }
  return {
    async get(workspace: WorkspaceRef): Promise<WorkspaceActivity> {
      return (await counters.get(key(workspace))) ?? zero
    },
    increment(workspace: WorkspaceRef, name: keyof WorkspaceActivity) {
      // A lock key outside the `v1:` space, so it can never meet a member's own lock.
      return lock.run(`counters|${key(workspace)}`, async () => {
        const current = (await counters.get(key(workspace))) ?? zero
        await counters.set(key(workspace), { ...current, [name]: current[name] + 1 })
      })
    },
  }
}
