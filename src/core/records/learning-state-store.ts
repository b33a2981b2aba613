// Per-member learning bookkeeping: new text since the last run (what makes a member "due") and the retry and
// dead-letter state of the background job, small because observe rewrites it per message; and, apart, the pool of
// the member's own messages drafts take examples from, kept as references to history rows and set by learning.
import { z } from 'zod'
import type { Store } from '../../store/store.js'
import { memberChildKey, memberKey, parseMemberKey } from '../identity/keys.js'
import { channelKindSchema } from '../identity/member-ref.js'
import type { HistoryStore } from './history-store.js'
import type { MemberRef } from '../types.js'

const learningStateSchema = z.object({
  newMessages: z.number().int(),
  lastLearnedAt: z.number().optional(),
  attempts: z.number().int(),
  nextAttemptAt: z.number().optional(),
  lastError: z.string().optional(),
  deadLetterAt: z.number().optional(),
})

const poolEntrySchema = z.object({ id: z.string(), text: z.string(), channelId: z.string(), channelKind: channelKindSchema })

/**
 * References to history rows, never copies: edits show through, and a deleted or expired row drops out of the pool
 * by itself. (Earlier versions kept copies inside the state; those are dropped, and the next learning run refills it.)
 */
const poolSchema = z.object({ rows: z.array(z.object({ channelId: z.string(), id: z.string() })) })

export type LearningState = z.output<typeof learningStateSchema>
export type PoolEntry = z.output<typeof poolEntrySchema>

export type LearningStateStore = ReturnType<typeof createLearningStateStore>

export function createLearningStateStore(store: Store, history: HistoryStore) {
  const states = store.collection('learning', learningStateSchema)
  const pools = store.collection('learning', poolSchema)
  const poolKey = (member: MemberRef) => memberChildKey(member, 'pool')
  const empty = (): LearningState => ({ newMessages: 0, attempts: 0 })
  return {
    async get(member: MemberRef): Promise<LearningState> {
      return (await states.get(memberKey(member))) ?? empty()
    },
    async update(member: MemberRef, change: (state: LearningState) => LearningState): Promise<LearningState> {
      const next = change((await states.get(memberKey(member))) ?? empty())
      await states.set(memberKey(member), next)
      return next
    },
    /** The example pool as the history has it now. */
    async examplePool(member: MemberRef): Promise<PoolEntry[]> {
      const pool = await pools.get(poolKey(member))
      if (!pool?.rows.length) return []
      const rows = await history.byRefs(member, pool.rows)
      return rows.map((row) => ({ id: row.id, text: row.text, channelId: row.channelId, channelKind: row.channelKind }))
    },
    /** Replaces the pool with references to these history rows. */
    async setExamplePool(member: MemberRef, rows: { channelId: string; id: string }[]): Promise<void> {
      await pools.set(poolKey(member), { rows: rows.map((row) => ({ channelId: row.channelId, id: row.id })) })
    },
    /** Every member with a learning record, across workspaces (for the scheduler's scan and the retention sweep). */
    async *all(): AsyncIterable<{ member: MemberRef; state: LearningState }> {
      for await (const key of states.keys('')) {
        const member = parseMemberKey(key)
        const state = member && (await states.get(key))
        if (member && state) yield { member, state }
      }
    },
  }
}

/** Due when enough new text arrived and the minimum interval since the last run has passed. */
export function isDue(state: LearningState, now: number, options: { minNewMessages: number; minIntervalMs: number }): boolean {
  if (state.deadLetterAt !== undefined) return false
  if (state.nextAttemptAt !== undefined) return now >= state.nextAttemptAt
  if (state.newMessages < options.minNewMessages) return false
  return state.lastLearnedAt === undefined || now - state.lastLearnedAt >= options.minIntervalMs
}
