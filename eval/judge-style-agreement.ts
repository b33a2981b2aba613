// Whether the pairwise judge and the calibrated style match tell the same story. A judge alone is not evidence
// (prompting methods have been declared clear winners by a judge while scoring below the cross-author floor on an
// authorship measure, with |r| < 0.07 between the two), so every pair reports both and how often they agree.
import { bootstrapInterval, type Interval, type TaskTally } from './confidence-interval.js'

/** One compared pair of outputs (one task, one sample): the judge's view and the style match's view of first vs second. */
export type PairedView = {
  task: string
  /** (first's wins − second's wins) / valid judgments over both orders: 1 = judge always preferred first, −1 = second. */
  judgeMargin?: number
  /** Both orders named the same winner. */
  consistentWinner?: 'first' | 'second'
  /** First's calibrated style match minus second's. */
  styleDifference?: number
}

export type Agreement = {
  /** Pairs with a consistent judge winner and different style matches: the ones where the two can agree or not. */
  comparisons: number
  agreements: number
  rate: number
  interval: Interval
  /** Pearson's r between the judge margin and the style-match difference, over pairs that have both. */
  correlation: number
  correlationPairs: number
}

export function judgeStyleAgreement(views: readonly PairedView[]): Agreement {
  const byTask = new Map<string, TaskTally>()
  let comparisons = 0
  let agreements = 0
  for (const view of views) {
    if (!view.consistentWinner || view.styleDifference === undefined || Math.abs(view.styleDifference) < 1e-9) continue
    const agrees = (view.consistentWinner === 'first') === view.styleDifference > 0
    comparisons++
    if (agrees) agreements++
    const tally = byTask.get(view.task) ?? { numerator: 0, denominator: 0 }
    tally.numerator += agrees ? 1 : 0
    tally.denominator += 1
    byTask.set(view.task, tally)
  }
  const both = views.filter((view) => view.judgeMargin !== undefined && view.styleDifference !== undefined)
  return {
    comparisons,
    agreements,
    rate: comparisons ? agreements / comparisons : Number.NaN,
    interval: bootstrapInterval([...byTask.values()]),
    correlation: pearson(both.map((view) => view.judgeMargin!), both.map((view) => view.styleDifference!)),
    correlationPairs: both.length,
  }
}

/** Pearson's correlation coefficient; NaN with fewer than two points or when either side does not vary. */
export function pearson(xs: readonly number[], ys: readonly number[]): number {
  const n = Math.min(xs.length, ys.length)
  if (n < 2) return Number.NaN
  let meanX = 0
  let meanY = 0
  for (let index = 0; index < n; index++) {
    meanX += xs[index]! / n
    meanY += ys[index]! / n
  }
  let covariance = 0
  let varianceX = 0
  let varianceY = 0
  for (let index = 0; index < n; index++) {
    const dx = xs[index]! - meanX
    const dy = ys[index]! - meanY
    covariance += dx * dy
    varianceX += dx * dx
    varianceY += dy * dy
  }
  // Rounding leaves a constant side a variance of about 1e-30, not 0: treat anything that small as not varying.
  return varianceX > 1e-12 && varianceY > 1e-12 ? covariance / Math.sqrt(varianceX * varianceY) : Number.NaN
}
