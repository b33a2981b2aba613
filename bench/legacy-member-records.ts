// The member records as they were before the sparse, write-behind layout, for the observe bench's baseline row only:
// per stored message, the dense style record (about 30,000 cells) and the learning state with its pool of up to 200
// example copies are read, checked, updated and rewritten. Never used by the bot.
import { z } from 'zod'
import { memberChildKey } from '../src/core/identity/keys.js'
import { normalizeMarkup } from '../src/core/observe/normalize-markup.js'
import { addToStyleProfile, emptyStyleProfile, styleProfileSchema } from '../src/core/style/style-profile.js'
import type { MemberRef } from '../src/core/types.js'
import type { Store } from '../src/store/store.js'
import type { CorpusMessage } from './chat-corpus.js'

const poolEntrySchema = z.object({ id: z.string(), text: z.string(), channelId: z.string(), channelKind: z.string() })
const legacyStateSchema = z.object({ newMessages: z.number().int(), attempts: z.number().int(), examplePool: z.array(poolEntrySchema) })

/**
 * Wraps the observe call with the per-message record work of the earlier layout, under keys of its own (so the new
 * records are untouched). The earlier pipeline did this instead of the new records' work, so the row overstates its
 * cost by the new path's small learning-state write and its one fold per 50 messages.
 */
export function withLegacyMemberRecords(store: Store, observe: (message: CorpusMessage) => Promise<{ status: string }>) {
  const styles = store.collection('style', z.object({ profile: styleProfileSchema }))
  const states = store.collection('learning', legacyStateSchema)
  return async (message: CorpusMessage) => {
    const outcome = await observe(message)
    if (outcome.status !== 'stored') return outcome
    const member: MemberRef = { ...message.workspace, userId: message.userId }
    const text = normalizeMarkup(message.text, message.workspace.platform)
    const styleKey = memberChildKey(member, 'legacy-bench')
    const record = (await styles.get(styleKey)) ?? { profile: emptyStyleProfile() }
    await styles.set(styleKey, { profile: addToStyleProfile(record.profile, text) })
    // The pool was filled by learning (up to 200 copies) and rewritten with every message; before learning it is empty.
    const state = (await states.get(styleKey)) ?? { newMessages: 0, attempts: 0, examplePool: [] }
    await states.set(styleKey, { ...state, newMessages: state.newMessages + 1 })
    return outcome
  }
}
