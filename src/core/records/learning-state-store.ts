// Per-member learning bookkeeping: new text since the last run (what makes a member "due"), the retry and
// dead-letter state of the background job, and the pool of the member's own messages drafts take examples from.
import { z } from 'zod'
import type { Store } from '../../store/store.js'
import { memberKey, parseMemberKey } from '../identity/keys.js'
import { channelKindSchema } from '../identity/member-ref.js'
import type { MemberRef } from '../types.js'

const poolEntrySchema = z.object({ id: z.string(), text: z.string(), channelId: z.string(), channelKind: channelKindSchema })

const learningStateSchema = z.object({
  newMessages: z.number().int(),
  lastLearnedAt: z.number().optional(),
  attempts: z.number().int(),
  nextAttemptAt: z.number().optional(),
  lastError: z.string().optional(),
  deadLetterAt: z.number().optional(),
  examplePool: z.array(poolEntrySchema),
})

export type LearningState = z.output<typeof learningStateSchema>
export type PoolEntry = z.output<typeof poolEntrySchema>

export type LearningStateStore = ReturnType<typeof createLearningStateStore>

export function createLearningStateStore(store: Store) {
  const states = store.collection('learning', learningStateSchema)
  const empty = (): LearningState => ({ newMessages: 0, attempts: 0, examplePool: [] })
  return {
    async get(member: MemberRef): Promise<LearningState> {
      return (await states.get(memberKey(member))) ?? empty()
    },
    async update(member: MemberRef, change: (state: LearningState) => LearningState): Promise<LearningState> {
      const next = change((await states.get(memberKey(member))) ?? empty())
      await states.set(memberKey(member), next)
      return next
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
