// A member's bounded message history: pages of up to 50 messages with a retention TTL, an index from platform message
// to author (so edits and deletions can be mirrored), and erasure that leaves nothing. Callers hold the member lock.
import { z } from 'zod'
import type { Store } from '../../store/store.js'
import { memberChildKey, memberKey, workspaceChildKey } from '../identity/keys.js'
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
   * The member's append sequence number (1, 2, …; never reused). Derived records name the rows they cover by it (see
   * member-style-store.ts). Rows stored before sequencing have none and count as 0, covered by any rebuild.
   */
  seq: z.number().int().positive().optional(),
})
export type StoredMessage = z.output<typeof storedMessageSchema>

const pageSchema = z.object({ messages: z.array(storedMessageSchema) })
const metaSchema = z.object({
  pages: z.array(z.object({ number: z.number().int(), size: z.number().int() })),
  nextPage: z.number().int(),
  count: z.number().int(),
  /** Rows ever appended: the last `seq` given out (absent on histories written before sequencing). */
  appended: z.number().int().nonnegative().optional(),
  /**
   * Messages of a batch append (an import) that the author index and learning state may not include yet: set with
   * the pages, cleared once both are updated. A crash in between leaves it set, and the next batch for the member
   * repairs both from the history itself (see batch-observer.ts). The style counts need no repair: they follow `seq`.
   */
  unsettled: z.number().int().optional(),
})
/**
 * page -1: claimed by a delivery that has not appended it yet; `claim` names that delivery (see claim()). page -2:
 * stored once and since dropped to keep the history bounded, so the same message delivered or imported again is a
 * duplicate (re-importing an export longer than the bound would otherwise churn the history).
 */
const ownerSchema = z.object({ userId: z.string(), page: z.number().int(), claim: z.string().optional() })

const pageSize = 50
const droppedPage = -2

export type Claim = { member: MemberRef; channelId: string; messageId: string }
const dayMs = 86_400_000

export type HistoryStore = ReturnType<typeof createHistoryStore>

export function createHistoryStore(store: Store, clock: () => number) {
  const history = store.collection('history', z.union([pageSchema, metaSchema]))
  const owners = store.collection('message-owner', ownerSchema)
  const metaKey = (member: MemberRef) => memberChildKey(member, 'meta')
  const pageKey = (member: MemberRef, page: number) => memberChildKey(member, 'page', page)
  const ownerKey = (workspace: WorkspaceRef, channelId: string, messageId: string) => workspaceChildKey(workspace, channelId, messageId)

  const readMeta = async (member: MemberRef) => {
    const value = await history.get(metaKey(member))
    return value && 'nextPage' in value ? value : { pages: [], nextPage: 0, count: 0 }
  }
  const readPage = async (member: MemberRef, page: number) => {
    const value = await history.get(pageKey(member, page))
    return value && 'messages' in value ? value : { messages: [] }
  }
  const ttl = (retentionDays: number) => retentionDays * dayMs + dayMs // a day of slack: the sweep is exact, the TTL a backstop
  const droppedOwner = (member: MemberRef, message: StoredMessage, retentionDays: number) => ({
    key: ownerKey(member, message.channelId, message.id),
    value: { userId: member.userId, page: droppedPage },
    ttlMs: ttl(retentionDays),
  })

  return {
    /**
     * Claim a platform message for a member. False when it was already claimed (a retried or duplicated delivery),
     * so two processes receiving the same event store it once. With `token`, a claim left by an earlier attempt of
     * the same delivery (the store failed before the append, and before the claim could be released) is taken back.
     */
    async claim(member: MemberRef, channelId: string, messageId: string, retentionDays: number, token?: string): Promise<boolean> {
      const key = ownerKey(member, channelId, messageId)
      if (await owners.setIfAbsent(key, { userId: member.userId, page: -1, ...(token ? { claim: token } : {}) }, ttl(retentionDays))) return true
      if (!token) return false
      const existing = await owners.get(key)
      return existing?.page === -1 && existing.claim === token && existing.userId === member.userId
    },

    async owner(workspace: WorkspaceRef, channelId: string, messageId: string) {
      return owners.get(ownerKey(workspace, channelId, messageId))
    },

    async release(member: MemberRef, channelId: string, messageId: string) {
      await owners.delete(ownerKey(member, channelId, messageId))
    },

    /**
     * Appends a message, giving it the member's next `seq`; returns the messages dropped to keep the history within
     * `maxMessages`.
     */
    async append(member: MemberRef, input: StoredMessage, limits: { maxMessages: number; retentionDays: number }): Promise<StoredMessage[]> {
      const meta = await readMeta(member)
      meta.appended = (meta.appended ?? 0) + 1
      const message: StoredMessage = { ...input, seq: meta.appended }
      let last = meta.pages.at(-1)
      if (!last || last.size >= pageSize) {
        last = { number: meta.nextPage, size: 0 }
        meta.pages.push(last)
        meta.nextPage += 1
      }
      const page = last.size === 0 ? { messages: [] } : await readPage(member, last.number)
      page.messages.push(message)
      last.size = page.messages.length
      meta.count += 1
      await history.set(pageKey(member, last.number), page, ttl(limits.retentionDays))
      await owners.set(ownerKey(member, message.channelId, message.id), { userId: member.userId, page: last.number }, ttl(limits.retentionDays))

      const dropped: StoredMessage[] = []
      // Drop whole oldest pages: cheap, and the history stays between (bound - one page) and the bound.
      while (meta.count > limits.maxMessages && meta.pages.length > 1) {
        const oldest = meta.pages.shift()!
        const oldPage = await readPage(member, oldest.number)
        dropped.push(...oldPage.messages)
        meta.count -= oldest.size
        await history.delete(pageKey(member, oldest.number))
        await owners.setMany(oldPage.messages.map((each) => droppedOwner(member, each, limits.retentionDays)))
      }
      await history.set(metaKey(member), meta, ttl(limits.retentionDays))
      return dropped
    },

    /**
     * claim() for many messages of one workspace in one round trip; true where this call holds the claim. A token
     * takes back claims of its own left page -1 (an import that crashed before appending): the append then keeps
     * only messages still unappended under the member lock, so two holders of one token store a message once.
     */
    async claimMany(claims: readonly Claim[], retentionDays: number, token: string): Promise<boolean[]> {
      const keys = claims.map((each) => ownerKey(each.member, each.channelId, each.messageId))
      const claimed = await owners.setManyIfAbsent(claims.map((each, index) => ({ key: keys[index]!, value: { userId: each.member.userId, page: -1, claim: token }, ttlMs: ttl(retentionDays) })))
      const contested = keys.filter((key) => !claimed.has(key))
      const existing = new Map(contested.length ? (await owners.getMany(contested)).map((value, index) => [contested[index]!, value]) : [])
      return claims.map((each, index) => {
        const key = keys[index]!
        if (claimed.has(key)) return true
        const owner = existing.get(key)
        return owner?.page === -1 && owner.claim === token && owner.userId === each.member.userId
      })
    },

    async releaseMany(claims: readonly Claim[]) {
      await owners.deleteMany(claims.map((each) => ownerKey(each.member, each.channelId, each.messageId)))
    },

    /** Of these claimed messages of the member, those not appended yet (another holder of the claim may have). */
    async unappended(member: MemberRef, messages: readonly { channelId: string; id: string }[]): Promise<boolean[]> {
      const values = messages.length ? await owners.getMany(messages.map((each) => ownerKey(member, each.channelId, each.id))) : []
      return values.map((owner) => owner?.page === -1 && owner.userId === member.userId)
    },

    /**
     * append() for many messages in order (each given the member's next `seq`), with the same pages and drops as one
     * append() each, in two writes (the pages with the page index, then the author index); the index counts the batch
     * `unsettled` until settled().
     */
    async appendMany(member: MemberRef, messages: readonly StoredMessage[], limits: { maxMessages: number; retentionDays: number }): Promise<StoredMessage[]> {
      const meta = await readMeta(member)
      const pages = new Map<number, { messages: StoredMessage[] }>()
      const pageOf = async (number: number) => pages.get(number) ?? (await readPage(member, number))
      const placed: { message: StoredMessage; page: number }[] = []
      const dropped: StoredMessage[] = []
      const deletedPages: number[] = []
      for (const input of messages) {
        meta.appended = (meta.appended ?? 0) + 1
        const message: StoredMessage = { ...input, seq: meta.appended }
        let last = meta.pages.at(-1)
        if (!last || last.size >= pageSize) {
          last = { number: meta.nextPage, size: 0 }
          meta.pages.push(last)
          meta.nextPage += 1
          pages.set(last.number, { messages: [] })
        }
        const page = await pageOf(last.number)
        pages.set(last.number, page)
        page.messages.push(message)
        last.size = page.messages.length
        meta.count += 1
        placed.push({ message, page: last.number })
        while (meta.count > limits.maxMessages && meta.pages.length > 1) {
          const oldest = meta.pages.shift()!
          dropped.push(...(await pageOf(oldest.number)).messages)
          pages.delete(oldest.number)
          deletedPages.push(oldest.number)
          meta.count -= oldest.size
        }
      }
      const live = new Set(meta.pages.map((each) => each.number))
      const keep = placed.filter((each) => live.has(each.page))
      const lifetime = ttl(limits.retentionDays)
      await history.setMany([
        ...[...pages].map(([number, page]) => ({ key: pageKey(member, number), value: page, ttlMs: lifetime })),
        { key: metaKey(member), value: { ...meta, unsettled: messages.length }, ttlMs: lifetime },
      ])
      await history.deleteMany(deletedPages.map((number) => pageKey(member, number)))
      await owners.setMany([
        // As append(): a message dropped from the history stays known as dropped (those of this batch included).
        ...dropped.map((each) => droppedOwner(member, each, limits.retentionDays)),
        ...keep.map((each) => ({ key: ownerKey(member, each.message.channelId, each.message.id), value: { userId: member.userId, page: each.page }, ttlMs: lifetime })),
      ])
      return dropped
    },

    /** The messages of a batch append not followed by settled() (the process stopped in between); 0 when none. */
    async unsettled(member: MemberRef): Promise<number> {
      return (await readMeta(member)).unsettled ?? 0
    },

    /** The style counts and learning state now include the last batch append. */
    async settled(member: MemberRef, retentionDays: number): Promise<void> {
      const { unsettled: _unsettled, ...meta } = await readMeta(member)
      await history.set(metaKey(member), meta, ttl(retentionDays))
    },

    /** Points the author index at the pages that hold each message (after an interrupted batch append). */
    async reindex(member: MemberRef, retentionDays: number): Promise<StoredMessage[]> {
      const meta = await readMeta(member)
      const pages = await history.getMany(meta.pages.map((each) => pageKey(member, each.number)))
      const entries = pages.flatMap((page, index) =>
        page && 'messages' in page ? page.messages.map((message) => ({ message, page: meta.pages[index]!.number })) : [],
      )
      await owners.setMany(entries.map((each) => ({ key: ownerKey(member, each.message.channelId, each.message.id), value: { userId: member.userId, page: each.page }, ttlMs: ttl(retentionDays) })))
      return entries.map((each) => each.message)
    },

    /** Replaces a message's text; returns the previous version, or undefined when it is not in the history. */
    async edit(member: MemberRef, channelId: string, messageId: string, text: string): Promise<StoredMessage | undefined> {
      const owner = await owners.get(ownerKey(member, channelId, messageId))
      if (!owner || owner.page < 0) return undefined
      const page = await readPage(member, owner.page)
      const index = page.messages.findIndex((each) => each.id === messageId && each.channelId === channelId)
      if (index < 0) return undefined
      const previous = page.messages[index]!
      page.messages[index] = { ...previous, text }
      await history.set(pageKey(member, owner.page), page)
      return previous
    },

    /** Removes a message; returns it, or undefined when it was not in the history. */
    async remove(member: MemberRef, channelId: string, messageId: string): Promise<StoredMessage | undefined> {
      const key = ownerKey(member, channelId, messageId)
      const owner = await owners.get(key)
      await owners.delete(key)
      if (!owner || owner.page < 0) return undefined
      const page = await readPage(member, owner.page)
      const index = page.messages.findIndex((each) => each.id === messageId && each.channelId === channelId)
      if (index < 0) return undefined
      const [removed] = page.messages.splice(index, 1)
      const meta = await readMeta(member)
      const entry = meta.pages.find((each) => each.number === owner.page)
      if (entry) entry.size = page.messages.length
      meta.count = Math.max(0, meta.count - 1)
      await history.set(pageKey(member, owner.page), page)
      await history.set(metaKey(member), meta)
      return removed
    },

    async size(member: MemberRef): Promise<number> {
      return (await readMeta(member)).count
    },

    /** The last `seq` given out (0 before the first sequenced append): what a derived record covers when current. */
    async appended(member: MemberRef): Promise<number> {
      return (await readMeta(member)).appended ?? 0
    },

    /**
     * Rows with `after` < seq <= `through`, whatever their retention (derived records follow the rows, and the sweep
     * reports what it removes), read from the newest pages back only as far as needed; `after` = -1 reads every row.
     */
    async appendedBetween(member: MemberRef, after: number, through: number): Promise<StoredMessage[]> {
      const meta = await readMeta(member)
      const rows: StoredMessage[] = []
      const inRange = (each: StoredMessage) => (each.seq ?? 0) > after && (each.seq ?? 0) <= through
      let end = meta.pages.length
      while (end > 0) {
        // Pages hold rows in seq order, so one page with a row at or before `after` ends the walk.
        const start = Math.max(0, end - Math.max(1, Math.ceil((through - after) / pageSize)))
        const pages = await history.getMany(meta.pages.slice(start, end).map((each) => pageKey(member, each.number)))
        let reachedCovered = false
        for (const page of pages) {
          const messages = page && 'messages' in page ? page.messages : []
          rows.push(...messages.filter(inRange))
          if (messages.some((each) => (each.seq ?? 0) <= after)) reachedCovered = true
        }
        if (reachedCovered) break
        end = start
      }
      return rows
    },

    /** Every message still within retention, oldest first. Reads the whole history: for background work only. */
    async all(member: MemberRef, retentionDays: number): Promise<StoredMessage[]> {
      const meta = await readMeta(member)
      const pages = await history.getMany(meta.pages.map((each) => pageKey(member, each.number)))
      const cutoff = clock() - retentionDays * dayMs
      return pages
        .flatMap((page) => (page && 'messages' in page ? page.messages : []))
        .filter((each) => each.storedAt >= cutoff)
        .sort((a, b) => a.timestamp - b.timestamp)
    },

    /**
     * A bounded read of a history for work on someone else's behalf (a colleague's floor in calibration): only the
     * pages needed for `maxMessages` (one more, as pages may be part full), spread over the history.
     */
    async sample(member: MemberRef, maxMessages: number, retentionDays: number): Promise<StoredMessage[]> {
      const meta = await readMeta(member)
      const wanted = Math.min(meta.pages.length, Math.ceil(maxMessages / pageSize) + 1)
      // Evenly spaced pages ending with the newest; distinct because there are at least as many pages as wanted.
      const chosen = Array.from({ length: wanted }, (_, index) => meta.pages[Math.floor(((index + 1) * meta.pages.length) / wanted) - 1]!)
      const pages = await history.getMany(chosen.map((page) => pageKey(member, page.number)))
      const cutoff = clock() - retentionDays * dayMs
      return pages
        .flatMap((page) => (page && 'messages' in page ? page.messages : []))
        .filter((each) => each.storedAt >= cutoff)
        .sort((a, b) => a.timestamp - b.timestamp)
    },

    /** The rows these references name that are still in the history, in the order given (one read per page). */
    async byRefs(member: MemberRef, refs: { channelId: string; id: string }[]): Promise<StoredMessage[]> {
      const found = await owners.getMany(refs.map((ref) => ownerKey(member, ref.channelId, ref.id)))
      const pageNumbers = [...new Set(found.flatMap((owner) => (owner && owner.userId === member.userId && owner.page >= 0 ? [owner.page] : [])))]
      const pages = await history.getMany(pageNumbers.map((page) => pageKey(member, page)))
      const rows = new Map<string, StoredMessage>()
      for (const page of pages) if (page && 'messages' in page) for (const row of page.messages) rows.set(`${row.channelId}\n${row.id}`, row)
      return refs.flatMap((ref) => rows.get(`${ref.channelId}\n${ref.id}`) ?? [])
    },

    async byIds(member: MemberRef, ids: Set<string>, retentionDays: number): Promise<StoredMessage[]> {
      return (await this.all(member, retentionDays)).filter((each) => ids.has(each.id))
    },

    /** Removes messages past retention; returns them so derived data (style counts) can be updated. */
    async sweep(member: MemberRef, retentionDays: number): Promise<StoredMessage[]> {
      const cutoff = clock() - retentionDays * dayMs
      const meta = await readMeta(member)
      const expired: StoredMessage[] = []
      for (const entry of [...meta.pages]) {
        const page = await readPage(member, entry.number)
        const keep = page.messages.filter((each) => each.storedAt >= cutoff)
        if (keep.length === page.messages.length) continue
        const gone = page.messages.filter((each) => each.storedAt < cutoff)
        expired.push(...gone)
        await owners.deleteMany(gone.map((each) => ownerKey(member, each.channelId, each.id)))
        meta.count -= gone.length
        entry.size = keep.length
        if (keep.length === 0 && entry !== meta.pages.at(-1)) {
          meta.pages.splice(meta.pages.indexOf(entry), 1)
          await history.delete(pageKey(member, entry.number))
        } else {
          await history.set(pageKey(member, entry.number), { messages: keep }, ttl(retentionDays))
        }
      }
      if (expired.length) await history.set(metaKey(member), meta, ttl(retentionDays))
      return expired
    },

    /** Deletes every page, the page index and every author index entry of the member; returns messages erased. */
    async erase(member: MemberRef): Promise<number> {
      let erased = 0
      const keys: string[] = []
      for await (const key of history.keys(memberKey(member) + ':')) keys.push(key)
      const values = await history.getMany(keys)
      for (const value of values) {
        if (value && 'messages' in value) {
          erased += value.messages.length
          await owners.deleteMany(value.messages.map((each) => ownerKey(member, each.channelId, each.id)))
        }
      }
      await history.deleteMany(keys)
      // Author index entries left by an interrupted append (claimed, never paged) are found by scanning the workspace.
      const orphans: string[] = []
      const workspacePrefix = workspaceChildKey(member) + ':'
      for await (const key of owners.keys(workspacePrefix)) orphans.push(key)
      const orphanValues = await owners.getMany(orphans)
      await owners.deleteMany(orphans.filter((_key, index) => orphanValues[index]?.userId === member.userId))
      return erased
    },
  }
}

