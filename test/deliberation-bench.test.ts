// The safety pipeline benchmarks run end to end on a tiny input and report their structure, with the sequential
// design as the same-run baseline (figures come from `npm run bench`, never from tests).
import { describe, expect, it } from 'vitest'
import { rowsFor } from '../bench/bench-rows.js'
import { runDeliberationLatencyBenchmark } from '../bench/deliberation-latency.js'

describe('bench/deliberation-latency', () => {
  it('times draft, best-of-3 draft and answer, overlapped and sequential, and returns JSON', async () => {
    const report = await runDeliberationLatencyBenchmark({ modelDelayMs: 20, rounds: 1 })
    expect(report).toMatchObject({ benchmark: 'deliberation-latency', modelDelayMs: 20, rounds: 1 })
    for (const design of [report.overlapped, report.sequential]) {
      for (const summary of [design.draft, design.draftBestOfThree, design.answer]) expect(summary.samples).toBe(1)
    }
    expect(JSON.parse(JSON.stringify(report))).toEqual(report)
    const rows = rowsFor({ safety: report })
    expect(rows.map((row) => row.figure)).toEqual([
      'draft delivered p50 (× model delay 20 ms)',
      'draft delivered p50, DRAFT_CANDIDATES=3 (× model delay 20 ms)',
      'answer delivered p50 (× model delay 20 ms)',
    ])
    for (const row of rows) expect(row.baselineValue).toBeGreaterThan(0)
  })
})
