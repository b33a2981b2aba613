// The stored form of a style profile: the same counts, with every array kept sparse (non-zero cells only, see
// sparse-counts.ts), so a record grows with what was measured instead of starting at 30,000 cells, and the n-gram
// views (nearly all of it) deflated as well. Scoring works on the decoded profile, so a stored and re-read profile
// scores exactly as the one in memory.
import { z } from 'zod'
import { functionWords, greetings, signOffs } from './function-words.js'
import { wordCountBuckets } from './message-measures.js'
import { gramViews } from './style-features.js'
import { styleCounterNames, styleProfileVersion, type StyleCounterName, type StyleProfile } from './style-profile.js'
import { decodeCompressedCounts, decodeSparseCounts, encodeCompressedCounts, encodeSparseCounts } from './sparse-counts.js'

/**
 * Version 3 deflates the n-gram views. Version 2 (the same, not deflated: twice the bytes) is still read, and
 * rewritten as version 3 by the next fold. Version 1 stored the dense arrays; such a record fails this schema
 * and counts as missing.
 */
export const storedStyleProfileVersion = 3

const count = z.number().int().nonnegative()

export const storedStyleProfileSchema = z.object({
  version: z.union([z.literal(2), z.literal(storedStyleProfileVersion)]),
  messages: count,
  counters: z.record(z.string(), count),
  wordCounts: z.string(),
  greetings: z.string(),
  signOffs: z.string(),
  functionWords: z.string(),
  /** One sparse encoding per entry of `gramViews` (deflated from version 3); the totals are recomputed on read. */
  grams: z.array(z.string()).length(gramViews.length),
})

export type StoredStyleProfile = z.output<typeof storedStyleProfileSchema>

/** `version` 2 only to measure the earlier layout against (the bench). */
export function encodeStyleProfile(profile: StyleProfile, version: StoredStyleProfile['version'] = storedStyleProfileVersion): StoredStyleProfile {
  const encodeGrams = version === 2 ? encodeSparseCounts : encodeCompressedCounts
  return {
    version,
    messages: profile.messages,
    counters: { ...profile.counters },
    wordCounts: encodeSparseCounts(profile.wordCounts),
    greetings: encodeSparseCounts(profile.greetings),
    signOffs: encodeSparseCounts(profile.signOffs),
    functionWords: encodeSparseCounts(profile.functionWords),
    grams: profile.grams.map((view) => encodeGrams(view)),
  }
}

/** The profile in memory, or undefined when the stored value does not fit today's layout (it then counts as missing). */
export function decodeStyleProfile(stored: StoredStyleProfile): StyleProfile | undefined {
  if (Object.keys(stored.counters).length !== styleCounterNames.length || !styleCounterNames.every((name) => name in stored.counters)) return undefined
  const wordCounts = decodeSparseCounts(stored.wordCounts, wordCountBuckets)
  const greetingCounts = decodeSparseCounts(stored.greetings, greetings.length)
  const signOffCounts = decodeSparseCounts(stored.signOffs, signOffs.length)
  const functionWordCounts = decodeSparseCounts(stored.functionWords, functionWords.length)
  const decodeGrams = stored.version === 2 ? decodeSparseCounts : decodeCompressedCounts
  const grams = stored.grams.map((view, index) => decodeGrams(view, gramViews[index]!.size))
  if (!wordCounts || !greetingCounts || !signOffCounts || !functionWordCounts || grams.some((view) => !view)) return undefined
  const dense = grams as number[][]
  return {
    version: styleProfileVersion,
    messages: stored.messages,
    counters: stored.counters as Record<StyleCounterName, number>,
    wordCounts,
    greetings: greetingCounts,
    signOffs: signOffCounts,
    functionWords: functionWordCounts,
    grams: dense,
    gramTotals: dense.map((view) => view.reduce((sum, value) => sum + value, 0)),
  }
}
