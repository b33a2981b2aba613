// Coalesced write-behind of the members' style counts: observe only marks a member whose history grew; the counts
// are folded and stored once per member per interval (or per `flushAfterMessages` messages), not once per message.
// Holds no message text, only which members are behind: reads fold the rows in themselves, so losing this (a crash)
// loses nothing, and a fold under the member's lock never counts a row twice.
import type { KeyedLock } from '../coordination/keyed-lock.js'
import { memberKey } from '../identity/keys.js'
import type { MemberStyleStore } from '../records/member-style-store.js'
import type { MemberRef } from '../types.js'
import type { Logger } from '../../logger.js'

export type StyleWriteBehindSettings = { flushIntervalMs: number; flushAfterMessages: number }

export type StyleWriteBehind = ReturnType<typeof createStyleWriteBehind>

export function createStyleWriteBehind(dependencies: {
  style: MemberStyleStore
  lock: KeyedLock
  logger: Logger
  settings: StyleWriteBehindSettings
  /**
   * Whether a fold could store or trim anything once the member's history holds rows up to number `seq` (a short
   * history has no stored counts and nothing past the bound: its fold would only read, under a lock, to do nothing).
   */
  foldCanChange: (seq: number) => boolean
}) {
  const { style, lock, logger, settings, foldCanChange } = dependencies
  const behind = new Map<string, { member: MemberRef; messages: number; seq: number }>()
  let timer: NodeJS.Timeout | undefined
  let closed = false

  const foldMember = async (key: string, member: MemberRef, seq: number) => {
    behind.delete(key)
    if (foldCanChange(seq)) await lock.run(key, (held) => style.fold(member, held))
  }
  const flushAll = async () => {
    timer = undefined
    const pending = [...behind.entries()]
    for (const [key, { member, seq }] of pending) {
      // A failed fold (store down) is not lost work: the rows are in the history, and the next read or fold counts them.
      await foldMember(key, member, seq).catch((error: unknown) => logger.warn('style_fold_failed', { error: (error as Error).message }))
    }
  }
  const schedule = () => {
    if (timer || closed) return
    timer = setTimeout(() => void flushAll(), settings.flushIntervalMs)
    timer.unref()
  }

  return {
    /**
     * The member's history grew by row number `seq`. Every `flushAfterMessages` rows the fold runs here, under the
     * member's lock, so a busy member's record trails by at most that many rows.
     */
    async appended(member: MemberRef, seq: number): Promise<void> {
      const key = memberKey(member)
      const entry = behind.get(key) ?? { member, messages: 0, seq }
      entry.messages += 1
      entry.seq = Math.max(entry.seq, seq)
      behind.set(key, entry)
      if (entry.messages < settings.flushAfterMessages) return schedule()
      // The message is stored whatever happens here: a failed fold is logged, and the next read or fold catches up.
      await foldMember(key, member, entry.seq).catch((error: unknown) => logger.warn('style_fold_failed', { error: (error as Error).message }))
    },
    /** Forget: nothing pending for the member survives (a later fold would find an empty history anyway). */
    discard(member: MemberRef): void {
      behind.delete(memberKey(member))
    },
    /** Members whose stored counts are behind their history (for tests and the bench). */
    pending(): number {
      return behind.size
    },
    flush: flushAll,
    /** Stops the timer and folds what is pending, so a clean shutdown leaves every record current. */
    async close(): Promise<void> {
      closed = true
      if (timer) clearTimeout(timer)
      await flushAll()
    },
  }
}
