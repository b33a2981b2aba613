// The deferral benchmark's harness runs end to end on a tiny input and reports its structure (figures come from
// `npm run bench`, never from tests).
import { describe, expect, it } from 'vitest'
import { runDiscordDeferBenchmark } from '../bench/discord-defer.js'

describe('bench/discord-defer', () => {
  it('measures the adapter and a bare client (back to back, and after the adapter\'s pause) and returns JSON', async () => {
    const report = await runDiscordDeferBenchmark({ concurrency: 3, rounds: 1, modelDelayMs: 20 })
    expect(report).toMatchObject({ benchmark: 'discord-defer', concurrency: 3, rounds: 1, modelDelayMs: 20 })
    for (const summary of [report.adapter, report.adapterAnswer, report.bareClient, report.bareClientAfterPause]) {
      expect(summary.samples).toBe(3)
      expect(summary.p50Ms).toBeGreaterThan(0)
      expect(summary.p99Ms).toBeGreaterThanOrEqual(summary.p50Ms)
    }
    // The second bare baseline waits as long between rounds as the adapter did (at least its answers' model call).
    expect(report.pauseMs).toBeGreaterThanOrEqual(20)
    expect(JSON.parse(JSON.stringify(report))).toEqual(report)
  })
})
