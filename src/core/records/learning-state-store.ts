// Per-member learning bookkeeping: new text since the last run (what makes a member "due"; an atomic counter, the one
// write observe makes here) and the retry and dead-letter state of the background job; and, apart, the pool of the
// member's own messages drafts take examples from, kept as references to history rows and set by learning.
import { z } from 'zod'
import type { Store } from '../../store/store.js'
import { memberChildKey, memberKey, parseMemberKey } from '../identity/keys.js'
import { channelKindSchema } from '../identity/member-ref.js'
import { historyCounterKey, type HistoryStore } from './history-store.js'
import type { MemberRef } from '../types.js'

const learningStateSchema = z.object({
  /** Stored 0 since new messages are counted on the store's counters; earlier versions counted them here. */
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
  /** New messages are counted by the history's append step, on its counter (field `newMessages`). */
  const counterKey = historyCounterKey
  const empty = (): LearningState => ({ newMessages: 0, attempts: 0 })
  /** When dueAfter() need read the record again: in-process, so a job that ran elsewhere is seen by then at the latest. */
  const notBefore = new Map<string, number>()
  /** The record and the counter apart (a record of an earlier version may still hold new messages of its own). */
  const readParts = async (member: MemberRef, counted?: number) => {
    const [state, counter] = await Promise.all([states.get(memberKey(member)), counted === undefined ? store.counters.get(counterKey(member)) : { newMessages: counted }])
    return { base: state ?? empty(), counted: counter.newMessages ?? 0 }
  }
  /** The record with the counted new messages added in. */
  const read = async (member: MemberRef, counted?: number): Promise<LearningState> => {
    const { base, counted: value } = await readParts(member, counted)
    return { ...base, newMessages: base.newMessages + value }
  }
  return {
    get: (member: MemberRef) => read(member),
    /**
     * Changes the record; a change to `newMessages` (a reset after learning) is applied to the counter as a delta, so
     * messages counted meanwhile by another process are kept.
     */
    async update(member: MemberRef, change: (state: LearningState) => LearningState): Promise<LearningState> {
      notBefore.delete(memberKey(member))
      const { base, counted } = await readParts(member)
      const next = change({ ...base, newMessages: base.newMessages + counted })
      await states.set(memberKey(member), { ...next, newMessages: 0 })
      // The counter then holds all of it: what the change asked for, plus whatever was counted since the read.
      const delta = next.newMessages - counted
      if (delta !== 0) await store.counters.add([{ key: counterKey(member), deltas: { newMessages: delta } }])
      return next
    },
    /**
     * Whether the member is due now that `counted` new messages are counted (the history's append step counts them);
     * the record is read only once enough new text has arrived. The first message creates the record, so scans
     * (scheduler, sweep) find the member.
     */
    async dueAfter(member: MemberRef, counted: number, now: number, options: { minNewMessages: number; minIntervalMs: number }): Promise<boolean> {
      if (counted === 1) await states.setIfAbsent(memberKey(member), empty())
      if (counted < options.minNewMessages) return false
      const key = memberKey(member)
      // A member with enough new text is asked about on every message until learned; the answer holds until then.
      if ((notBefore.get(key) ?? 0) > now) return false
      const state = await read(member, counted)
      const due = isDue(state, now, options)
      if (notBefore.size >= 10_000) notBefore.clear()
      notBefore.set(key, due ? now + signalledMs : nextCheck(state, now, options))
      return due
    },
    /** Forget: what dueAfter() remembers of the member goes with their records. */
    discard(member: MemberRef): void {
      notBefore.delete(memberKey(member))
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
        if (member && (await states.get(key))) yield { member, state: await read(member) }
      }
    },
  }
}

/** A due member was just signalled (the scheduler takes it from there); asked again after this. */
const signalledMs = 5_000
/** A dead-lettered member is looked at again after this (an admin may have restarted it). */
const deadLetterRecheckMs = 60_000

/** When a member who is not due now may become due, with no new text needed (new text only adds to the count). */
function nextCheck(state: LearningState, now: number, options: { minIntervalMs: number }): number {
  if (state.deadLetterAt !== undefined) return now + deadLetterRecheckMs
  if (state.nextAttemptAt !== undefined) return state.nextAttemptAt
  return state.lastLearnedAt === undefined ? now : state.lastLearnedAt + options.minIntervalMs
}

/** Due when enough new text arrived and the minimum interval since the last run has passed. */
export function isDue(state: LearningState, now: number, options: { minNewMessages: number; minIntervalMs: number }): boolean {
  if (state.deadLetterAt !== undefined) return false
  if (state.nextAttemptAt !== undefined) return now >= state.nextAttemptAt
  if (state.newMessages < options.minNewMessages) return false
  return state.lastLearnedAt === undefined || now - state.lastLearnedAt >= options.minIntervalMs
}
