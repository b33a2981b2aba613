// Picks k of a member's own messages to show the model as examples for one draft: close to the intent in topic
// and register (length, question or statement, code, links), and diverse. Deterministic; never calls a model.
import { describeRegister, intentAsksQuestion, overlap, type TextRegister } from './text-register.js'

export type ExampleCandidate = { id: string; text: string }

export type SelectExamplesOptions = {
  /** Messages longer than this are used only when too few shorter ones exist (keeps prompts bounded). */
  maximumCharacters?: number
  /** Weight of relevance against novelty in the greedy pick (maximal marginal relevance). */
  relevanceWeight?: number
}

/** Candidates this similar to an example already picked are near-duplicates and skipped. */
const duplicateOverlap = 0.8

/**
 * Up to k candidates, most suitable first: relevance = content-word overlap with the intent plus agreement in
 * register, then a maximal-marginal-relevance pass so the picks are not k variants of one message.
 */
export function selectExamples<T extends ExampleCandidate>(intent: string, candidates: T[], k: number, options: SelectExamplesOptions = {}): T[] {
  if (k <= 0 || candidates.length === 0) return []
  const maximumCharacters = options.maximumCharacters ?? 800
  const relevanceWeight = options.relevanceWeight ?? 0.7
  const target = describeRegister(intent)
  const wantsQuestion = intentAsksQuestion(intent)
  const seen = new Set<string>()
  const pool = candidates
    .map((candidate, index) => ({ candidate, index, register: describeRegister(candidate.text) }))
    .filter(({ candidate }) => {
      const key = candidate.text.trim().toLowerCase()
      if (!key || seen.has(key)) return false
      seen.add(key)
      return true
    })
    .map((entry) => ({ ...entry, relevance: relevance(target, wantsQuestion, entry.register) }))
  const short = pool.filter((entry) => entry.candidate.text.length <= maximumCharacters)
  const usable = short.length >= k ? short : [...short, ...pool.filter((entry) => entry.candidate.text.length > maximumCharacters)]

  const picked: typeof usable = []
  const remaining = [...usable]
  while (picked.length < k && remaining.length) {
    let bestIndex = -1
    let bestValue = -Infinity
    for (let index = 0; index < remaining.length; index++) {
      const entry = remaining[index]!
      const redundancy = picked.reduce((most, chosen) => Math.max(most, similarity(entry.register, chosen.register)), 0)
      if (redundancy >= duplicateOverlap) continue
      const value = relevanceWeight * entry.relevance - (1 - relevanceWeight) * redundancy
      if (value > bestValue || (value === bestValue && bestIndex >= 0 && tieBreak(entry, remaining[bestIndex]!) < 0)) {
        bestValue = value
        bestIndex = index
      }
    }
    if (bestIndex < 0) break
    picked.push(remaining[bestIndex]!)
    remaining.splice(bestIndex, 1)
  }
  return picked.map((entry) => entry.candidate)
}

/** In [0, 1]: topic overlap counts most; then question/statement, length, code, formality and link agreement. */
function relevance(intent: TextRegister, wantsQuestion: boolean, candidate: TextRegister): number {
  const lengthAgreement = 1 / (1 + Math.abs(Math.log2((candidate.words + 1) / (expectedWords(intent) + 1))))
  return (
    0.4 * Math.sqrt(overlap(intent.content, candidate.content)) +
    0.2 * (candidate.question === wantsQuestion ? 1 : 0) +
    0.15 * lengthAgreement +
    0.1 * (candidate.code === intent.code ? 1 : 0) +
    0.05 * (candidate.casual === intent.casual ? 1 : 0) +
    0.05 * (candidate.link === intent.link ? 1 : 0) +
    // A one- or two-word reply ("ok", "lol") shows little of how someone writes.
    0.05 * (candidate.words >= 3 ? 1 : 0)
  )
}

/** An intent is an instruction about the message; the message itself is usually a little longer. */
function expectedWords(intent: TextRegister): number {
  return Math.max(4, intent.words)
}

function similarity(a: TextRegister, b: TextRegister): number {
  return overlap(a.content, b.content)
}

function tieBreak(a: { candidate: ExampleCandidate; index: number }, b: { candidate: ExampleCandidate; index: number }): number {
  return a.candidate.id < b.candidate.id ? -1 : a.candidate.id > b.candidate.id ? 1 : a.index - b.index
}
