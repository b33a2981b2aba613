// The measured style at a glance: turns a profile's counters into rates and top lists a member can read.
// Pure; reads only counts (never text), so it is the same whatever the history length.
import type { StyleSummary } from '../types.js'
import { functionWords, greetings, signOffs } from './function-words.js'
import { wordCountBuckets } from './message-measures.js'
import type { StyleProfile } from './style-profile.js'

/** A greeting or sign-off is listed when it opens (closes) at least this share of messages, and twice at least. */
const habitShare = 0.03
const topFunctionWordCount = 15

export function summarizeStyle(profile: StyleProfile): StyleSummary {
  const messages = profile.messages
  const rate = (value: number) => (messages ? round(value / messages) : 0)
  const counters = profile.counters
  const contracted = counters.contractions + counters.expandedForms
  return {
    messages,
    words: {
      mean: messages ? round(counters.words / messages, 2) : 0,
      median: histogramQuantile(profile.wordCounts, 0.5),
      p90: histogramQuantile(profile.wordCounts, 0.9),
    },
    sentencesPerMessage: messages ? round(counters.sentences / messages, 2) : 0,
    lowercaseStartRate: rate(counters.lowercaseStart),
    endsWithPunctuationRate: rate(counters.endsWithPunctuation),
    questionRate: rate(counters.question),
    exclamationRate: rate(counters.exclamation),
    emojiRate: rate(counters.emoji),
    contractionRate: contracted ? round(counters.contractions / contracted) : 0,
    codeRate: rate(counters.code),
    linkRate: rate(counters.link),
    listRate: rate(counters.list),
    greetings: habits(profile.greetings, greetings, messages),
    signOffs: habits(profile.signOffs, signOffs, messages),
    topFunctionWords: topEntries(profile.functionWords, functionWords, topFunctionWordCount, 1),
  }
}

/** Words per message at a quantile; past 63 words the histogram doubles per bucket, so it reports the bucket start. */
function histogramQuantile(histogram: number[], quantile: number): number {
  const total = histogram.reduce((sum, value) => sum + value, 0)
  if (!total) return 0
  const target = quantile * total
  let seen = 0
  for (let bucket = 0; bucket < wordCountBuckets; bucket++) {
    seen += histogram[bucket]!
    if (seen >= target) return bucket < 64 ? bucket : 64 * 2 ** (bucket - 64)
  }
  return 0
}

function habits(counts: number[], phrases: readonly string[], messages: number): string[] {
  return topEntries(counts, phrases, 3, Math.max(2, Math.ceil(habitShare * messages)))
}

function topEntries(counts: number[], names: readonly string[], limit: number, minimum: number): string[] {
  return counts
    .map((count, index) => ({ count, index }))
    .filter((entry) => entry.count >= minimum)
    .sort((a, b) => b.count - a.count || a.index - b.index)
    .slice(0, limit)
    .map((entry) => names[entry.index]!)
}

function round(value: number, digits = 3): number {
  const factor = 10 ** digits
  return Math.round(value * factor) / factor
}
