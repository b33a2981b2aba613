// The deferral benchmark's harness runs end to end on a tiny input and reports its structure (figures come from
// `npm run bench`, never from tests).
import { describe, expect, it } from 'vitest'
import { runDiscordDeferBenchmark } from '../bench/discord-defer.js'

describe('bench/discord-defer', () => {
  it('measures the adapter and a bare client and returns JSON', async () => {
    const report = await runDiscordDeferBenchmark({ concurrency: 3, rounds: 1, modelDelayMs: 20 })
    expect(report).toMatchObject({ benchmark: 'discord-defer', concurrency: 3, rounds: 1, modelDelayMs: 20 })
    for (const summary of [report.adapter, report.adapterAnswer, report.bareClient]) {
      expect(summary.samples).toBe(3)
      expect(summary.p50Ms).toBeGreaterThan(0)
      expect(summary.p99Ms).toBeGreaterThanOrEqual(summary.p50Ms)
    }
    expect(JSON.parse(JSON.stringify(report))).toEqual(report)
  })
})
