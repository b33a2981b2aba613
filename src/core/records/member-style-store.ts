// A member's measured style in the store: the additive style profile, derived from the history and stored behind it
// (write-behind: a message is counted when the profile is folded, not when it is observed), the per-member
// calibration of the style-match score (refreshed by the learning job), and scoring of a text against the
// workspace's population (workspace-style.ts).
import { z } from 'zod'
import type { Store } from '../../store/store.js'
import { memberChildKey, memberKey, workspaceKey } from '../identity/keys.js'
import type { HistoryStore, StoredMessage } from './history-store.js'
import { addToStyleProfile, cloneStyleProfile, emptyStyleProfile, mergeStyleProfile, removeFromStyleProfile, type StyleProfile } from '../style/style-profile.js'
import { decodeStyleProfile, encodeStyleProfile, storedStyleProfileSchema } from '../style/stored-style-profile.js'
import { calibratedStyleMatch, computeStyleCalibration, rawStyleMatch, styleCalibrationSchema } from '../style/style-calibration.js'
import { summarizeStyle } from '../style/summarize-style.js'
import type { MemberRef, StyleSummary, WorkspaceRef } from '../types.js'
import type { StylePopulation } from './workspace-style.js'

/**
 * The counts of the history rows numbered `from`..`covered` (see history-store.ts). Rows appended since are counted
 * in, and rows that left the history's bound since are counted out, on every read, and stored by the next fold, which
 * then deletes the rows that left; so a crash between the two loses nothing (the rows are in the history) and counts
 * nothing twice (the range moves with the counts, under the member's lock). A record of an older layout fails this
 * schema, counts as missing, and the profile is rebuilt from the history.
 */
const styleRecordSchema = z.object({ profile: storedStyleProfileSchema, covered: z.number().int().nonnegative(), from: z.number().int().positive() })

/**
 * Written by the learning job, read when scoring; kept apart so folds never move it. Two numbers and their basis:
 * the population they were measured against is the workspace's (workspace-style.ts), kept once for everyone.
 */
const calibrationRecordSchema = z.object({
  calibration: styleCalibrationSchema.optional(),
  /**
   * Earlier versions kept here a copy of the other members' counts at calibration time (about 70 KB for three
   * 2,000-message colleagues, per member). Never read: a record that has it is rewritten without it when read,
   * and on any member's erase, since it holds that member's counts.
   */
  others: z.unknown().optional(),
})

export type StyleRecord = { profile: StyleProfile }

/** Fewer messages than this and a style-match score would be noise; drafts then show none. */
export const minimumMessagesForStyleMatch = 10

/**
 * Below this many messages no profile is stored: it is rebuilt from the history on read (two pages at most), because
 * the counts of a few messages take about as many bytes as the messages themselves (on the dev chats, deflated:
 * 4.1 KB of counts at 20 messages for about 3.9 KB of rows; 6.9 KB at 50, 13.6 KB at 200).
 */
export const storedProfileFromMessages = 100

export type MemberStyleStore = ReturnType<typeof createMemberStyleStore>

/**
 * `population` gives the workspace's population for scoring (workspace-style.ts `current`); passed as a function
 * because the population is summed from this store's counts.
 */
export function createMemberStyleStore(store: Store, history: HistoryStore, population: (member: MemberRef) => Promise<StylePopulation>) {
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

  const currentRecord = async (member: MemberRef): Promise<Stored | undefined> => {
    const now = await current(member, await readStored(member))
    return now.profile.messages > 0 ? now : undefined
  }

  const get = async (member: MemberRef): Promise<StyleRecord | undefined> => {
    const now = await currentRecord(member)
    return now && { profile: now.profile }
  }

  /**
   * The population a text of `member` is scored against: the workspace's, with the member's rows appended since it
   * was summed added, so the member's own growth never counts as "other members" (as the calibration assumes).
   * Rows of theirs edited or removed since stay in it as they were until the next sum: a learning run or import.
   */
  const scoringPopulation = async (member: MemberRef, own: Stored): Promise<StyleProfile> => {
    const workspace = await population(member)
    const pooled = cloneStyleProfile(workspace.total)
    const summedThrough = workspace.covered.get(member.userId)
    if (summedThrough === undefined) return mergeStyleProfile(pooled, own.profile)
    if (own.covered > summedThrough) for (const row of await history.appendedBetween(member, summedThrough, own.covered)) addToStyleProfile(pooled, row.text)
    return pooled
  }

  return {
    /** The member's counts as of now (stored counts plus rows not yet folded); undefined with no messages. */
    get,
    /** `get` with the history seq the counts cover (for the workspace population). */
    current: currentRecord,
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
      await calibrations.set(calibrationKey(member), { calibration })
      return calibration
    },
    /** Calibrated style match of each text (0 = like other members, 1 = like the member); undefined until calibrated. */
    async score(member: MemberRef, texts: string[]): Promise<number[] | undefined> {
      const [record, calibrated] = await Promise.all([currentRecord(member), calibrations.get(calibrationKey(member))])
      if (calibrated?.others !== undefined) await calibrations.set(calibrationKey(member), { calibration: calibrated.calibration })
      if (!record || !calibrated?.calibration || record.profile.messages < minimumMessagesForStyleMatch) return undefined
      const { profile } = record
      const { calibration } = calibrated
      const pooled = await scoringPopulation(member, record)
      return texts.map((text) => calibratedStyleMatch(rawStyleMatch(text, profile, pooled), calibration))
    },
    /**
     * Rewrites every calibration record of the workspace still in the earlier layout without its copy of the other
     * members' counts (part of erasing a member: their counts are in those copies). Returns how many.
     */
    async dropLegacyCopies(workspace: WorkspaceRef): Promise<number> {
      const keys: string[] = []
      for await (const key of calibrations.keys(workspaceKey(workspace) + ':')) if (key.endsWith(':calibration')) keys.push(key)
      let rewritten = 0
      for (const [index, record] of (await calibrations.getMany(keys)).entries()) {
        if (record?.others === undefined) continue
        await calibrations.set(keys[index]!, { calibration: record.calibration })
        rewritten += 1
      }
      return rewritten
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
