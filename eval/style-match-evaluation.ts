// Measures the calibrated style-match the bot shows on drafts: per member, calibrate on training texts only, then
// score held-out single messages of the member (own) and of every other member (other); report means and AUC.
import type { Platform } from '../src/core/types.js'
import { computeStyleCalibration, defaultStyleCalibration, calibratedStyleMatch, type StyleCalibration } from '../src/core/style/style-calibration.js'
import { scoreWithTables, styleScoreTables } from '../src/core/style/style-score.js'
import { normalizeMarkup } from '../src/core/observe/normalize-markup.js'
import { areaUnderCurve } from './attribution-protocol.js'
import type { AttributionMember } from './chat-corpus.js'
import { buildProfiles, ContributionCache } from './style-match-method.js'

export type SeparationFigures = { meanOwn: number; meanOther: number; auc: number }

export type StyleMatchReport = {
  /** With the calibration the core computes at learn time (own held-out messages and a sample of others'). */
  measured: SeparationFigures & { meanCeiling: number; meanFloor: number }
  /** With the closed-form default calibration (no sample texts; profile and population only). */
  estimated: SeparationFigures & { meanCeiling: number; meanFloor: number }
  /** Raw scores pooled across members without calibration, for comparison. */
  rawAuc: number
  ownPairs: number
  otherPairs: number
  membersCalibrated: number
}

export type StyleMatchEvaluationOptions = {
  platform?: Platform
  /** Training messages taken from each other member for the floor (spread evenly over their history). */
  othersPerMember?: number
  /** The member's own most recent training messages used for the ceiling. */
  ownForCeiling?: number
  cache?: ContributionCache
}

export function evaluateStyleMatch(members: AttributionMember[], options: StyleMatchEvaluationOptions = {}): StyleMatchReport {
  const platform = options.platform ?? 'slack'
  const cache = options.cache ?? new ContributionCache(platform)
  const othersPerMember = options.othersPerMember ?? Math.max(1, Math.ceil(200 / Math.max(1, members.length - 1)))
  const ownForCeiling = options.ownForCeiling ?? 50
  const { profiles, population } = buildProfiles(members.map((member) => member.train), cache)
  const normalized = members.map((member) => ({
    train: member.train.map((text) => normalizeMarkup(text, platform)).filter((text) => text.trim()),
    test: member.test,
  }))
  const measured: StyleCalibration[] = []
  const estimated: StyleCalibration[] = []
  members.forEach((_, index) => {
    const otherTexts = normalized.flatMap((other, otherIndex) => (otherIndex === index ? [] : spread(other.train, othersPerMember)))
    const ownTexts = normalized[index]!.train.slice(-ownForCeiling)
    const input = { profile: profiles[index]!, population, ownTexts, otherTexts }
    const calibration = computeStyleCalibration(input)
    const fallback = defaultStyleCalibration(profiles[index]!, population)
    if (!calibration || !fallback) throw new Error('a population of one member cannot be calibrated')
    measured.push(calibration)
    estimated.push(fallback)
  })
  const raw = { own: [] as number[], other: [] as number[] }
  const calibrated = { own: [] as number[], other: [] as number[] }
  const defaulted = { own: [] as number[], other: [] as number[] }
  members.forEach((_, index) => {
    const tables = styleScoreTables(profiles[index]!, population)
    members.forEach((writer, writerIndex) => {
      const side = writerIndex === index ? 'own' : 'other'
      for (const text of writer.test) {
        const score = scoreWithTables(cache.get(text).grams, tables)
        raw[side].push(score)
        calibrated[side].push(calibratedStyleMatch(score, measured[index]!))
        defaulted[side].push(calibratedStyleMatch(score, estimated[index]!))
      }
    })
  })
  const figures = (pair: { own: number[]; other: number[] }, calibrations: StyleCalibration[]) => ({
    meanOwn: mean(pair.own),
    meanOther: mean(pair.other),
    auc: areaUnderCurve(pair.own, pair.other),
    meanCeiling: mean(calibrations.map((each) => each.ceiling)),
    meanFloor: mean(calibrations.map((each) => each.floor)),
  })
  return {
    measured: figures(calibrated, measured),
    estimated: figures(defaulted, estimated),
    rawAuc: areaUnderCurve(raw.own, raw.other),
    ownPairs: raw.own.length,
    otherPairs: raw.other.length,
    membersCalibrated: measured.length,
  }
}

/** Up to `count` items spread evenly over the list (deterministic). */
function spread<T>(items: T[], count: number): T[] {
  if (items.length <= count) return items
  return Array.from({ length: count }, (_, index) => items[Math.floor(((index + 0.5) * items.length) / count)]!)
}

function mean(values: number[]): number {
  return values.length ? values.reduce((sum, value) => sum + value, 0) / values.length : Number.NaN
}
