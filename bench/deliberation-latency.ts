// Benchmark of the safety pipeline's wait: a draft and an answer delivered by the real core, against a fake model that
// takes a fixed time per call, one request at a time, as a multiple of that delay. Next to it, in the same run, the
// sequential design (request check, then compose, then output check; candidates one after another), which the core
// still runs with COMPOSE_DURING_CHECK=off and LLM_MAX_CONCURRENCY=1. Measures only; never changes the core.
import { scriptedHandler } from '../testing/support/scripted-model.js'
import { createBenchCore, enableWorkspace, optIn, selfActor } from './bench-core.js'
import { uniqueBenchWorkspace } from './bench-store.js'
import { summarize, type LatencySummary } from './latency-summary.js'
import { round } from './observe-throughput.js'

export type DeliveredTimes = { draft: LatencySummary; draftBestOfThree: LatencySummary; answer: LatencySummary }

export type DeliberationLatencyReport = {
  benchmark: 'deliberation-latency'
  modelDelayMs: number
  rounds: number
  /** Request check and compose together, candidates at once (the defaults). */
  overlapped: DeliveredTimes
  /** The sequential design, measured in the same run. */
  sequential: DeliveredTimes
  /** p50 / model delay, per design and request kind. */
  multiples: { overlapped: Record<keyof DeliveredTimes, number>; sequential: Record<keyof DeliveredTimes, number> }
}

export const sequentialSettings = { COMPOSE_DURING_CHECK: 'off', LLM_MAX_CONCURRENCY: '1' }

export async function runDeliberationLatencyBenchmark(options: { modelDelayMs: number; rounds: number }): Promise<DeliberationLatencyReport> {
  const workspace = uniqueBenchWorkspace('deliberation')
  const member = { ...workspace, userId: 'U00BENCHDELIB1' }
  const bench = await createBenchCore({ server: { handler: scriptedHandler({}), delayMs: options.modelDelayMs }, limitConcurrency: true })
  try {
    await enableWorkspace(bench.core, workspace)
    await optIn(bench.core, workspace, [member.userId])
    const actor = selfActor(member)
    const context = [{ author: 'other' as const, text: 'Is the migration still planned for Thursday?' }]
    const measure = async (settings: Record<string, string>): Promise<DeliveredTimes> => {
      const core = Object.keys(settings).length ? await bench.variant(settings) : bench.core
      const bestOfThree = await bench.variant({ ...settings, DRAFT_CANDIDATES: '3' })
      const times = { draft: [] as number[], draftBestOfThree: [] as number[], answer: [] as number[] }
      const time = async (samples: number[], work: () => Promise<{ status: string }>) => {
        const started = performance.now()
        const result = await work()
        if (result.status === 'refused') throw new Error('the scripted model refused a benchmark request; the timings would be wrong')
        samples.push(performance.now() - started)
      }
      for (let index = 0; index < options.rounds; index++) {
        await time(times.draft, () => core.draft({ actor, intent: 'tell them the migration moves to friday', context, channelKind: 'public', channelId: 'C00BENCH0001' }))
        await time(times.draftBestOfThree, () => bestOfThree.draft({ actor, intent: 'tell them the migration moves to friday', context, channelKind: 'public', channelId: 'C00BENCH0001' }))
        await time(times.answer, () => core.answer({ actor, question: 'how do I roll back a failed migration?', context, channelKind: 'public' }))
      }
      return { draft: summarize(times.draft), draftBestOfThree: summarize(times.draftBestOfThree), answer: summarize(times.answer) }
    }
    const sequential = await measure(sequentialSettings)
    const overlapped = await measure({})
    const multiple = (times: DeliveredTimes) => ({
      draft: round(times.draft.p50Ms / options.modelDelayMs, 2),
      draftBestOfThree: round(times.draftBestOfThree.p50Ms / options.modelDelayMs, 2),
      answer: round(times.answer.p50Ms / options.modelDelayMs, 2),
    })
    return { benchmark: 'deliberation-latency', modelDelayMs: options.modelDelayMs, rounds: options.rounds, overlapped, sequential, multiples: { overlapped: multiple(overlapped), sequential: multiple(sequential) } }
  } finally {
    await bench.close()
  }
}
