// A light description of a text's register for example selection and sampling: length, question or statement,
// code, link, formality cues and content words. Deterministic and cheap; it never calls a model.
import { functionWords } from './function-words.js'

export type TextRegister = {
  words: number
  question: boolean
  code: boolean
  link: boolean
  casual: boolean
  /** Lower-cased content words (function words and one-letter words dropped), shortened to a crude stem. */
  content: Set<string>
}

const stopWords = new Set<string>(functionWords)
const wordPattern = /[\p{L}\p{N}_]+(?:['’][\p{L}]+)*/gu
const questionStart = /^(?:who|what|when|where|why|how|which|is|are|do|does|did|can|could|would|should|will|has|have|any(?:one|body)|anyone)\b/i

export function describeRegister(text: string): TextRegister {
  const lower = text.toLowerCase()
  const words = lower.match(wordPattern) ?? []
  const trimmed = text.trim()
  return {
    words: words.length,
    question: /\?\s*$/.test(trimmed) || (questionStart.test(trimmed) && trimmed.includes('?')),
    code: /```|`[^`\n]+`/.test(text),
    link: /\bhttps?:\/\/|\bwww\./i.test(text),
    casual: /^[\p{Ll}]/u.test(trimmed) || !/[.!?]$/.test(trimmed) || /\b(?:lol|haha|btw|imo|tbh|gonna|wanna|yeah|yep|nope)\b/.test(lower),
    content: new Set(words.filter((word) => word.length > 1 && !stopWords.has(word)).map((word) => word.slice(0, 6))),
  }
}

/** Does an intent ("ask Sam whether…", "tell them…?") call for a question? */
export function intentAsksQuestion(intent: string): boolean {
  const trimmed = intent.trim()
  return /\?\s*$/.test(trimmed) || /^(?:ask|asking|question|inquire|check (?:if|whether)|find out)\b/i.test(trimmed) || /\bask (?:\w+ )?(?:if|whether|about|for|how|why|what|when|where|who)\b/i.test(trimmed)
}

/** Jaccard overlap of two sets (0 when both are empty). */
export function overlap(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 || b.size === 0) return 0
  let shared = 0
  for (const item of a) if (b.has(item)) shared++
  return shared / (a.size + b.size - shared)
}
