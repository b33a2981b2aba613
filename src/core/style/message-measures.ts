// Measures one message for the style-at-a-glance summary and the message-shape view: length, casing, end
// punctuation, emoji, contractions, greetings, sign-offs, code, links, lists. Pure; never keeps the text.
import { functionWords, greetings, signOffs } from './function-words.js'

/** Message-level tokens, counted once per message; appended only (stored profiles count them by position). */
export const shapeTokens = [
  'length:0', 'length:1', 'length:2', 'length:3', 'length:4', 'length:5', 'length:6', 'length:7',
  'start:upper', 'start:lower', 'start:digit', 'start:punctuation', 'start:other',
  'end:period', 'end:question', 'end:exclamation', 'end:ellipsis', 'end:letter', 'end:digit', 'end:closing',
  'end:emoji', 'end:colon', 'end:other',
  'has:code-block', 'has:inline-code', 'has:link', 'has:newline', 'has:list', 'has:emoji', 'has:mention',
  'has:contraction', 'has:question', 'has:exclamation', 'has:greeting', 'has:sign-off', 'all-lowercase',
  'has:multiple-sentences', 'has:ellipsis', 'has:parenthesis', 'has:quote',
] as const

const shapeIndex = new Map<string, number>(shapeTokens.map((token, index) => [token, index]))

/** Words-per-message histogram: exact counts up to 63 words, then one bucket per doubling. */
export const wordCountBuckets = 64 + 10

export type MessageMeasures = {
  words: number
  characters: number
  sentences: number
  lowercaseStart: boolean
  endsWithPunctuation: boolean
  question: boolean
  exclamation: boolean
  emoji: boolean
  contractions: number
  expandedForms: number
  code: boolean
  link: boolean
  list: boolean
  greeting: number
  signOff: number
  functionWordIndices: number[]
  shape: number[]
}

const wordPattern = /[\p{L}\p{N}_]+(?:['’][\p{L}]+)*/gu
const emojiPattern = /\p{Extended_Pictographic}|(?:^|\s):[a-z0-9_+-]+:(?=\s|$|[.,!?])|(?:^|\s)[:;=]-?[()DPp](?=\s|$)/u
const contractionPattern = /^\p{L}+['’](?:t|re|ve|ll|d|m|s)$/iu
const expandedPattern =
  /\b(?:(?:do|does|did|is|are|was|were|have|has|had|will|would|should|could|can) not|cannot|i am|it is|that is|there is|what is|you are|we are|they are|(?:i|you|we|they|it) will|let us)\b/g
const linkPattern = /\bhttps?:\/\/\S+|\bwww\.\S+/i
const listPattern = /^\s*(?:[-*•]|\d+[.)])\s+\S/m
const sentencePattern = /[.!?]+(?=\s|$)|\n+/g
const functionWordIndex = new Map<string, number>(functionWords.map((word, index) => [word, index]))

export function wordCountBucket(words: number): number {
  if (words < 64) return words
  return Math.min(wordCountBuckets - 1, 64 + Math.floor(Math.log2(words / 64)))
}

/** Everything the summary and the shape view need from one message. */
export function measureMessage(text: string): MessageMeasures {
  const lower = text.toLowerCase()
  const words = lower.match(wordPattern) ?? []
  let contractions = 0
  const functionWordIndices: number[] = []
  for (const word of words) {
    if (contractionPattern.test(word)) contractions++
    const index = functionWordIndex.get(word)
    if (index !== undefined) functionWordIndices.push(index)
  }
  const expandedForms = (lower.match(expandedPattern) ?? []).length
  const trimmed = text.trim()
  const first = trimmed.codePointAt(0) ?? 0
  const firstCharacter = String.fromCodePoint(first)
  const letterStart = /\p{L}/u.test(firstCharacter)
  const lowercaseStart = letterStart && firstCharacter === firstCharacter.toLowerCase() && firstCharacter !== firstCharacter.toUpperCase()
  const ending = endClass(trimmed)
  const code = /```/.test(text)
  const inlineCode = /`[^`\n]+`/.test(text)
  const link = linkPattern.test(text)
  const list = listPattern.test(text)
  const emoji = emojiPattern.test(text)
  const sentences = Math.max(trimmed ? 1 : 0, (trimmed.match(sentencePattern) ?? []).length + (/[.!?]\s*$/.test(trimmed) ? 0 : 1))
  const greeting = longestPhrase(lower.replace(/^[^\p{L}]+/u, ''), greetings, 'start')
  const signOff = longestPhrase(lower.replace(/[^\p{L}]+$/u, ''), signOffs, 'end')
  const letters = trimmed.replace(/[^\p{L}]/gu, '')
  const flags: string[] = [
    `length:${Math.min(7, Math.floor(Math.log2(words.length + 1)))}`,
    `start:${letterStart ? (lowercaseStart ? 'lower' : 'upper') : /\p{N}/u.test(firstCharacter) ? 'digit' : /\p{P}/u.test(firstCharacter) ? 'punctuation' : 'other'}`,
    `end:${ending}`,
  ]
  if (code) flags.push('has:code-block')
  if (inlineCode) flags.push('has:inline-code')
  if (link) flags.push('has:link')
  if (trimmed.includes('\n')) flags.push('has:newline')
  if (list) flags.push('has:list')
  if (emoji) flags.push('has:emoji')
  if (/(^|\s)@\w/.test(text)) flags.push('has:mention')
  if (contractions > 0) flags.push('has:contraction')
  if (text.includes('?')) flags.push('has:question')
  if (text.includes('!')) flags.push('has:exclamation')
  if (greeting >= 0) flags.push('has:greeting')
  if (signOff >= 0) flags.push('has:sign-off')
  if (letters && letters === letters.toLowerCase() && letters !== letters.toUpperCase()) flags.push('all-lowercase')
  if (sentences > 1) flags.push('has:multiple-sentences')
  if (/\.\.\.|…/.test(text)) flags.push('has:ellipsis')
  if (/[()]/.test(text)) flags.push('has:parenthesis')
  if (/["“”]/.test(text)) flags.push('has:quote')
  return {
    words: words.length,
    characters: [...trimmed].length,
    sentences,
    lowercaseStart,
    endsWithPunctuation: ending === 'period' || ending === 'question' || ending === 'exclamation' || ending === 'ellipsis',
    question: text.includes('?'),
    exclamation: text.includes('!'),
    emoji,
    contractions,
    expandedForms,
    code: code || inlineCode,
    link,
    list,
    greeting,
    signOff,
    functionWordIndices,
    shape: flags.map((flag) => shapeIndex.get(flag)!),
  }
}

function endClass(trimmed: string): string {
  if (!trimmed) return 'other'
  if (/(\.\.\.|…)$/.test(trimmed)) return 'ellipsis'
  const last = [...trimmed].pop() ?? ''
  if (last === '.') return 'period'
  if (last === '?') return 'question'
  if (last === '!') return 'exclamation'
  if (last === ':') return 'colon'
  if (/\p{Extended_Pictographic}/u.test(last) || /[:;]-?[()DPp]$|:[a-z0-9_+-]+:$/.test(trimmed)) return 'emoji'
  if (/\p{L}/u.test(last)) return 'letter'
  if (/\p{N}/u.test(last)) return 'digit'
  if (/[)\]}"'`”’]/.test(last)) return 'closing'
  return 'other'
}

/** Index of the longest phrase the text starts (or ends) with at a word boundary; -1 when none. */
function longestPhrase(text: string, phrases: readonly string[], side: 'start' | 'end'): number {
  let best = -1
  for (let index = 0; index < phrases.length; index++) {
    const phrase = phrases[index]!
    if (phrase.length <= (best === -1 ? 0 : phrases[best]!.length)) continue
    if (side === 'start' ? text.startsWith(phrase) && !/[\p{L}\p{N}]/u.test(text.charAt(phrase.length))
      : text.endsWith(phrase) && !/[\p{L}\p{N}]/u.test(text.charAt(text.length - phrase.length - 1))) best = index
  }
  return best
}
