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
 *
 * A window of n messages (scored as one pooled bag) weighs the character views by 1/n against the word and shape
 * views: the character views enter as the window's mean evidence per message, the word and shape views as evidence
 * that accumulates with the text. Character n-gram presence mostly tracks message length and the vocabulary of the
 * conversation at hand, which repeat across a window, so their errors do not average out as messages are added;
 * left at full weight (about 4x the word and shape occurrences per message) they drown the views that keep
 * improving. For one message (drafts, calibration) every weight is 1 and the score is the plain per-n-gram mean.
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

/** Views whose evidence counts once per message of a window rather than per message added (see above). */
const perMessageViews = new Set(['char1', 'char2', 'char3', 'char4'])

/** Weight of each view's n-grams in a window of `messages` messages (all 1 for a single message). */
export function styleViewWeights(messages: number): number[] {
  const perMessage = 1 / Math.max(1, messages)
  return gramViews.map((view) => (perMessageViews.has(view.name) ? perMessage : 1))
}

/**
 * Score of grams (one text from `extractGrams`, or `messages` texts' grams concatenated) with prebuilt tables:
 * the weighted mean log-odds per n-gram.
 */
export function scoreWithTables(grams: number[][], tables: Float64Array[], messages = 1): number {
  const weights = styleViewWeights(messages)
  let sum = 0
  let count = 0
  for (let view = 0; view < tables.length; view++) {
    const table = tables[view]!
    let viewSum = 0
    for (const bucket of grams[view]!) viewSum += table[bucket]!
    sum += weights[view]! * viewSum
    count += weights[view]! * grams[view]!.length
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
 * itself out first, which gives exact leave-one-out scores. With a held-out text, grams must be that one text's
 * (distinct per view); without, they may be `messages` texts' grams concatenated.
 */
export function rawStyleScore(grams: number[][], profile: StyleProfile, population: StyleProfile, heldOut: HeldOut = {}, messages = 1): number {
  if (!heldOut.fromProfile && !heldOut.fromPopulation) return scoreWithTables(grams, styleScoreTables(profile, population), messages)
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
