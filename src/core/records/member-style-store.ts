// A member's measured style in the store: the additive style profile (updated on every observed message), the
// per-member calibration of the style-match score (refreshed by the learning job), and scoring of a text.
import { z } from 'zod'
import type { Store } from '../../store/store.js'
import { memberChildKey, memberKey } from '../identity/keys.js'
import {
  addToStyleProfile,
  cloneStyleProfile,
  emptyStyleProfile,
  mergeStyleProfile,
  removeFromStyleProfile,
  styleProfileSchema,
  type StyleProfile,
} from '../style/style-profile.js'
import { calibratedStyleMatch, computeStyleCalibration, rawStyleMatch, styleCalibrationSchema } from '../style/style-calibration.js'
import { summarizeStyle } from '../style/summarize-style.js'
import type { MemberRef, StyleSummary } from '../types.js'

/** Read and written on every observed message, so it holds the counts only. */
const styleRecordSchema = z.object({ profile: styleProfileSchema })
export type StyleRecord = z.output<typeof styleRecordSchema>

/** Written by the learning job, read when scoring; kept apart so the hot path never moves it. */
const calibrationRecordSchema = z.object({
  calibration: styleCalibrationSchema.optional(),
  /**
   * The other opted-in members' counts at calibration time. A text is scored against this plus the member's
   * current profile, so the member's own growth never counts as "other members".
   */
  others: styleProfileSchema,
})

/** Fewer messages than this and a style-match score would be noise; drafts then show none. */
export const minimumMessagesForStyleMatch = 10

export type MemberStyleStore = ReturnType<typeof createMemberStyleStore>

export function createMemberStyleStore(store: Store) {
  const records = store.collection('style', styleRecordSchema)
  const calibrations = store.collection('style', calibrationRecordSchema)
  const calibrationKey = (member: MemberRef) => memberChildKey(member, 'calibration')
  const get = async (member: MemberRef): Promise<StyleRecord | undefined> => records.get(memberKey(member))

  return {
    get,
    /** Adds and removes message texts from the member's counts (callers hold the member lock). */
    async update(member: MemberRef, change: { add: string[]; remove: string[] }) {
      const record = (await get(member)) ?? { profile: emptyStyleProfile() }
      let profile = record.profile
      for (const text of change.remove) {
        // A text the profile never counted (a profile rebuilt after a bad read) is skipped, not fatal.
        try {
          profile = removeFromStyleProfile(profile, text)
        } catch {
          continue
        }
      }
      for (const text of change.add) profile = addToStyleProfile(profile, text)
      await records.set(memberKey(member), { profile })
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
      await calibrations.set(calibrationKey(member), { calibration, others: input.others })
      return calibration
    },
    /** Calibrated style match of each text (0 = like other members, 1 = like the member); undefined until calibrated. */
    async score(member: MemberRef, texts: string[]): Promise<number[] | undefined> {
      const [record, calibrated] = await Promise.all([get(member), calibrations.get(calibrationKey(member))])
      if (!record || !calibrated?.calibration || record.profile.messages < minimumMessagesForStyleMatch) return undefined
      const { profile } = record
      const { others, calibration } = calibrated
      const population = mergeStyleProfile(cloneStyleProfile(others), profile)
      return texts.map((text) => calibratedStyleMatch(rawStyleMatch(text, profile, population), calibration))
    },
    async erase(member: MemberRef): Promise<number> {
      const erased = [await records.delete(memberKey(member)), await calibrations.delete(calibrationKey(member))]
      return erased.filter(Boolean).length
    },
  }
}
