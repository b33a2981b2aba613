// The raw style-match score: the mean log-likelihood ratio, per hashed n-gram of a text, between the member's
// profile (smoothed towards the population) and the population. Pure arithmetic on counts; no text is kept.
import type { StyleProfile } from './style-profile.js'
import { gramViews } from './style-features.js'

/*
 * The model, one naive-Bayes bag over every view (character 1–4-grams, word 1–2-grams, message shape), with each
 * n-gram counted once per message:
 *   p_population(b) = (P_b + 1/2) / (P + S_v / 2)                   (Jeffreys prior: unseen n-grams stay finite)
 *   p_member(b)     = (m_b + S_v p_population(b)) / (M + S_v)       (Dirichlet prior worth one occurrence per bucket)
 *   score(text)     = sum over the text's n-grams of log(p_member / p_population), divided by their number.
 * S_v is the view's bucket count, so the prior needs no tuning per corpus; a member with little text is pulled
 * towards the population, one with much text speaks for itself. 0 means "no more like the member than anyone".
 */
export const populationPseudoCount = 0.5

/** Per-view log(p_member / p_population) for every bucket: build once per member, then score texts cheaply. */
export function styleScoreTables(profile: StyleProfile, population: StyleProfile): Float64Array[] {
  return gramViews.map((view, index) => {
    const member = profile.grams[index]!
    const pooled = population.grams[index]!
    const populationTotal = population.gramTotals[index]! + populationPseudoCount * view.size
    const memberTotal = profile.gramTotals[index]! + view.size
    const table = new Float64Array(view.size)
    for (let bucket = 0; bucket < view.size; bucket++) {
      const populationProbability = (pooled[bucket]! + populationPseudoCount) / populationTotal
      table[bucket] = Math.log((member[bucket]! + view.size * populationProbability) / memberTotal / populationProbability)
    }
    return table
  })
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
  /** The text was added to the profile: take it out first (exact leave-one-out). */
  fromProfile?: boolean
  /** The text was added to the population: take it out first. */
  fromPopulation?: boolean
}

/** The same score computed straight from the counts, optionally holding the text itself out; no tables needed. */
export function rawStyleScore(grams: number[][], profile: StyleProfile, population: StyleProfile, heldOut: HeldOut = {}): number {
  const profileSign = heldOut.fromProfile ? 1 : 0
  const populationSign = heldOut.fromPopulation ? 1 : 0
  let sum = 0
  let count = 0
  for (let index = 0; index < gramViews.length; index++) {
    const buckets = grams[index]!
    if (buckets.length === 0) continue
    const size = gramViews[index]!.size
    const populationTotal = Math.max(0, population.gramTotals[index]! - populationSign * buckets.length) + populationPseudoCount * size
    const memberTotal = Math.max(0, profile.gramTotals[index]! - profileSign * buckets.length) + size
    // Buckets are distinct within one text, so each is held out once; the floors at 0 only matter when a caller
    // holds out a text that was never added.
    for (const bucket of buckets) {
      const populationProbability = (Math.max(0, population.grams[index]![bucket]! - populationSign) + populationPseudoCount) / populationTotal
      const memberProbability = (Math.max(0, profile.grams[index]![bucket]! - profileSign) + size * populationProbability) / memberTotal
      sum += Math.log(memberProbability / populationProbability)
    }
    count += buckets.length
  }
  return count === 0 ? 0 : sum / count
}
