// The project's calibrated style-match, used as an authorship measure of generated text: each author's profile is
// built from their measure texts, the population is every author's, and the calibration is the one the core computes
// (own texts = ceiling, other authors' = floor). 1 = as close as the author's own writing, 0 = as close as others'.
import type { Platform } from '../src/core/types.js'
import { normalizeMarkup } from '../src/core/observe/normalize-markup.js'
import { calibratedStyleMatch, computeStyleCalibration, rawStyleMatch, type StyleCalibration } from '../src/core/style/style-calibration.js'
import { addToStyleProfile, emptyStyleProfile, mergeStyleProfile, type StyleProfile } from '../src/core/style/style-profile.js'
import { spreadEvenly } from './run-pool.js'

export type StyleMeasure = {
  /** Calibrated style match of `text` to author `author`, or undefined when the author cannot be calibrated. */
  score(author: number, text: string): number | undefined
}

export function createStyleMeasure(authors: { measureTexts: string[] }[], platform: Platform, options: { othersForFloor?: number; ownForCeiling?: number } = {}): StyleMeasure {
  const othersForFloor = options.othersForFloor ?? 200
  const ownForCeiling = options.ownForCeiling ?? 50
  const normalized = authors.map((author) => author.measureTexts.map((text) => normalizeMarkup(text, platform)).filter((text) => text.trim()))
  const profiles: StyleProfile[] = normalized.map((texts) => {
    const profile = emptyStyleProfile()
    for (const text of texts) addToStyleProfile(profile, text)
    return profile
  })
  const population = emptyStyleProfile()
  for (const profile of profiles) mergeStyleProfile(population, profile)
  const perOther = Math.max(1, Math.ceil(othersForFloor / Math.max(1, authors.length - 1)))
  // Calibrating costs hundreds of scored texts per author: only authors that are actually scored pay for it.
  const calibrations = new Map<number, StyleCalibration | undefined>()
  const calibrationOf = (index: number): StyleCalibration | undefined => {
    if (!calibrations.has(index)) {
      calibrations.set(
        index,
        computeStyleCalibration({
          profile: profiles[index]!,
          population,
          ownTexts: normalized[index]!.slice(-ownForCeiling),
          otherTexts: normalized.flatMap((texts, other) => (other === index ? [] : spreadEvenly(texts, perOther))),
        }),
      )
    }
    return calibrations.get(index)
  }
  return {
    score(author, text) {
      const calibration = calibrationOf(author)
      const cleaned = normalizeMarkup(text, platform)
      if (!calibration || !cleaned.trim()) return undefined
      return calibratedStyleMatch(rawStyleMatch(cleaned, profiles[author]!, population), calibration)
    },
  }
}
