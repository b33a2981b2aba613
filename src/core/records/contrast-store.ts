// "Not like this" examples (TICL): the drafts of the member's own held-out messages that scored worst at the last
// learning check, each with the model's one-line explanation of how it differs from what they really wrote. At most
// two, tied to the message they came from so retention and the channel rule apply to them too; erased by forget.
import { z } from 'zod'
import type { Store } from '../../store/store.js'
import { memberKey } from '../identity/keys.js'
import { channelKindSchema } from '../identity/member-ref.js'
import type { MemberRef } from '../types.js'

const contrastExampleSchema = z.object({
  draft: z.string(),
  explanation: z.string(),
  styleMatch: z.number(),
  messageId: z.string(),
  channelId: z.string(),
  channelKind: channelKindSchema,
})
const contrastRecordSchema = z.object({ examples: z.array(contrastExampleSchema) })

export type ContrastExample = z.output<typeof contrastExampleSchema>

export const maxContrastExamples = 2

export type ContrastStore = ReturnType<typeof createContrastStore>

export function createContrastStore(store: Store) {
  const records = store.collection('contrast', contrastRecordSchema)
  const get = async (member: MemberRef): Promise<ContrastExample[]> => (await records.get(memberKey(member)))?.examples ?? []
  return {
    get,
    /** Replaces the member's examples with the latest check's (none clears them). */
    async set(member: MemberRef, examples: ContrastExample[], retentionDays: number): Promise<void> {
      if (examples.length === 0) await records.delete(memberKey(member))
      else await records.set(memberKey(member), { examples: examples.slice(0, maxContrastExamples) }, retentionDays * 86_400_000)
    },
    /** Drops examples drafted from messages that are gone (retention, deletion on the platform). */
    async dropFrom(member: MemberRef, gone: Set<string>, retentionDays: number): Promise<void> {
      const examples = await get(member)
      const kept = examples.filter((each) => !gone.has(`${each.channelId}\n${each.messageId}`))
      if (kept.length !== examples.length) {
        if (kept.length) await records.set(memberKey(member), { examples: kept }, retentionDays * 86_400_000)
        else await records.delete(memberKey(member))
      }
    },
  }
}
