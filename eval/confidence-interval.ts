// Confidence intervals for the evaluation's rates, by a percentile bootstrap over tasks. Judgments within one task
// are not independent (both orders and every sample share its intent and reference), so whole tasks are resampled:
// an interval that treated each judgment as its own trial would be too narrow by about the square root of that count.

export type Interval = { low: number; high: number }

/** One task's share of a rate: e.g. the first output's wins + ties/2 over that task's judgments. */
export type TaskTally = { numerator: number; denominator: number }

export const noInterval: Interval = { low: Number.NaN, high: Number.NaN }

/**
 * The `level` percentile interval of sum(numerator) / sum(denominator) over tasks resampled with replacement.
 * Deterministic for a seed, so two runs of the same report print the same interval.
 */
export function bootstrapInterval(tallies: readonly TaskTally[], options: { resamples?: number; seed?: number; level?: number } = {}): Interval {
  const counted = tallies.filter((tally) => tally.denominator > 0)
  if (counted.length === 0) return noInterval
  const resamples = options.resamples ?? 2000
  const level = options.level ?? 0.95
  const random = mulberry32(options.seed ?? 1)
  const statistics: number[] = []
  for (let round = 0; round < resamples; round++) {
    let numerator = 0
    let denominator = 0
    for (let draw = 0; draw < counted.length; draw++) {
      const tally = counted[Math.floor(random() * counted.length)]!
      numerator += tally.numerator
      denominator += tally.denominator
    }
    statistics.push(numerator / denominator)
  }
  statistics.sort((a, b) => a - b)
  return { low: quantile(statistics, (1 - level) / 2), high: quantile(statistics, (1 + level) / 2) }
}

/** Linear interpolation between order statistics (the usual "type 7" quantile) of a sorted list. */
function quantile(sorted: readonly number[], q: number): number {
  const position = q * (sorted.length - 1)
  const below = Math.floor(position)
  const above = Math.min(sorted.length - 1, below + 1)
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (position - below)
}

/** A small seeded generator: the bootstrap needs reproducible draws, not cryptographic ones. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let value = state
    value = Math.imul(value ^ (value >>> 15), value | 1)
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61)
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296
  }
}
