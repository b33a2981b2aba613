// Workspace activity counters admins see (drafts, answers, refusals). Counts only: never who or what.
import { z } from 'zod'
import type { Store } from '../store/store.js'
import { workspaceChildKey } from './keys.js'
import type { WorkspaceRef } from './types.js'

const countersSchema = z.object({ drafts: z.number(), answers: z.number(), refusals: z.number(), posted: z.number() })
export type WorkspaceActivity = z.output<typeof countersSchema>

export type Counters = ReturnType<typeof createCounters>

export function createCounters(store: Store) {
  const counters = store.collection('counters', countersSchema)
  const key = (workspace: WorkspaceRef) => workspaceChildKey(workspace, 'activity')
  const zero: WorkspaceActivity = { drafts: 0, answers: 0, refusals: 0, posted: 0 }
  return {
    async get(workspace: WorkspaceRef): Promise<WorkspaceActivity> {
      return (await counters.get(key(workspace))) ?? zero
    },
    async increment(workspace: WorkspaceRef, name: keyof WorkspaceActivity) {
      const current = (await counters.get(key(workspace))) ?? zero
      await counters.set(key(workspace), { ...current, [name]: current[name] + 1 })
    },
  }
}
