// Turns one message into the hashed counts a style profile adds up: character n-grams, word n-grams and
// message-shape tokens. Deterministic and allocation-light (it runs on the observe path); never keeps the text.
import { finalizeHash, fnvOffset, hashStep } from './feature-hash.js'
import { measureMessage, shapeTokens } from './message-measures.js'

/** One block of hashed counts in a profile. `size` is fixed per view, which is what bounds a profile. */
export type GramView = { name: string; size: number }

/**
 * The layout of every profile: character 1–4-grams of the text as written (case, punctuation, spacing, with
 * message start and end marks), lower-cased word 1–2-grams with punctuation as words, and message-shape tokens.
 * Sizes are powers of two (bucket = hash & (size - 1)); changing them invalidates stored profiles.
 */
export const gramViews: readonly GramView[] = [
  { name: 'char1', size: 1 << 10 },
  { name: 'char2', size: 1 << 12 },
  { name: 'char3', size: 1 << 13 },
  { name: 'char4', size: 1 << 13 },
  { name: 'word1', size: 1 << 12 },
  { name: 'word2', size: 1 << 12 },
  { name: 'shape', size: shapeTokens.length },
]

const charOrders = 4
const messageStart = 0x02
const messageEnd = 0x03
const wordPattern = /[\p{L}\p{N}_]+(?:['’][\p{L}]+)*|[^\s\p{L}\p{N}_]/gu

/** Distinct bucket indices per view for one message; a profile adds 1 at each (counts = messages containing it). */
export function extractGrams(text: string, shape: number[] = measureMessage(text).shape): number[][] {
  const grams: number[][] = gramViews.map(() => [])
  const prose = maskBorrowedText(text)
  addCharGrams(prose, grams)
  addWordGrams(prose, grams)
  grams[gramViews.length - 1]!.push(...shape)
  // Each n-gram counts once per message: a pasted log or a repeated word says little about a writer's habits.
  return grams.map((list) => [...new Set(list)])
}

const codePlaceholder = '\ue000'
const linkPlaceholder = '\ue001'

/**
 * Code and links are mostly text the member did not compose (identifiers, pasted snippets, someone's URL) and are
 * shared by whoever is in the conversation, so they would measure topic, not habit. Their content is replaced by
 * a placeholder; where and how the member uses them (fences, backticks, position) still counts.
 */
export function maskBorrowedText(text: string): string {
  return text
    .replace(/```[\s\S]*?(?:```|$)/g, '```' + codePlaceholder + '```')
    .replace(/`[^`\n]+`/g, '`' + codePlaceholder + '`')
    .replace(/\b(?:https?:\/\/|www\.)[^\s<>]*[^\s<>.,;:!?'")\]}]/gi, linkPlaceholder)
}

function addCharGrams(text: string, grams: number[][]): void {
  const points: number[] = [messageStart]
  for (const character of text) points.push(character.codePointAt(0) ?? 0)
  points.push(messageEnd)
  for (let start = 0; start < points.length; start++) {
    let hash = fnvOffset
    for (let order = 1; order <= charOrders && start + order <= points.length; order++) {
      hash = hashStep(hash, points[start + order - 1]!)
      grams[order - 1]!.push(finalizeHash(hash ^ order) & (gramViews[order - 1]!.size - 1))
    }
  }
}

function addWordGrams(text: string, grams: number[][]): void {
  const unigrams = grams[charOrders]!
  const bigrams = grams[charOrders + 1]!
  let previous = hashWord('\u0002', 11)
  for (const match of text.toLowerCase().matchAll(wordPattern)) {
    const current = hashWord(match[0], 11)
    unigrams.push(current & (gramViews[charOrders]!.size - 1))
    bigrams.push(finalizeHash(Math.imul(previous, 31) ^ current) & (gramViews[charOrders + 1]!.size - 1))
    previous = current
  }
  bigrams.push(finalizeHash(Math.imul(previous, 31) ^ hashWord('\u0003', 11)) & (gramViews[charOrders + 1]!.size - 1))
}

function hashWord(word: string, salt: number): number {
  let hash = hashStep(fnvOffset, salt)
  for (let index = 0; index < word.length; index++) hash = hashStep(hash, word.charCodeAt(index))
  return finalizeHash(hash)
}

