// A member's bounded message history: one entry per message, keyed by the member's append sequence number, with a
// retention TTL; an index from platform message to author (so edits and deletions can be mirrored, and a message is
// stored once); and erasure that leaves nothing. A live message is stored by one atomic step of the store
// (Store.append): consent checked, message claimed, sequence number taken, row written, in one round trip and
// without the member lock. Everything else runs under the member lock, held by the caller.
import { z } from 'zod'
import { sequencePlaceholder, type Store } from '../../store/store.js'
import { memberChildKey, memberKey, parseMemberKey, workspaceChildKey } from '../identity/keys.js'
import { channelKindSchema } from '../identity/member-ref.js'
import type { MemberRef, WorkspaceRef } from '../types.js'

export const storedMessageSchema = z.object({
  id: z.string(),
  channelId: z.string(),
  channelKind: channelKindSchema,
  threadId: z.string().optional(),
  text: z.string(),
  timestamp: z.number(),
  /** When the bot stored it; retention counts from here, so an imported export is kept as long as live messages. */
  storedAt: z.number(),
  /**
   * The member's append sequence number (1, 2, …; never reused, with gaps where a step was cut short). The row's key
   * holds it too. Derived records name the rows they cover by it (see member-style-store.ts).
   */
  seq: z.number().int().positive().optional(),
})
export type StoredMessage = z.output<typeof storedMessageSchema>

/**
 * `seq` > 0: the row's number (a row no longer in the history means the message was dropped or removed, and the same
 * message delivered again is a duplicate). -1: claimed by an import that has not appended it yet (`claim` names the
 * import). Entries of the earlier page layout (`page`) are rewritten by migrateLegacy().
 */
const ownerSchema = z.object({ userId: z.string(), seq: z.number().int().optional(), page: z.number().int().optional(), claim: z.string().optional() })

/** Marks an import batch whose author index may not be written yet (see batch-observer.ts); cleared by settled(). */
const unsettledSchema = z.object({ unsettledMessages: z.number().int().positive() })

/** The earlier layout: pages of up to 50 rows under an index; read only to migrate it. */
const legacyMetaSchema = z.object({ pages: z.array(z.object({ number: z.number().int(), size: z.number().int() })), appended: z.number().int().optional() })
const legacyPageSchema = z.object({ messages: z.array(storedMessageSchema) })

/** The counter that numbers the member's rows (`appended`) and counts those gone (`removed`) and new ones (learning). */
export const historyCounterKey = (member: MemberRef) => memberChildKey(member, 'history')


/** Set once every history is in this layout (its own key: no member's, so no erase or scan of a member meets it). */
const layoutKey = 'layout'

const rangeChunk = 1000

export type Claim = { member: MemberRef; channelId: string; messageId: string }
export type AppendResult = { status: 'not_opted_in' } | { status: 'duplicate' } | { status: 'stored'; seq: number; newMessages: number }
const dayMs = 86_400_000

export type HistoryStore = ReturnType<typeof createHistoryStore>

export function createHistoryStore(store: Store, clock: () => number, limits: { maxMessages: number }) {
  const rows = store.collection('history', storedMessageSchema)
  const markers = store.collection('history', unsettledSchema)
  const owners = store.collection('message-owner', ownerSchema)
  const rowKey = (member: MemberRef, seq: number | string) => `${memberChildKey(member, 'row')}:${seq}`
  const unsettledKey = (member: MemberRef) => memberChildKey(member, 'unsettled')
  const ownerKey = (workspace: WorkspaceRef, channelId: string, messageId: string) => workspaceChildKey(workspace, channelId, messageId)
  const ttl = (retentionDays: number) => retentionDays * dayMs + dayMs // a day of slack: the sweep is exact, the TTL a backstop
  const { maxMessages } = limits

  const counter = async (member: MemberRef) => {
    const values = await store.counters.get(historyCounterKey(member))
    return { appended: values.appended ?? 0, removed: values.removed ?? 0, trimmed: values.trimmed ?? 0 }
  }
  const countRemoved = async (member: MemberRef, count: number) => {
    if (count > 0) await store.counters.add([{ key: historyCounterKey(member), deltas: { removed: count } }])
  }
  /** The numbers of the rows in the history now: the newest `maxMessages` given out. */
  const window = (appended: number) => ({ first: Math.max(1, appended - maxMessages + 1), last: appended })
  /** Existing rows numbered `first`..`last`, oldest first. */
  const range = async (member: MemberRef, first: number, last: number): Promise<StoredMessage[]> => {
    const result: StoredMessage[] = []
    // In reads of a bounded size: a trim after a long import may span many numbers.
    for (let start = first; start <= last; start += rangeChunk) {
      const numbers = Array.from({ length: Math.min(rangeChunk, last - start + 1) }, (_, index) => start + index)
      const found = await rows.getMany(numbers.map((seq) => rowKey(member, seq)))
      found.forEach((row, index) => row && result.push({ ...row, seq: numbers[index]! }))
    }
    return result
  }
  /** The owner entry of a row still in the history; undefined for an unknown, dropped or pending message. */
  const located = async (member: MemberRef, channelId: string, messageId: string) => {
    const owner = await owners.get(ownerKey(member, channelId, messageId))
    if (!owner || owner.userId !== member.userId || !owner.seq || owner.seq < 1) return undefined
    const { first } = window((await counter(member)).appended)
    if (owner.seq < first) return undefined
    const row = await rows.get(rowKey(member, owner.seq))
    return row && row.id === messageId && row.channelId === channelId ? { seq: owner.seq, row: { ...row, seq: owner.seq } } : undefined
  }

  return {
    /**
     * Stores a live message in one atomic step: nothing when the member is not opted in (their consent record is the
     * step's guard, so an opt-out or forget that lands first wins) or the message was stored before (by this or
     * another process, even if since dropped).
     */
    async appendLive(member: MemberRef, input: Omit<StoredMessage, 'seq'>, retentionDays: number): Promise<AppendResult> {
      const lifetime = ttl(retentionDays)
      const outcome = await store.append({
        guard: { collection: 'consent', key: memberKey(member) },
        claim: { collection: 'message-owner', key: ownerKey(member, input.channelId, input.id), value: { userId: member.userId, seq: sequencePlaceholder }, ttlMs: lifetime },
        sequence: { key: historyCounterKey(member), field: 'appended', alsoIncrement: ['newMessages'] },
        writes: [{ collection: 'history', key: rowKey(member, sequencePlaceholder), value: { ...input, seq: sequencePlaceholder }, ttlMs: lifetime }],
      })
      if (outcome.status === 'unguarded') return { status: 'not_opted_in' }
      if (outcome.status === 'claimed') return { status: 'duplicate' }
      return { status: 'stored', seq: outcome.sequence, newMessages: outcome.counter.newMessages ?? 0 }
    },

    async owner(workspace: WorkspaceRef, channelId: string, messageId: string) {
      return owners.get(ownerKey(workspace, channelId, messageId))
    },

    /**
     * Deletes the rows numbered below `before` that left the bound since the last trim (the style fold counted them
     * out first, up to the number it gives: see member-style-store.ts). Callers hold the member lock.
     */
    async trim(member: MemberRef, before?: number): Promise<void> {
      const { appended, trimmed } = await counter(member)
      const first = Math.min(before ?? Infinity, window(appended).first)
      if (first - 1 <= trimmed) return
      const gone = await range(member, trimmed + 1, first - 1)
      if (gone.length) await rows.deleteMany(gone.map((row) => rowKey(member, row.seq!)))
      await store.counters.add([{ key: historyCounterKey(member), deltas: { trimmed: first - 1 - trimmed, removed: gone.length } }])
    },

    /** The first number in the history once `appended` numbers are given out (rows before it have left the bound). */
    windowStart: (appended: number) => window(appended).first,

    /** Rows numbered `first`..`last` still stored, in or past the bound (to count out those that left it). */
    rowsNumbered: (member: MemberRef, first: number, last: number) => range(member, Math.max(1, first), last),

    /**
     * Claims many messages of one workspace in one round trip for an import; true where this call holds the claim.
     * A token takes back claims of its own left pending (an import that crashed before appending): the append then
     * keeps only messages still unappended under the member lock, so two holders of one token store a message once.
     */
    async claimMany(claims: readonly Claim[], retentionDays: number, token: string): Promise<boolean[]> {
      const keys = claims.map((each) => ownerKey(each.member, each.channelId, each.messageId))
      const claimed = await owners.setManyIfAbsent(claims.map((each, index) => ({ key: keys[index]!, value: { userId: each.member.userId, seq: -1, claim: token }, ttlMs: ttl(retentionDays) })))
      const contested = keys.filter((key) => !claimed.has(key))
      const existing = new Map(contested.length ? (await owners.getMany(contested)).map((value, index) => [contested[index]!, value]) : [])
      return claims.map((each, index) => {
        const key = keys[index]!
        if (claimed.has(key)) return true
        const owner = existing.get(key)
        return owner?.seq === -1 && owner.claim === token && owner.userId === each.member.userId
      })
    },

    async releaseMany(claims: readonly Claim[]) {
      await owners.deleteMany(claims.map((each) => ownerKey(each.member, each.channelId, each.messageId)))
    },

    /** Of these claimed messages of the member, those not appended yet (another holder of the claim may have). */
    async unappended(member: MemberRef, messages: readonly { channelId: string; id: string }[]): Promise<boolean[]> {
      const values = messages.length ? await owners.getMany(messages.map((each) => ownerKey(member, each.channelId, each.id))) : []
      return values.map((owner) => owner?.seq === -1 && owner.userId === member.userId)
    },

    /**
     * Appends claimed messages in order, each given the member's next number, in three writes: the numbers (one
     * counter step), the rows with the `unsettled` marker, then the author index. Rows past the bound at once are
     * not written; rows the batch pushes past it are deleted by the style fold that follows, as for live messages.
     */
    async appendMany(member: MemberRef, messages: readonly Omit<StoredMessage, 'seq'>[], retentionDays: number): Promise<void> {
      if (!messages.length) return
      const [after] = await store.counters.add([{ key: historyCounterKey(member), deltas: { appended: messages.length } }])
      const last = after?.appended ?? messages.length
      const firstNew = last - messages.length + 1
      const { first } = window(last)
      const lifetime = ttl(retentionDays)
      const numbered = messages.map((message, index) => ({ ...message, seq: firstNew + index }))
      // Counted as gone at once, as a trim would count them, so the size stays what the rows say.
      await countRemoved(member, numbered.filter((row) => row.seq < first).length)
      await store.collection('history', z.union([storedMessageSchema, unsettledSchema])).setMany([
        ...numbered.filter((row) => row.seq >= first).map((row) => ({ key: rowKey(member, row.seq), value: row, ttlMs: lifetime })),
        { key: unsettledKey(member), value: { unsettledMessages: messages.length }, ttlMs: lifetime },
      ])
      // As for live messages: a message numbered and dropped stays known, so importing it again is a duplicate.
      await owners.setMany(numbered.map((row) => ({ key: ownerKey(member, row.channelId, row.id), value: { userId: member.userId, seq: row.seq }, ttlMs: lifetime })))
    },

    /** The messages of a batch append not followed by settled() (the process stopped in between); 0 when none. */
    async unsettled(member: MemberRef): Promise<number> {
      return (await markers.get(unsettledKey(member)))?.unsettledMessages ?? 0
    },

    /** The learning state includes the last batch append. */
    async settled(member: MemberRef): Promise<void> {
      await markers.delete(unsettledKey(member))
    },

    /** Points the author index at each row of the history (after an interrupted batch append). */
    async reindex(member: MemberRef, retentionDays: number): Promise<StoredMessage[]> {
      const { first, last } = window((await counter(member)).appended)
      const found = await range(member, first, last)
      await owners.setMany(found.map((row) => ({ key: ownerKey(member, row.channelId, row.id), value: { userId: member.userId, seq: row.seq! }, ttlMs: ttl(retentionDays) })))
      return found
    },

    /** Replaces a message's text; returns the previous version, or undefined when it is not in the history. */
    async edit(member: MemberRef, channelId: string, messageId: string, text: string, retentionDays: number): Promise<StoredMessage | undefined> {
      const found = await located(member, channelId, messageId)
      if (!found) return undefined
      // The row keeps the lifetime it was stored with.
      const left = found.row.storedAt + ttl(retentionDays) - clock()
      if (left <= 0) return undefined
      await rows.set(rowKey(member, found.seq), { ...found.row, text }, left)
      return found.row
    },

    /** Removes a message; returns it, or undefined when it was not in the history. */
    async remove(member: MemberRef, channelId: string, messageId: string): Promise<StoredMessage | undefined> {
      const found = await located(member, channelId, messageId)
      await owners.delete(ownerKey(member, channelId, messageId))
      if (!found) return undefined
      await rows.delete(rowKey(member, found.seq))
      await countRemoved(member, 1)
      return found.row
    },

    /** Messages in the history (rows past the bound count until trimmed). */
    async size(member: MemberRef): Promise<number> {
      const { appended, removed } = await counter(member)
      return Math.max(0, Math.min(maxMessages, appended - removed))
    },

    /** The last number given out (0 before the first append): what a derived record covers when current. */
    async appended(member: MemberRef): Promise<number> {
      return (await counter(member)).appended
    },

    /** Rows in the history with `after` < seq <= `through`, whatever their retention; `after` = -1 reads every row. */
    async appendedBetween(member: MemberRef, after: number, through: number): Promise<StoredMessage[]> {
      const { first } = window(through)
      return range(member, Math.max(first, after + 1), through)
    },

    /** Every message still within retention, oldest first. Reads the whole history: for background work only. */
    async all(member: MemberRef, retentionDays: number): Promise<StoredMessage[]> {
      const { first, last } = window((await counter(member)).appended)
      const cutoff = clock() - retentionDays * dayMs
      return (await range(member, first, last)).filter((each) => each.storedAt >= cutoff).sort((a, b) => a.timestamp - b.timestamp)
    },

    /**
     * A bounded read of a history for work on someone else's behalf (a colleague's floor in calibration): up to
     * `count` rows spread evenly over the history, the newest included.
     */
    async sample(member: MemberRef, count: number, retentionDays: number): Promise<StoredMessage[]> {
      const { first, last } = window((await counter(member)).appended)
      const span = last - first + 1
      if (span <= 0) return []
      const wanted = Math.min(span, Math.max(0, count))
      const numbers = [...new Set(Array.from({ length: wanted }, (_, index) => last - Math.floor((index * span) / wanted)))]
      const found = await rows.getMany(numbers.map((seq) => rowKey(member, seq)))
      const cutoff = clock() - retentionDays * dayMs
      return found
        .flatMap((row, index) => (row ? [{ ...row, seq: numbers[index]! }] : []))
        .filter((each) => each.storedAt >= cutoff)
        .sort((a, b) => a.timestamp - b.timestamp)
    },

    /** The rows these references name that are still in the history, in the order given. */
    async byRefs(member: MemberRef, refs: { channelId: string; id: string }[]): Promise<StoredMessage[]> {
      if (!refs.length) return []
      const [found, { appended }] = await Promise.all([owners.getMany(refs.map((ref) => ownerKey(member, ref.channelId, ref.id))), counter(member)])
      const { first } = window(appended)
      const numbers = found.map((owner) => (owner && owner.userId === member.userId && owner.seq && owner.seq >= first ? owner.seq : 0))
      const wanted = numbers.filter((seq) => seq > 0)
      const values = await rows.getMany(wanted.map((seq) => rowKey(member, seq)))
      const bySeq = new Map(values.flatMap((row, index) => (row ? [[wanted[index]!, { ...row, seq: wanted[index]! }] as const] : [])))
      return refs.flatMap((ref, index) => {
        const row = bySeq.get(numbers[index]!)
        return row && row.id === ref.id && row.channelId === ref.channelId ? [row] : []
      })
    },

    async byIds(member: MemberRef, ids: Set<string>, retentionDays: number): Promise<StoredMessage[]> {
      return (await this.all(member, retentionDays)).filter((each) => ids.has(each.id))
    },

    /** Removes messages past retention; returns them so derived data (style counts) can be updated. */
    async sweep(member: MemberRef, retentionDays: number): Promise<StoredMessage[]> {
      const cutoff = clock() - retentionDays * dayMs
      const { first, last } = window((await counter(member)).appended)
      const expired = (await range(member, first, last)).filter((each) => each.storedAt < cutoff)
      if (!expired.length) return []
      await owners.deleteMany(expired.map((each) => ownerKey(member, each.channelId, each.id)))
      await rows.deleteMany(expired.map((each) => rowKey(member, each.seq!)))
      await countRemoved(member, expired.length)
      return expired
    },

    /** Deletes every row, marker and author index entry of the member; returns the messages erased. */
    async erase(member: MemberRef): Promise<number> {
      const keys: string[] = []
      for await (const key of rows.keys(memberKey(member) + ':')) keys.push(key)
      const values = await rows.getMany(keys)
      const erased = values.filter(Boolean).length
      await owners.deleteMany(values.flatMap((row) => (row ? [ownerKey(member, row.channelId, row.id)] : [])))
      await rows.deleteMany(keys)
      // Entries of rows already dropped, and claims never appended, are found by scanning the workspace.
      const orphans: string[] = []
      for await (const key of owners.keys(workspaceChildKey(member) + ':')) orphans.push(key)
      const orphanValues = await owners.getMany(orphans)
      await owners.deleteMany(orphans.filter((_key, index) => orphanValues[index]?.userId === member.userId))
      // The counter (numbers, new messages) is erased with the member's other counters.
      return erased
    },

    /**
     * Moves histories of the earlier page layout to one row per message, keeping their numbers (rows from before
     * numbering get the next ones), and points their author index at the rows. Returns the members moved, whose
     * stored style counts must then be rebuilt. Runs at startup, before any message is observed.
     */
    async migrateLegacy(lockMember: <T>(member: MemberRef, work: () => Promise<T>) => Promise<T>, retentionDaysOf: (member: MemberRef) => Promise<number>): Promise<MemberRef[]> {
      const layouts = store.collection('history', z.object({ rowsPerMessage: z.literal(true) }))
      if (await layouts.get(layoutKey)) return []
      const legacy = store.collection('history', legacyMetaSchema)
      const pages = store.collection('history', legacyPageSchema)
      const moved: MemberRef[] = []
      for await (const key of legacy.keys('')) {
        if (!key.endsWith(':meta')) continue
        const member = parseMemberKey(key.slice(0, -':meta'.length))
        const meta = member && (await legacy.get(key))
        if (!member || !meta) continue
        await lockMember(member, async () => {
          const pageKeys = meta.pages.map((page) => memberChildKey(member, 'page', page.number))
          const found = (await pages.getMany(pageKeys)).flatMap((page) => page?.messages ?? [])
          let next = Math.max(meta.appended ?? 0, ...found.map((row) => row.seq ?? 0)) + 1
          const numbered = found.map((row) => ({ ...row, seq: row.seq ?? next++ }))
          const { appended } = await counter(member)
          const highest = Math.max(0, ...numbered.map((row) => row.seq))
          // Numbers no row holds (rows dropped before the move) count as gone, so the size is what the rows say.
          if (highest > appended) await store.counters.add([{ key: historyCounterKey(member), deltas: { appended: highest - appended, removed: highest - appended - numbered.length } }])
          const lifetime = ttl(await retentionDaysOf(member))
          await rows.setMany(numbered.map((row) => ({ key: rowKey(member, row.seq), value: row, ttlMs: Math.max(1, row.storedAt + lifetime - clock()) })))
          await owners.setMany(numbered.map((row) => ({ key: ownerKey(member, row.channelId, row.id), value: { userId: member.userId, seq: row.seq }, ttlMs: lifetime })))
          await pages.deleteMany([...pageKeys, key])
        })
        moved.push(member)
      }
      // Later startups skip the scan.
      await layouts.set(layoutKey, { rowsPerMessage: true })
      return moved
    },
  }
}
