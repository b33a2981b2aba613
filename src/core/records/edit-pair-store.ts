// The member's edits to drafts: (what was drafted, what they posted) pairs, the strongest signal of their style
// (CIPHER). Bounded to the newest few, each kept no longer than the workspace's retention; erased by forget.
import { z } from 'zod'
import type { Store } from '../../store/store.js'
import { memberKey } from '../identity/keys.js'
import { channelKindSchema } from '../identity/member-ref.js'
import type { MemberRef } from '../types.js'

const editPairSchema = z.object({ draft: z.string(), posted: z.string(), channelId: z.string().optional(), channelKind: channelKindSchema.optional(), at: z.number() })
const editPairsSchema = z.object({ pairs: z.array(editPairSchema) })

export type EditPair = z.output<typeof editPairSchema>

/** More than a learning prompt ever reads (LEARNING_EDIT_PAIRS), so the newest are always there. */
export const keptEditPairs = 20
const dayMs = 86_400_000

export type EditPairStore = ReturnType<typeof createEditPairStore>

export function createEditPairStore(store: Store) {
  const records = store.collection('edit-pairs', editPairsSchema)
  return {
    /** The member's pairs within retention, oldest first. */
    async recent(member: MemberRef, retentionDays: number, now: number): Promise<EditPair[]> {
      const record = await records.get(memberKey(member))
      return (record?.pairs ?? []).filter((pair) => pair.at > now - retentionDays * dayMs)
    },
    /** Adds a pair (callers check consent), dropping the oldest past the bound; the record lives as long as retention. */
    async add(member: MemberRef, pair: EditPair, retentionDays: number): Promise<void> {
      const record = await records.get(memberKey(member))
      const pairs = [...(record?.pairs ?? []).filter((each) => each.at > pair.at - retentionDays * dayMs), pair].slice(-keptEditPairs)
      await records.set(memberKey(member), { pairs }, retentionDays * dayMs)
    },
    /** Drops pairs past retention (the sweep); returns how many went. */
    async sweep(member: MemberRef, retentionDays: number, now: number): Promise<number> {
      const record = await records.get(memberKey(member))
      if (!record) return 0
      const kept = record.pairs.filter((pair) => pair.at > now - retentionDays * dayMs)
      if (kept.length === record.pairs.length) return 0
      if (kept.length) await records.set(memberKey(member), { pairs: kept }, retentionDays * dayMs)
      else await records.delete(memberKey(member))
      return record.pairs.length - kept.length
    },
  }
}
