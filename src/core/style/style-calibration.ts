// Calibrates the raw style-match score per member, as in authorship verification: a ceiling (the member's own
// held-out messages) and a floor (other members' messages), so 1 = as close as own writing, 0 = as close as others.
import { z } from 'zod'
import { gramViews } from './style-features.js'
import { styleContribution, type StyleProfile } from './style-profile.js'
import { populationPseudoCount, ratioPseudoCount, rawStyleScore, styleRatioViews, type HeldOut } from './style-score.js'

export const styleCalibrationSchema = z.object({
  /** Typical (median) raw score of the member's own held-out single messages. */
  ceiling: z.number(),
  /** Typical (median) raw score of other members' single messages against this member's profile. */
  floor: z.number(),
  /** 'measured' from texts; 'estimated' in closed form from the profile and the population (see below). */
  ceilingBasis: z.enum(['measured', 'estimated']),
  floorBasis: z.enum(['measured', 'estimated']),
  ownSamples: z.number().int().nonnegative(),
  otherSamples: z.number().int().nonnegative(),
})

export type StyleCalibration = z.output<typeof styleCalibrationSchema>

/** Fewer texts than this and a median is too noisy; the closed-form estimate is used instead. */
export const minimumCalibrationTexts = 5

export type CalibrationInput = {
  /** The member's training profile. */
  profile: StyleProfile
  /** The workspace population: the sum of opted-in members' profiles, including this member's. */
  population: StyleProfile
  /** The member's own normalised messages, for the ceiling. */
  ownTexts: string[]
  /** Other members' normalised messages, for the floor. */
  otherTexts: string[]
  /** Own texts are part of `profile` and `population` (default true): each is held out before it is scored. */
  ownTextsIncluded?: boolean
  /** Other texts are part of `population` (default true): each is held out of it before it is scored. */
  otherTextsIncluded?: boolean
}

/** Raw score of one message, or of several pooled as one window, against a member (texts already normalised). */
export function rawStyleMatch(text: string | string[], profile: StyleProfile, population: StyleProfile): number {
  const texts = typeof text === 'string' ? [text] : text
  const grams: number[][] = gramViews.map(() => [])
  for (const each of texts) styleContribution(each).grams.forEach((buckets, view) => grams[view]!.push(...buckets))
  return rawStyleScore(grams, profile, population, {}, texts.length)
}

/**
 * Per-member calibration at the single-message scale (a draft is one message; windows of several messages score
 * more extreme and would need their own calibration). Ceiling = median leave-one-out score of the member's own
 * messages; floor = median score of other members' messages. With too few texts for either, the closed-form
 * estimate of `defaultStyleCalibration` stands in for it. Undefined when the population holds no other member.
 */
export function computeStyleCalibration(input: CalibrationInput): StyleCalibration | undefined {
  const estimate = defaultStyleCalibration(input.profile, input.population)
  if (!estimate) return undefined
  const ownHeldOut: HeldOut = input.ownTextsIncluded === false ? {} : { fromProfile: true, fromPopulation: true }
  const otherHeldOut: HeldOut = input.otherTextsIncluded === false ? {} : { fromPopulation: true }
  const ownTexts = input.ownTexts.filter((text) => text.trim())
  const otherTexts = input.otherTexts.filter((text) => text.trim())
  const calibration = { ...estimate }
  if (ownTexts.length >= minimumCalibrationTexts) {
    calibration.ceiling = median(ownTexts.map((text) => rawStyleScore(styleContribution(text).grams, input.profile, input.population, ownHeldOut)))
    calibration.ceilingBasis = 'measured'
    calibration.ownSamples = ownTexts.length
  }
  if (otherTexts.length >= minimumCalibrationTexts) {
    calibration.floor = median(otherTexts.map((text) => rawStyleScore(styleContribution(text).grams, input.profile, input.population, otherHeldOut)))
    calibration.floorBasis = 'measured'
    calibration.otherSamples = otherTexts.length
  }
  return calibration
}

/**
 * The calibration without sample texts, in closed form from counts alone.
 * Floor: the expected score of a message drawn from the other members' pooled n-gram distribution (the
 * population minus this profile). Ceiling: the expected leave-one-out score of the member's own messages: each
 * n-gram occurrence is scored as if its message were not in the profile (its count less one, the member's total
 * less one average message). Undefined when the population holds no one else: "as close as other members" then
 * has no meaning.
 */
export function defaultStyleCalibration(profile: StyleProfile, population: StyleProfile): StyleCalibration | undefined {
  const otherMessages = population.messages - profile.messages
  if (otherMessages < 1 || profile.messages < 2) return undefined
  const views = styleRatioViews(profile, population)
  let floorSum = 0
  let floorCount = 0
  let ceilingSum = 0
  let ceilingCount = 0
  gramViews.forEach((view, index) => {
    const member = profile.grams[index]!
    const { table, logNormalizer, others } = views[index]!
    const size = view.size
    const othersMass = Math.max(0, population.gramTotals[index]! - profile.gramTotals[index]!) + populationPseudoCount * size
    // A held-out own message leaves the others' counts as they are and takes one average message off the member.
    const heldOutMemberTotal = profile.gramTotals[index]! * (1 - 1 / profile.messages)
    for (let bucket = 0; bucket < size; bucket++) {
      const otherCount = others[bucket]!
      if (otherCount > 0) {
        floorSum += otherCount * (table[bucket]! - logNormalizer)
        floorCount += otherCount
      }
      const own = member[bucket]!
      if (own > 0) {
        const othersProbability = (otherCount + populationPseudoCount) / othersMass
        const ratio = (own - 1 + ratioPseudoCount) / (heldOutMemberTotal * othersProbability + ratioPseudoCount)
        // The normaliser barely moves when one message is held out, so the full one is kept.
        ceilingSum += own * (Math.log(ratio) - logNormalizer)
        ceilingCount += own
      }
    }
  })
  return {
    ceiling: ceilingCount ? ceilingSum / ceilingCount : 0,
    floor: floorCount ? floorSum / floorCount : 0,
    ceilingBasis: 'estimated',
    floorBasis: 'estimated',
    ownSamples: 0,
    otherSamples: 0,
  }
}

/** Maps a raw score into [0, 1]: 0 at or below the floor, 1 at or above the ceiling, linear between. */
export function calibratedStyleMatch(raw: number, calibration: StyleCalibration): number {
  const spread = calibration.ceiling - calibration.floor
  // A member whose own messages score no higher than others' cannot be told apart: say "no evidence" (0.5).
  if (!(spread > 1e-9)) return 0.5
  return Math.min(1, Math.max(0, (raw - calibration.floor) / spread))
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}
