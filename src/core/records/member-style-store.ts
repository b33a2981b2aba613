// A member's measured style in the store: the additive style profile, derived from the history and stored behind it
// (write-behind: a message is counted when the profile is folded, not when it is observed), the per-member
// calibration of the style-match score (refreshed by the learning job), and scoring of a text.
import { z } from 'zod'
import type { Store } from '../../store/store.js'
import { memberChildKey, memberKey } from '../identity/keys.js'
import type { HistoryStore, StoredMessage } from './history-store.js'
import { addToStyleProfile, cloneStyleProfile, emptyStyleProfile, mergeStyleProfile, removeFromStyleProfile, type StyleProfile } from '../style/style-profile.js'
import { decodeStyleProfile, encodeStyleProfile, storedStyleProfileSchema } from '../style/stored-style-profile.js'
import { calibratedStyleMatch, computeStyleCalibration, rawStyleMatch, styleCalibrationSchema } from '../style/style-calibration.js'
import { summarizeStyle } from '../style/summarize-style.js'
import type { MemberRef, StyleSummary } from '../types.js'

/**
 * The counts of the history rows numbered `from`..`covered` (see history-store.ts). Rows appended since are counted
 * in, and rows that left the history's bound since are counted out, on every read, and stored by the next fold, which
 * then deletes the rows that left; so a crash between the two loses nothing (the rows are in the history) and counts
 * nothing twice (the range moves with the counts, under the member's lock). A record of an older layout fails this
 * schema, counts as missing, and the profile is rebuilt from the history.
 */
const styleRecordSchema = z.object({ profile: storedStyleProfileSchema, covered: z.number().int().nonnegative(), from: z.number().int().positive() })

/** Written by the learning job, read when scoring; kept apart so folds never move it. */
const calibrationRecordSchema = z.object({
  calibration: styleCalibrationSchema.optional(),
  /**
   * The other opted-in members' counts at calibration time. A text is scored against this plus the member's
   * current profile, so the member's own growth never counts as "other members".
   */
  others: storedStyleProfileSchema,
})

export type StyleRecord = { profile: StyleProfile }

/** Fewer messages than this and a style-match score would be noise; drafts then show none. */
export const minimumMessagesForStyleMatch = 10

/**
 * Below this many messages no profile is stored: it is rebuilt from the history on read (two pages at most), because
 * the sparse counts of fewer messages take about as many bytes as the messages themselves (on the dev chats: 5.7 KB
 * of counts for 3.9 KB of rows at 20 messages, 13.5 KB for 10.9 KB at 50, 26.7 KB for 41.5 KB at 200).
 */
export const storedProfileFromMessages = 100

export type MemberStyleStore = ReturnType<typeof createMemberStyleStore>

export function createMemberStyleStore(store: Store, history: HistoryStore) {
  const records = store.collection('style', styleRecordSchema)
  const calibrations = store.collection('style', calibrationRecordSchema)
  const calibrationKey = (member: MemberRef) => memberChildKey(member, 'calibration')

  type Stored = { profile: StyleProfile; covered: number; from: number }
  const readStored = async (member: MemberRef): Promise<Stored | undefined> => {
    const record = await records.get(memberKey(member))
    const profile = record && decodeStyleProfile(record.profile)
    return profile && record ? { profile, covered: record.covered, from: record.from } : undefined
  }

  /** The stored counts with the rows appended since counted in and those that left the bound counted out. */
  const current = async (member: MemberRef, stored: Stored | undefined): Promise<Stored> => {
    const appended = await history.appended(member)
    const from = history.windowStart(appended)
    if (stored && stored.covered >= appended && stored.from >= from) return stored
    const [leaving, arriving] = await Promise.all([
      stored ? history.rowsNumbered(member, stored.from, Math.min(from - 1, stored.covered)) : [],
      history.appendedBetween(member, stored ? stored.covered : -1, appended),
    ])
    let profile = stored?.profile ?? emptyStyleProfile()
    for (const row of leaving) profile = without(profile, row.text)
    for (const row of arriving) addToStyleProfile(profile, row.text)
    return { profile, covered: appended, from }
  }
  /** A text the profile never counted (a profile rebuilt after a bad read) is skipped, not fatal. */
  const without = (profile: StyleProfile, text: string) => {
    try {
      return removeFromStyleProfile(profile, text)
    } catch {
      return profile
    }
  }

  const get = async (member: MemberRef): Promise<StyleRecord | undefined> => {
    const { profile } = await current(member, await readStored(member))
    return profile.messages > 0 ? { profile } : undefined
  }

  return {
    /** The member's counts as of now (stored counts plus rows not yet folded); undefined with no messages. */
    get,
    /**
     * Stores the counts as of now (callers hold the member lock): the write-behind flush. Small histories are not
     * stored (see `storedProfileFromMessages`); a stored record they shrank below that is dropped.
     */
    async fold(member: MemberRef, held: { assertHeld(): Promise<void> }): Promise<void> {
      const stored = await readStored(member)
      // Below the size for a stored record nothing is stored, and no need to count the rows to know it.
      let countedFrom: number | undefined
      if (stored || (await history.size(member)) >= storedProfileFromMessages) {
        const next = await current(member, stored)
        await held.assertHeld()
        if (next.profile.messages >= storedProfileFromMessages) {
          await records.set(memberKey(member), { profile: encodeStyleProfile(next.profile), covered: next.covered, from: next.from })
          countedFrom = next.from
        } else if (stored) await records.delete(memberKey(member))
      }
      // Counted out above (or never stored): the rows past the bound can go, but not those the stored counts still
      // hold (messages observed meanwhile, without the lock, may have moved the bound on).
      await history.trim(member, countedFrom)
    },
    /**
     * Mirrors edits, deletions, dropped and expired rows into the stored counts (callers hold the member lock and
     * have already changed the history). Only rows the stored counts cover are applied: any other row is counted
     * (or not) by the next fold, as the history now has it. `add` holds edited rows' new versions, same seq.
     */
    async rowsChanged(member: MemberRef, change: { add: StoredMessage[]; remove: StoredMessage[] }): Promise<void> {
      const stored = await readStored(member)
      if (!stored) return
      const covered = (row: StoredMessage) => (row.seq ?? 0) >= stored.from && (row.seq ?? 0) <= stored.covered
      let profile = stored.profile
      for (const row of change.remove.filter(covered)) profile = without(profile, row.text)
      for (const row of change.add.filter(covered)) profile = addToStyleProfile(profile, row.text)
      await records.set(memberKey(member), { profile: encodeStyleProfile(profile), covered: stored.covered, from: stored.from })
    },
    async summary(member: MemberRef): Promise<StyleSummary | undefined> {
      const record = await get(member)
      return record ? summarizeStyle(record.profile) : undefined
    },
    /**
     * Recomputes the calibration at the single-message scale: the member's own recent messages (held out of the
     * profile) set the ceiling, other members' messages the floor, closed-form estimates stand in for either when
     * there are too few texts. Without any other member there is nothing to compare with, and no score.
     */
    async recalibrate(member: MemberRef, input: { ownTexts: string[]; othersTexts: string[]; others: StyleProfile }) {
      const record = await get(member)
      if (!record) return undefined
      const population = mergeStyleProfile(cloneStyleProfile(input.others), record.profile)
      const calibration = computeStyleCalibration({ profile: record.profile, population, ownTexts: input.ownTexts, otherTexts: input.othersTexts })
      await calibrations.set(calibrationKey(member), { calibration, others: encodeStyleProfile(input.others) })
      return calibration
    },
    /** Calibrated style match of each text (0 = like other members, 1 = like the member); undefined until calibrated. */
    async score(member: MemberRef, texts: string[]): Promise<number[] | undefined> {
      const [record, calibrated] = await Promise.all([get(member), calibrations.get(calibrationKey(member))])
      const others = calibrated && decodeStyleProfile(calibrated.others)
      if (!record || !calibrated?.calibration || !others || record.profile.messages < minimumMessagesForStyleMatch) return undefined
      const { profile } = record
      const { calibration } = calibrated
      const population = mergeStyleProfile(others, profile)
      return texts.map((text) => calibratedStyleMatch(rawStyleMatch(text, profile, population), calibration))
    },
    /** Drops the stored counts (their rows were renumbered): the next read or fold counts the history afresh. */
    async dropStoredCounts(member: MemberRef): Promise<void> {
      await records.delete(memberKey(member))
    },
    async erase(member: MemberRef): Promise<number> {
      const erased = [await records.delete(memberKey(member)), await calibrations.delete(calibrationKey(member))]
      return erased.filter(Boolean).length
    },
  }
}
