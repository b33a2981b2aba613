// The attribution protocol's ranking and metrics: cut held-out texts into windows, score each window against
// every candidate, report accuracy@1 and MRR per window size. Method-agnostic; never reads files itself.
import type { AttributionMember } from './chat-corpus.js'

export type WindowSize = number | 'all'

/** A method learns from every candidate's training texts and returns a scorer: window -> one score per candidate. */
export type AttributionMethod = {
  name: string
  train(trainTexts: string[][]): (window: string[]) => ArrayLike<number>
}

export type WindowResult = {
  window: WindowSize
  windows: number
  accuracyAt1: number
  meanReciprocalRank: number
  /** For the 'all' window: every miss, as the true candidate's index and the index ranked first. */
  misses?: { truth: number; predicted: number }[]
}

export const protocolWindows: WindowSize[] = [1, 10, 25, 'all']

/** Consecutive windows of `size` held-out texts; a short last window is dropped; 'all' is one window. */
export function cutWindows(texts: string[], size: WindowSize): string[][] {
  if (size === 'all') return texts.length ? [texts] : []
  const windows: string[][] = []
  for (let start = 0; start + size <= texts.length; start += size) windows.push(texts.slice(start, start + size))
  return windows
}

/** Rank of the true candidate (1 = first); ties count against it, so a constant scorer is never lucky. */
export function rankOf(scores: ArrayLike<number>, truth: number): number {
  const own = scores[truth]!
  let rank = 1
  for (let index = 0; index < scores.length; index++) {
    if (index !== truth && !(scores[index]! < own)) rank++
  }
  return rank
}

export function evaluateMethod(
  method: AttributionMethod,
  members: AttributionMember[],
  windows: WindowSize[] = protocolWindows,
  testOf: (member: AttributionMember) => string[] = (member) => member.test,
): WindowResult[] {
  const score = method.train(members.map((member) => member.train))
  return windows.map((window) => {
    let count = 0
    let correct = 0
    let reciprocal = 0
    const misses: { truth: number; predicted: number }[] = []
    members.forEach((member, truth) => {
      for (const texts of cutWindows(testOf(member), window)) {
        const scores = score(texts)
        const rank = rankOf(scores, truth)
        count++
        if (rank === 1) correct++
        else if (window === 'all') misses.push({ truth, predicted: topIndex(scores) })
        reciprocal += 1 / rank
      }
    })
    return {
      window,
      windows: count,
      accuracyAt1: count ? correct / count : 0,
      meanReciprocalRank: count ? reciprocal / count : 0,
      ...(window === 'all' ? { misses } : {}),
    }
  })
}

function topIndex(scores: ArrayLike<number>): number {
  let best = 0
  for (let index = 1; index < scores.length; index++) if (scores[index]! > scores[best]!) best = index
  return best
}

/** Area under the ROC curve: the chance a random positive scores above a random negative (ties count half). */
export function areaUnderCurve(positives: number[], negatives: number[]): number {
  if (!positives.length || !negatives.length) return Number.NaN
  const all = [...positives.map((value) => [value, 1] as const), ...negatives.map((value) => [value, 0] as const)].sort((a, b) => a[0] - b[0])
  let rankSum = 0
  for (let start = 0; start < all.length; ) {
    let end = start
    while (end < all.length && all[end]![0] === all[start]![0]) end++
    const averageRank = (start + 1 + end) / 2
    for (let index = start; index < end; index++) if (all[index]![1] === 1) rankSum += averageRank
    start = end
  }
  return (rankSum - (positives.length * (positives.length + 1)) / 2) / (positives.length * negatives.length)
}
