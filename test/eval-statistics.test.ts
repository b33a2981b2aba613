// The evaluation's statistics on inputs the test writes itself: the task bootstrap behind every interval, the
// judge / style-match agreement and correlation, and the sampling model that gives each sample its own draws.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bootstrapInterval, type TaskTally } from '../eval/confidence-interval.js'
import { judgeStyleAgreement, pearson, type PairedView } from '../eval/judge-style-agreement.js'
import { createSamplingModel } from '../eval/sampling-model.js'
import { coreConditionSettings, verifyMessages } from '../eval/style-conditions.js'
import { configKeys } from '../src/config.js'
import { createOpenAiModel } from '../src/llm/openai-model.js'
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../testing/fakes/fake-openai-server.js'

/** `wins` of `tasks` tasks with one decisive judgment each. */
const independent = (wins: number, tasks: number): TaskTally[] => Array.from({ length: tasks }, (_, index) => ({ numerator: index < wins ? 1 : 0, denominator: 1 }))

describe('bootstrap intervals over tasks', () => {
  it('on independent judgments it matches the normal approximation of a proportion', () => {
    const { low, high } = bootstrapInterval(independent(120, 400))
    const half = 1.959964 * Math.sqrt((0.3 * 0.7) / 400)
    expect(low).toBeCloseTo(0.3 - half, 2)
    expect(high).toBeCloseTo(0.3 + half, 2)
  })

  it('is wider when judgments come in agreeing blocks per task than for as many independent tasks', () => {
    // 100 tasks × 4 judgments that always agree within a task carry the information of 100 judgments, not 400.
    const blocks = Array.from({ length: 100 }, (_, index) => ({ numerator: index < 30 ? 4 : 0, denominator: 4 }))
    const clustered = bootstrapInterval(blocks)
    const spread = bootstrapInterval(independent(120, 400))
    expect(clustered.high - clustered.low).toBeGreaterThan(1.7 * (spread.high - spread.low))
    const half = 1.959964 * Math.sqrt((0.3 * 0.7) / 100)
    expect(clustered.high - clustered.low).toBeCloseTo(2 * half, 1)
  })

  it('ties count as the tally says, a sweep has no width, and no tasks give no interval', () => {
    expect(bootstrapInterval(independent(10, 10))).toEqual({ low: 1, high: 1 })
    expect(bootstrapInterval([{ numerator: 1, denominator: 2 }, { numerator: 1, denominator: 2 }])).toEqual({ low: 0.5, high: 0.5 })
    expect(bootstrapInterval([{ numerator: 0, denominator: 0 }])).toEqual({ low: Number.NaN, high: Number.NaN })
    expect(bootstrapInterval([])).toEqual({ low: Number.NaN, high: Number.NaN })
  })

  it('is reproducible for a seed, contains the point estimate, and differs for another seed', () => {
    const tallies = Array.from({ length: 30 }, (_, index) => ({ numerator: (index * 7) % 3, denominator: 2 }))
    const estimate = tallies.reduce((sum, tally) => sum + tally.numerator, 0) / tallies.reduce((sum, tally) => sum + tally.denominator, 0)
    const first = bootstrapInterval(tallies, { seed: 3 })
    expect(bootstrapInterval(tallies, { seed: 3 })).toEqual(first)
    expect(first.low).toBeLessThan(estimate)
    expect(first.high).toBeGreaterThan(estimate)
    expect(bootstrapInterval(tallies, { seed: 4 })).not.toEqual(first)
  })
})

describe('judge and style match agreement', () => {
  it('Pearson r: a line is 1, its mirror −1, a known set its textbook value, no variation NaN', () => {
    expect(pearson([1, 0, -1], [0.2, 0, -0.2])).toBeCloseTo(1)
    expect(pearson([1, 0, -1], [-0.3, 0.1, 0.5])).toBeCloseTo(-1)
    // x = 1..5, y = 2, 4, 5, 4, 5: r = 6 / sqrt(10 × 6)
    expect(pearson([1, 2, 3, 4, 5], [2, 4, 5, 4, 5])).toBeCloseTo(6 / Math.sqrt(60))
    expect(pearson([0.1, 0.1, 0.1], [1, 2, 3])).toBeNaN()
    expect(pearson([1], [1])).toBeNaN()
  })

  it('counts only pairs with a consistent judge winner and different style matches, and correlates margin with difference', () => {
    const views: PairedView[] = [
      { task: 'a', judgeMargin: 1, consistentWinner: 'first', styleDifference: 0.3 }, // agree
      { task: 'a', judgeMargin: -1, consistentWinner: 'second', styleDifference: -0.1 }, // agree
      { task: 'b', judgeMargin: 1, consistentWinner: 'first', styleDifference: -0.2 }, // disagree
      { task: 'b', judgeMargin: 0, styleDifference: 0.4 }, // split judge: no comparison, still in r
      { task: 'c', judgeMargin: 1, consistentWinner: 'first', styleDifference: 0 }, // equal style: no comparison
      { task: 'c', consistentWinner: 'first' }, // no style match: neither
    ]
    const agreement = judgeStyleAgreement(views)
    expect(agreement).toMatchObject({ comparisons: 3, agreements: 2, correlationPairs: 5 })
    expect(agreement.rate).toBeCloseTo(2 / 3)
    expect(agreement.correlation).toBeCloseTo(pearson([1, -1, 1, 0, 1], [0.3, -0.1, -0.2, 0.4, 0]))
    expect(agreement.interval.low).toBeLessThanOrEqual(agreement.rate)
    expect(agreement.interval.high).toBeGreaterThanOrEqual(agreement.rate)
    expect(judgeStyleAgreement([])).toMatchObject({ comparisons: 0, rate: Number.NaN, correlation: Number.NaN })
  })
})

describe('the sampling model', () => {
  let server: FakeOpenAiServer
  beforeAll(async () => (server = await startFakeOpenAiServer()))
  afterAll(async () => server.close())

  it('gives every draft call in a sample the evaluation temperature and a seed of its own; other calls pass unchanged', async () => {
    const sampling = createSamplingModel(createOpenAiModel({ baseUrl: server.url, apiKey: 'test-key', model: 'fake-model', timeoutMs: 5000, maxRetries: 0 }), 0.9)
    const workspace = { platform: 'console', workspaceId: 'eval:test' } as const
    const draft = (seed: number) => sampling.model.generateText({ messages: [{ role: 'user', content: 'hi' }], temperature: 0.5, seed, context: { workspace, purpose: 'draft' } })
    await sampling.sample(0, () => draft(1))
    await sampling.sample(2, async () => {
      await draft(1)
      await draft(2)
      await sampling.model.generateText({ messages: [{ role: 'user', content: 'judge' }], temperature: 0, seed: 1, context: { workspace, purpose: 'eval' } })
    })
    await draft(1)
    expect(server.chatRequests().map((request) => [request.body.temperature, request.body.seed])).toEqual([
      [0.9, 1],
      [0.9, 2001],
      [0.9, 2002],
      [0, 1],
      [0.5, 1],
    ])
  })
})

describe('core conditions', () => {
  it('ours + verification is the only core condition that checks revisions at learning time, with settings the core has', () => {
    expect(coreConditionSettings('full')).toEqual({ settings: { LEARNING_VERIFY_MESSAGES: 0 } })
    expect(coreConditionSettings('full+edits')).toEqual({ settings: { LEARNING_VERIFY_MESSAGES: 0 } })
    expect(coreConditionSettings('full+verify')).toMatchObject({ settings: { LEARNING_VERIFY_MESSAGES: verifyMessages } })
    for (const condition of ['full', 'full+verify', 'full+edits'] as const) {
      const plan = coreConditionSettings(condition)
      for (const name of Object.keys('settings' in plan ? plan.settings : {})) expect(configKeys).toContain(name)
    }
  })
})
