// The stored form of a workspace's style population: the summed n-gram counts of its opted-in members (sparse and
// deflated, as in stored-style-profile.ts) and, for each member summed in, how far into their history their counts went. Only the
// n-grams are kept: the score and the calibration read nothing else of the population.
import { z } from 'zod'
import { gramViews } from './style-features.js'
import { emptyStyleProfile, type StyleProfile } from './style-profile.js'
import { decodeCompressedCounts, encodeCompressedCounts } from './sparse-counts.js'

export const storedStylePopulationVersion = 1

const count = z.number().int().nonnegative()

export const storedStylePopulationSchema = z.object({
  version: z.literal(storedStylePopulationVersion),
  messages: count,
  /** One deflated sparse encoding per entry of `gramViews`; the totals are recomputed on read. */
  grams: z.array(z.string()).length(gramViews.length),
  /** Member id → the last history seq their counts in the sum cover. */
  covered: z.record(z.string(), count),
})

export type StoredStylePopulation = z.output<typeof storedStylePopulationSchema>

/** The population in memory: a profile of which only `messages`, `grams` and `gramTotals` are meaningful. */
export type StylePopulationCounts = { total: StyleProfile; covered: ReadonlyMap<string, number> }

export function encodeStylePopulation(population: StylePopulationCounts): StoredStylePopulation {
  return {
    version: storedStylePopulationVersion,
    messages: population.total.messages,
    grams: population.total.grams.map((view) => encodeCompressedCounts(view)),
    covered: Object.fromEntries(population.covered),
  }
}

/** The population, or undefined when the stored value does not fit today's layout (it then counts as missing). */
export function decodeStylePopulation(stored: StoredStylePopulation): StylePopulationCounts | undefined {
  const grams = stored.grams.map((view, index) => decodeCompressedCounts(view, gramViews[index]!.size))
  if (grams.some((view) => !view)) return undefined
  const total = emptyStyleProfile()
  total.messages = stored.messages
  total.grams = grams as number[][]
  total.gramTotals = total.grams.map((view) => view.reduce((sum, value) => sum + value, 0))
  return { total, covered: new Map(Object.entries(stored.covered)) }
}
