// The raw style-match score: the mean log-likelihood ratio, per hashed n-gram of a text, between the member's
// n-gram distribution and that of everyone else in the population. Pure arithmetic on counts; keeps no text.
import type { StyleProfile } from './style-profile.js'
import { gramViews } from './style-features.js'

/*
 * One naive-Bayes bag over every view (character 1–4-grams, word 1–2-grams, message shape); each n-gram counts
 * once per message, so a count is "messages containing it". With m_b, M the member's counts and total and o_b, O
 * the others' (population minus member), per view of S buckets:
 *   p_others(b) = (o_b + 1/2) / (O + S/2)                 Jeffreys prior: n-grams nobody else used stay finite
 *   ratio_b     = (m_b + 1) / (M p_others(b) + 1)         Poisson–Gamma rate ratio, Gamma(1, 1) prior at 1
 *   p_member(b) = p_others(b) ratio_b / Z,  Z = sum_b p_others(b) ratio_b
 *   score       = mean over the text's n-grams of log(p_member / p_others) = mean log(ratio_b) - log Z
 * i.e. the per-n-gram log-odds that the member rather than someone else wrote the text. The prior is worth one
 * occurrence of every n-gram: an n-gram the member used a few times where others predict almost none counts for
 * little (in chat such n-grams are mostly topic or words quoted around a conversation), while habits seen many
 * times speak for themselves. 0 = no more like the member than like the others.
 * The population passed in is the workspace aggregate and must include the member's own profile.
 */
export const populationPseudoCount = 0.5
/** The Gamma prior's shape and rate: one pseudo-occurrence per n-gram, the unit of the counts. */
export const ratioPseudoCount = 1

type ViewCounts = {
  member: number[]
  pooled: number[]
  memberTotal: number
  pooledTotal: number
  size: number
  /** Buckets of a held-out text: this much is taken off the member's and the population's count there. */
  heldOut?: { mask: Uint8Array; fromMember: number; fromPopulation: number }
}

export type ViewRatios = { table: Float64Array; logNormalizer: number; others: Float64Array }

/** log(ratio_b) per bucket, log Z, and the others' counts for one view. */
function viewRatios(view: ViewCounts): ViewRatios {
  const { member, pooled, size, heldOut } = view
  const table = new Float64Array(size)
  const others = new Float64Array(size)
  const memberTotal = Math.max(0, view.memberTotal)
  const othersMass = Math.max(0, view.pooledTotal - view.memberTotal) + populationPseudoCount * size
  let normalizer = 0
  for (let bucket = 0; bucket < size; bucket++) {
    let memberCount = member[bucket]!
    let pooledCount = pooled[bucket]!
    if (heldOut && heldOut.mask[bucket]) {
      memberCount -= heldOut.fromMember
      pooledCount -= heldOut.fromPopulation
    }
    const othersCount = Math.max(0, pooledCount - memberCount)
    others[bucket] = othersCount
    const othersProbability = (othersCount + populationPseudoCount) / othersMass
    const ratio = (Math.max(0, memberCount) + ratioPseudoCount) / (memberTotal * othersProbability + ratioPseudoCount)
    table[bucket] = Math.log(ratio)
    normalizer += othersProbability * ratio
  }
  return { table, logNormalizer: Math.log(normalizer), others }
}

/** Per view: log(ratio_b) per bucket, log Z and the others' counts (log-odds of bucket b = table[b] - logNormalizer). */
export function styleRatioViews(profile: StyleProfile, population: StyleProfile): ViewRatios[] {
  return gramViews.map((view, index) =>
    viewRatios({
      member: profile.grams[index]!,
      pooled: population.grams[index]!,
      memberTotal: profile.gramTotals[index]!,
      pooledTotal: population.gramTotals[index]!,
      size: view.size,
    }),
  )
}

/** Per-view log(p_member / p_others) for every bucket: build once per member, then score texts cheaply. */
export function styleScoreTables(profile: StyleProfile, population: StyleProfile): Float64Array[] {
  return styleRatioViews(profile, population).map(({ table, logNormalizer }) => table.map((value) => value - logNormalizer))
}

/** Score of grams (one text from `extractGrams`, or several texts' grams concatenated) with prebuilt tables. */
export function scoreWithTables(grams: number[][], tables: Float64Array[]): number {
  let sum = 0
  let count = 0
  for (let view = 0; view < tables.length; view++) {
    const table = tables[view]!
    for (const bucket of grams[view]!) sum += table[bucket]!
    count += grams[view]!.length
  }
  return count === 0 ? 0 : sum / count
}

export type HeldOut = {
  /** The text was added to the profile (and so to the population): take it out of both first. */
  fromProfile?: boolean
  /** The text was added to the population only (another member's): take it out of the population first. */
  fromPopulation?: boolean
}

/**
 * The same score computed straight from the counts (one pass over the buckets), optionally holding the text
 * itself out first, which gives exact leave-one-out scores. Grams must be one text's (distinct per view).
 */
export function rawStyleScore(grams: number[][], profile: StyleProfile, population: StyleProfile, heldOut: HeldOut = {}): number {
  if (!heldOut.fromProfile && !heldOut.fromPopulation) return scoreWithTables(grams, styleScoreTables(profile, population))
  const fromMember = heldOut.fromProfile ? 1 : 0
  const fromPopulation = heldOut.fromProfile || heldOut.fromPopulation ? 1 : 0
  let sum = 0
  let count = 0
  gramViews.forEach((view, index) => {
    const buckets = grams[index]!
    const mask = new Uint8Array(view.size)
    for (const bucket of buckets) mask[bucket] = 1
    const { table, logNormalizer } = viewRatios({
      member: profile.grams[index]!,
      pooled: population.grams[index]!,
      memberTotal: profile.gramTotals[index]! - fromMember * buckets.length,
      pooledTotal: population.gramTotals[index]! - fromPopulation * buckets.length,
      size: view.size,
      heldOut: { mask, fromMember, fromPopulation },
    })
    for (const bucket of buckets) sum += table[bucket]! - logNormalizer
    count += buckets.length
  })
  return count === 0 ? 0 : sum / count
}
