// A member's measured style as fixed-size integer counts: additive (add, remove and subtract are exact), bounded
// whatever the history length. This is the layout in memory; the store keeps it sparse (stored-style-profile.ts).
import { z } from 'zod'
import { BotError } from '../../bot-error.js'
import { functionWords, greetings, signOffs } from './function-words.js'
import { measureMessage, wordCountBucket, wordCountBuckets } from './message-measures.js'
import { extractGrams, gramViews } from './style-features.js'

export const styleProfileVersion = 1

export const styleCounterNames = [
  'words', 'characters', 'sentences', 'lowercaseStart', 'endsWithPunctuation', 'question', 'exclamation', 'emoji',
  'contractions', 'expandedForms', 'code', 'link', 'list',
] as const

export type StyleCounterName = (typeof styleCounterNames)[number]

export type StyleProfile = {
  version: typeof styleProfileVersion
  messages: number
  counters: Record<StyleCounterName, number>
  /** Words-per-message histogram (see `wordCountBucket`). */
  wordCounts: number[]
  greetings: number[]
  signOffs: number[]
  functionWords: number[]
  /** Hashed n-gram counts, one dense array per entry of `gramViews`. */
  grams: number[][]
  /** Sum of each `grams` array, kept so scoring needs no pass over the arrays. */
  gramTotals: number[]
}

const count = z.number().int().nonnegative()
const isCount = (value: unknown) => typeof value === 'number' && Number.isInteger(value) && value >= 0
// One plain loop per array: element-wise zod checks cost milliseconds on 30,000 cells, and the store reads a
// profile on every observed message.
const counts = (length: number) =>
  z.custom<number[]>((value) => Array.isArray(value) && value.length === length && value.every(isCount), {
    message: `expected ${length} non-negative integer counts`,
  })

/** Validates a profile in the dense layout (how version-1 records were stored; the bench's baseline still writes it). */
export const styleProfileSchema: z.ZodType<StyleProfile> = z.object({
  version: z.literal(styleProfileVersion),
  messages: count,
  counters: z.object(Object.fromEntries(styleCounterNames.map((name) => [name, count])) as Record<StyleCounterName, typeof count>),
  wordCounts: counts(wordCountBuckets),
  greetings: counts(greetings.length),
  signOffs: counts(signOffs.length),
  functionWords: counts(functionWords.length),
  grams: z.custom<number[][]>(
    (value) => Array.isArray(value) && value.length === gramViews.length && value.every((array, view) => Array.isArray(array) && array.length === gramViews[view]!.size && array.every(isCount)),
    { message: 'gram counts do not match the profile layout' },
  ),
  gramTotals: counts(gramViews.length),
})

/**
 * Upper bound on the number of integers in any profile, whatever the history length: the serialized size is at
 * most this many cells times (digits of the largest count + 1) plus a few hundred bytes of keys.
 */
export const styleProfileCells =
  gramViews.reduce((sum, view) => sum + view.size, 0) + wordCountBuckets + greetings.length + signOffs.length + functionWords.length + styleCounterNames.length + gramViews.length + 1

export function emptyStyleProfile(): StyleProfile {
  return {
    version: styleProfileVersion,
    messages: 0,
    counters: Object.fromEntries(styleCounterNames.map((name) => [name, 0])) as Record<StyleCounterName, number>,
    wordCounts: new Array<number>(wordCountBuckets).fill(0),
    greetings: new Array<number>(greetings.length).fill(0),
    signOffs: new Array<number>(signOffs.length).fill(0),
    functionWords: new Array<number>(functionWords.length).fill(0),
    grams: gramViews.map((view) => new Array<number>(view.size).fill(0)),
    gramTotals: new Array<number>(gramViews.length).fill(0),
  }
}

/** Everything one message contributes; computing it once lets callers add it to several profiles. */
export type StyleContribution = { measures: ReturnType<typeof measureMessage>; grams: number[][] }

export function styleContribution(text: string): StyleContribution {
  const measures = measureMessage(text)
  return { measures, grams: extractGrams(text, measures.shape) }
}

/** Adds one (normalised) message to the profile IN PLACE and returns the same object. */
export function addToStyleProfile(profile: StyleProfile, text: string | StyleContribution): StyleProfile {
  applyContribution(profile, typeof text === 'string' ? styleContribution(text) : text, 1)
  return profile
}

/**
 * Removes one message previously added, IN PLACE, exactly (an edit is remove old + add new). Throws `input_invalid`
 * and leaves the profile untouched when the message cannot have been part of it.
 */
export function removeFromStyleProfile(profile: StyleProfile, text: string | StyleContribution): StyleProfile {
  const contribution = typeof text === 'string' ? styleContribution(text) : text
  if (!canRemove(profile, contribution)) {
    throw new BotError('input_invalid', 'That message is not part of this style profile; rebuild the profile from the history.')
  }
  applyContribution(profile, contribution, -1)
  return profile
}

/** Adds (sign 1) or subtracts (sign -1) a whole profile IN PLACE: the workspace aggregate is a sum of members. */
export function mergeStyleProfile(target: StyleProfile, source: StyleProfile, sign: 1 | -1 = 1): StyleProfile {
  if (sign === -1 && !contains(target, source)) {
    throw new BotError('input_invalid', 'That profile is not part of this aggregate; rebuild the aggregate from the members.')
  }
  target.messages += sign * source.messages
  for (const name of styleCounterNames) target.counters[name] += sign * source.counters[name]
  addArray(target.wordCounts, source.wordCounts, sign)
  addArray(target.greetings, source.greetings, sign)
  addArray(target.signOffs, source.signOffs, sign)
  addArray(target.functionWords, source.functionWords, sign)
  for (let view = 0; view < gramViews.length; view++) addArray(target.grams[view]!, source.grams[view]!, sign)
  addArray(target.gramTotals, source.gramTotals, sign)
  return target
}

export function cloneStyleProfile(profile: StyleProfile): StyleProfile {
  return structuredClone(profile)
}

function applyContribution(profile: StyleProfile, contribution: StyleContribution, sign: 1 | -1): void {
  const { measures, grams } = contribution
  profile.messages += sign
  const counters = profile.counters
  counters.words += sign * measures.words
  counters.characters += sign * measures.characters
  counters.sentences += sign * measures.sentences
  counters.contractions += sign * measures.contractions
  counters.expandedForms += sign * measures.expandedForms
  if (measures.lowercaseStart) counters.lowercaseStart += sign
  if (measures.endsWithPunctuation) counters.endsWithPunctuation += sign
  if (measures.question) counters.question += sign
  if (measures.exclamation) counters.exclamation += sign
  if (measures.emoji) counters.emoji += sign
  if (measures.code) counters.code += sign
  if (measures.link) counters.link += sign
  if (measures.list) counters.list += sign
  profile.wordCounts[wordCountBucket(measures.words)]! += sign
  if (measures.greeting >= 0) profile.greetings[measures.greeting]! += sign
  if (measures.signOff >= 0) profile.signOffs[measures.signOff]! += sign
  for (const index of measures.functionWordIndices) profile.functionWords[index]! += sign
  for (let view = 0; view < grams.length; view++) {
    const target = profile.grams[view]!
    for (const bucket of grams[view]!) target[bucket]! += sign
    profile.gramTotals[view]! += sign * grams[view]!.length
  }
}

function canRemove(profile: StyleProfile, contribution: StyleContribution): boolean {
  const { measures, grams } = contribution
  const counters = profile.counters
  if (profile.messages < 1 || counters.words < measures.words || counters.characters < measures.characters) return false
  if (counters.sentences < measures.sentences || counters.contractions < measures.contractions) return false
  if (counters.expandedForms < measures.expandedForms) return false
  const flags: [boolean, StyleCounterName][] = [
    [measures.lowercaseStart, 'lowercaseStart'], [measures.endsWithPunctuation, 'endsWithPunctuation'],
    [measures.question, 'question'], [measures.exclamation, 'exclamation'], [measures.emoji, 'emoji'],
    [measures.code, 'code'], [measures.link, 'link'], [measures.list, 'list'],
  ]
  if (flags.some(([set, name]) => set && counters[name] < 1)) return false
  if (profile.wordCounts[wordCountBucket(measures.words)]! < 1) return false
  if (measures.greeting >= 0 && profile.greetings[measures.greeting]! < 1) return false
  if (measures.signOff >= 0 && profile.signOffs[measures.signOff]! < 1) return false
  return (
    covers(profile.functionWords, measures.functionWordIndices) &&
    grams.every((buckets, view) => profile.gramTotals[view]! >= buckets.length && covers(profile.grams[view]!, buckets))
  )
}

/** Whether `array` holds at least as many of each index as `indices` lists. */
function covers(array: number[], indices: number[]): boolean {
  const needed = new Map<number, number>()
  for (const index of indices) {
    const next = (needed.get(index) ?? 0) + 1
    if (array[index]! < next) return false
    needed.set(index, next)
  }
  return true
}

/**
 * `total` minus `part`, each count floored at zero: the other members' share of a cached workspace total, when the
 * member's own counts have moved on since the total was summed. Exact whenever `part` is contained in `total`.
 */
export function profileWithout(total: StyleProfile, part: StyleProfile): StyleProfile {
  const result = cloneStyleProfile(total)
  const subtract = (target: number[], source: number[]) => {
    for (let index = 0; index < source.length; index++) target[index] = Math.max(0, target[index]! - source[index]!)
  }
  result.messages = Math.max(0, total.messages - part.messages)
  for (const name of styleCounterNames) result.counters[name] = Math.max(0, total.counters[name] - part.counters[name])
  subtract(result.wordCounts, part.wordCounts)
  subtract(result.greetings, part.greetings)
  subtract(result.signOffs, part.signOffs)
  subtract(result.functionWords, part.functionWords)
  for (let view = 0; view < gramViews.length; view++) subtract(result.grams[view]!, part.grams[view]!)
  // Totals follow the arrays so scoring stays consistent.
  result.gramTotals = result.grams.map((array) => array.reduce((sum, value) => sum + value, 0))
  return result
}

function contains(outer: StyleProfile, inner: StyleProfile): boolean {
  if (outer.messages < inner.messages) return false
  for (const name of styleCounterNames) if (outer.counters[name] < inner.counters[name]) return false
  const pairs: [number[], number[]][] = [
    [outer.wordCounts, inner.wordCounts], [outer.greetings, inner.greetings], [outer.signOffs, inner.signOffs],
    [outer.functionWords, inner.functionWords], [outer.gramTotals, inner.gramTotals],
    ...gramViews.map((_, view) => [outer.grams[view]!, inner.grams[view]!] as [number[], number[]]),
  ]
  return pairs.every(([big, small]) => small.every((value, index) => value <= big[index]!))
}

function addArray(target: number[], source: number[], sign: 1 | -1): void {
  for (let index = 0; index < source.length; index++) target[index]! += sign * source[index]!
}
