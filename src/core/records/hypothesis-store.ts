// A member's hypotheses, versioned: the current set, statements the member rejected (never proposed again), and a
// short change log so the member can see what changed between versions, how a revision scored when learning checked
// it (also a revision that was not kept), and whether it came from their edits to drafts.
import { z } from 'zod'
import type { Store } from '../../store/store.js'
import { memberKey } from '../identity/keys.js'
import type { Hypothesis, MemberRef } from '../types.js'

export const hypothesisSchema = z.object({
  id: z.string(),
  category: z.enum(['communication_strategy', 'personality', 'writing_style']),
  statement: z.string(),
  evidenceMessageIds: z.array(z.string()),
  confidence: z.number().min(0).max(1),
  source: z.enum(['inferred', 'member']),
  pinned: z.boolean(),
  updatedAt: z.number(),
})

const changeSchema = z.object({
  version: z.number().int(),
  at: z.number(),
  by: z.enum(['learning', 'member']),
  added: z.array(z.string()),
  removed: z.array(z.string()),
  /** Mean style match of drafts of held-out messages with the previous and the revised set; kept false: not saved. */
  check: z.object({ messages: z.number().int(), previous: z.number(), revised: z.number(), kept: z.boolean() }).optional(),
  /** Edited drafts this revision learned from. */
  fromEdits: z.number().int().optional(),
})

const hypothesisSetSchema = z.object({
  version: z.number().int(),
  hypotheses: z.array(hypothesisSchema),
  rejected: z.array(z.string()),
  changes: z.array(changeSchema),
})

export type HypothesisSet = z.output<typeof hypothesisSetSchema>
export type HypothesisChange = z.output<typeof changeSchema>

const keptChanges = 20

export type HypothesisStore = ReturnType<typeof createHypothesisStore>

export function createHypothesisStore(store: Store) {
  const sets = store.collection('hypotheses', hypothesisSetSchema)
  const empty = (): HypothesisSet => ({ version: 0, hypotheses: [], rejected: [], changes: [] })
  return {
    async get(member: MemberRef): Promise<HypothesisSet> {
      return (await sets.get(memberKey(member))) ?? empty()
    },
    /** Saves a new version, recording which statements appeared and disappeared. */
    async save(
      member: MemberRef,
      previous: HypothesisSet,
      next: { hypotheses: Hypothesis[]; rejected: string[] },
      by: HypothesisChange['by'],
      at: number,
      notes: Pick<HypothesisChange, 'check' | 'fromEdits'> = {},
    ) {
      const before = new Set(previous.hypotheses.map((each) => each.statement))
      const after = new Set(next.hypotheses.map((each) => each.statement))
      const change: HypothesisChange = {
        version: previous.version + 1,
        at,
        by,
        added: [...after].filter((statement) => !before.has(statement)),
        removed: [...before].filter((statement) => !after.has(statement)),
        ...notes,
      }
      const saved: HypothesisSet = {
        version: previous.version + 1,
        hypotheses: next.hypotheses.map(({ evidence: _evidence, ...rest }) => rest),
        rejected: next.rejected.slice(-100),
        changes: [...previous.changes, change].slice(-keptChanges),
      }
      await sets.set(memberKey(member), saved)
      return saved
    },
    /** A revision learning checked and did not keep: the set stays as it was, the log says why. */
    async recordRejected(member: MemberRef, previous: HypothesisSet, check: NonNullable<HypothesisChange['check']>, at: number) {
      const change: HypothesisChange = { version: previous.version, at, by: 'learning', added: [], removed: [], check }
      const saved: HypothesisSet = { ...previous, changes: [...previous.changes, change].slice(-keptChanges) }
      await sets.set(memberKey(member), saved)
      return saved
    },
  }
}
