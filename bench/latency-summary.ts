// Percentiles of a set of latency samples, shared by the platform benchmarks.

export type LatencySummary = { samples: number; p50Ms: number; p90Ms: number; p99Ms: number; maxMs: number }

/** Nearest-rank percentiles, rounded to 0.01 ms. */
export function summarize(samples: number[]): LatencySummary {
  const sorted = [...samples].sort((left, right) => left - right)
  const at = (quantile: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(quantile * sorted.length) - 1))] ?? 0
  const round2 = (value: number) => Math.round(value * 100) / 100
  return { samples: sorted.length, p50Ms: round2(at(0.5)), p90Ms: round2(at(0.9)), p99Ms: round2(at(0.99)), maxMs: round2(sorted.at(-1) ?? 0) }
}
