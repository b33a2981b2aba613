// The data README's classical attribution baseline, re-implemented to run beside our method in the same process:
// character 1–4-grams of the pooled text, relative frequencies over the most common grams, z-scored across members, cosine.
import type { AttributionMethod } from './attribution-protocol.js'

export type ClassicalBaselineOptions = { features?: number; maximumOrder?: number; joiner?: string; lowercase?: boolean; collapseSpace?: boolean; selectedTotal?: boolean }

function countGrams(text: string, maximumOrder: number, into: Map<string, number>): number {
  const points = Array.from(text)
  let total = 0
  for (let start = 0; start < points.length; start++) {
    let gram = ''
    for (let order = 1; order <= maximumOrder && start + order <= points.length; order++) {
      gram += points[start + order - 1]
      into.set(gram, (into.get(gram) ?? 0) + 1)
      total++
    }
  }
  return total
}

export function classicalBaseline(options: ClassicalBaselineOptions = {}): AttributionMethod {
  const features = options.features ?? 8000
  const maximumOrder = options.maximumOrder ?? 4
  const joiner = options.joiner ?? '\n'
  const prepare = (text: string) => {
    let out = options.lowercase ? text.toLowerCase() : text
    if (options.collapseSpace) out = out.replace(/\s\s+/g, ' ')
    return out
  }
  return {
    name: 'classical char 1–4-gram baseline',
    train(trainTexts) {
      const memberCounts = trainTexts.map((texts) => {
        const counts = new Map<string, number>()
        const total = countGrams(prepare(texts.join(joiner)), maximumOrder, counts)
        return { counts, total }
      })
      const pooled = new Map<string, number>()
      for (const { counts } of memberCounts) for (const [gram, value] of counts) pooled.set(gram, (pooled.get(gram) ?? 0) + value)
      const vocabulary = [...pooled.entries()]
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
        .slice(0, features)
        .map(([gram]) => gram)
      const featureIndex = new Map(vocabulary.map((gram, index) => [gram, index]))
      const dimension = vocabulary.length
      const frequencies = memberCounts.map(({ counts, total }) => {
        const vector = new Float64Array(dimension)
        for (let index = 0; index < dimension; index++) vector[index] = counts.get(vocabulary[index]!) ?? 0
        const denominator = options.selectedTotal ? vector.reduce((a, b) => a + b, 0) : total
        for (let index = 0; index < dimension; index++) vector[index]! /= Math.max(1, denominator)
        return vector
      })
      const mean = new Float64Array(dimension)
      const deviation = new Float64Array(dimension)
      for (const vector of frequencies) for (let index = 0; index < dimension; index++) mean[index]! += vector[index]! / frequencies.length
      for (const vector of frequencies) for (let index = 0; index < dimension; index++) deviation[index]! += (vector[index]! - mean[index]!) ** 2 / frequencies.length
      for (let index = 0; index < dimension; index++) deviation[index] = Math.sqrt(deviation[index]!) || 1
      const profiles = frequencies.map((vector) => {
        const z = vector.map((value, index) => (value - mean[index]!) / deviation[index]!)
        const norm = Math.sqrt(z.reduce((sum, value) => sum + value * value, 0)) || 1
        // Cosine against a z-scored window w: (sum_f x_f z_f / sd_f - sum_f mean_f z_f / sd_f) / (|w| |z|),
        // so only the window's non-zero grams need visiting.
        const weights = z.map((value, index) => value / deviation[index]! / norm)
        const offset = weights.reduce((sum, value, index) => sum + value * mean[index]!, 0)
        return { weights, offset }
      })
      const baseNormSquared = mean.reduce((sum, value, index) => sum + (value / deviation[index]!) ** 2, 0)
      return (window) => {
        const counts = new Map<string, number>()
        let total = Math.max(1, countGrams(prepare(window.join(joiner)), maximumOrder, counts))
        if (options.selectedTotal) {
          total = 0
          for (const [gram, value] of counts) if (featureIndex.has(gram)) total += value
          total = Math.max(1, total)
        }
        const present: [number, number][] = []
        let normSquared = baseNormSquared
        for (const [gram, value] of counts) {
          const index = featureIndex.get(gram)
          if (index === undefined) continue
          const frequency = value / total
          present.push([index, frequency])
          const sd = deviation[index]!
          normSquared += ((frequency - mean[index]!) / sd) ** 2 - (mean[index]! / sd) ** 2
        }
        const norm = Math.sqrt(Math.max(normSquared, 1e-12))
        return profiles.map(({ weights, offset }) => {
          let dot = -offset
          for (const [index, frequency] of present) dot += weights[index]! * frequency
          return dot / norm
        })
      }
    },
  }
}
