// Learning hypotheses: structured output mapped to real evidence, member edits that always win, versions, the
// background scheduler with retries and a dead letter, and garbage model output that changes nothing.
import { afterEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { memberChildKey, memberKey } from '../src/core/identity/keys.js'
import { fakeReply } from '../testing/fakes/fake-openai-server.js'
import { countingStore, type StoreRead } from '../testing/support/counting-store.js'
import { defaultHypotheses, requestsOf, scriptedHandler, type Script } from '../testing/support/scripted-model.js'
import { actorFor, createTestCore, enableWorkspace, memberA, memberB, message, type TestCore } from '../testing/support/test-core.js'

let test: TestCore
afterEach(() => test?.close())

async function setup(script: Script = {}, options: { settings?: Record<string, string>; backgroundLearning?: boolean; messages?: number } = {}) {
  test = await createTestCore({ server: { handler: scriptedHandler(script) }, settings: options.settings, backgroundLearning: options.backgroundLearning })
  await enableWorkspace(test.core)
  await test.core.setConsent(actorFor(memberA), memberA, true)
  for (let index = 0; index < (options.messages ?? 60); index++) await test.core.observe(message(memberA, `msg ${index}: yeah looking at it now`))
}

describe('learning hypotheses', () => {
  it('sends a bounded, quoted sample and stores hypotheses with evidence resolved to the member’s messages', async () => {
    await setup({}, { settings: { LEARN_SAMPLE_SIZE: '12' } })
    const profile = await test.core.learn(actorFor(memberA), memberA)
    const [request] = requestsOf(test.server.requests, 'hypotheses')
    const prompt = request!.body.messages.at(-1)!.content
    expect(prompt.match(/^m\d+: "/gm)).toHaveLength(12)
    expect(profile.hypotheses.map((each) => each.statement)).toEqual(defaultHypotheses.hypotheses.map((each) => each.statement))
    const style = profile.hypotheses.find((each) => each.category === 'writing_style')!
    expect(style.evidenceMessageIds).toHaveLength(2)
    expect(style.evidence!.every((quote) => quote.includes('yeah looking at it now'))).toBe(true)
    // Evidence the model made up is dropped, and the hypothesis loses confidence.
    const personality = profile.hypotheses.find((each) => each.category === 'personality')!
    expect(personality.evidenceMessageIds).toEqual([])
    expect(personality.confidence).toBeLessThanOrEqual(0.3)
    expect(profile.hypothesesVersion).toBe(1)
    expect(profile.changes.at(-1)!.added).toHaveLength(3)
  })

  it('lets member edits win over later inference', async () => {
    await setup()
    let profile = await test.core.learn(actorFor(memberA), memberA)
    const [style, strategy, personality] = ['writing_style', 'communication_strategy', 'personality'].map((category) => profile.hypotheses.find((each) => each.category === category)!)
    await test.core.editHypothesis(actorFor(memberA), memberA, { action: 'correct', hypothesisId: style!.id, statement: 'Writes in lower case but always ends with a full stop.' })
    await test.core.editHypothesis(actorFor(memberA), memberA, { action: 'delete', hypothesisId: personality!.id })
    await test.core.editHypothesis(actorFor(memberA), memberA, { action: 'pin', hypothesisId: strategy!.id, pinned: true })
    profile = await test.core.learn(actorFor(memberA), memberA) // the model proposes all three again
    const statements = profile.hypotheses.map((each) => each.statement)
    expect(statements).toContain('Writes in lower case but always ends with a full stop.')
    expect(statements).not.toContain(personality!.statement) // rejected stays rejected
    expect(statements).not.toContain(style!.statement) // the corrected original is not re-added
    expect(statements.filter((statement) => statement === strategy!.statement)).toHaveLength(1)
    const prompt = requestsOf(test.server.requests, 'hypotheses')[1]!.body.messages.at(-1)!.content
    expect(prompt).toContain('Rejected by the person')
    expect(prompt).toContain(personality!.statement)
    expect(profile.changes.map((each) => each.by)).toEqual(['learning', 'member', 'member', 'member', 'learning'])
  })

  it('reads a bounded sample of each colleague for calibration, never their whole history', async () => {
    let reads: StoreRead[] = []
    const wrapStore: Parameters<typeof createTestCore>[0] = {
      wrapStore(store) {
        const counting = countingStore(store)
        reads = counting.reads
        return counting.store
      },
    }
    test = await createTestCore({ server: { handler: scriptedHandler({}) }, ...wrapStore })
    await enableWorkspace(test.core)
    await test.core.setConsent(actorFor(memberA), memberA, true)
    await test.core.setConsent(actorFor(memberB), memberB, true)
    for (let index = 0; index < 30; index++) await test.core.observe(message(memberA, `msg ${index}: yeah looking at it now`))
    // A colleague with 300 messages, every one 4,000 characters long.
    for (let index = 0; index < 300; index++) await test.core.observe(message(memberB, `${index} ${'we should ship it on friday. '.repeat(200)}`.slice(0, 4000)))
    // Stored counts current, so the population needs none of the colleague's rows (a read folds in rows not yet stored).
    await test.lifecycle.flushStyle()
    reads.length = 0
    await test.core.learn(actorFor(memberA), memberA)
    const fetched = reads.filter((read) => read.collection === 'history' && read.key.startsWith(`${memberKey(memberB)}:row:`)).length
    expect(fetched).toBeGreaterThan(0)
    expect(fetched).toBeLessThanOrEqual(50) // the rows of a 50-message sample, not all 300
    // And at most 20,000 characters of them reach the calibration: five of these messages.
    const calibration = await test.store.collection('style', z.object({ calibration: z.object({ otherSamples: z.number() }) })).get(memberChildKey(memberA, 'calibration'))
    expect(calibration?.calibration.otherSamples).toBe(5)
  })

  it('keeps the previous hypotheses when the model returns garbage', async () => {
    await setup()
    const first = await test.core.learn(actorFor(memberA), memberA)
    test.server.setHandler((request) => (request.body.response_format ? fakeReply.text('here are some thoughts, not json') : undefined))
    await expect(test.core.learn(actorFor(memberA), memberA)).rejects.toMatchObject({ code: 'llm_output_invalid' })
    const after = await test.core.profile(actorFor(memberA), memberA)
    expect(after.hypotheses.map((each) => each.id)).toEqual(first.hypotheses.map((each) => each.id))
    expect(after.learning.lastError).toBe('llm_output_invalid')
  })

  it('learns in the background once enough new text arrived', async () => {
    await setup({}, { settings: { LEARN_MIN_NEW_MESSAGES: '25', LEARN_MIN_INTERVAL_MINUTES: '0' }, backgroundLearning: true, messages: 30 })
    await test.lifecycle.idle()
    const profile = await test.core.profile(actorFor(memberA), memberA)
    expect(profile.hypotheses.length).toBeGreaterThan(0)
    expect(profile.learning.newMessagesSinceLearn).toBeLessThan(25)
    expect(requestsOf(test.server.requests, 'hypotheses')).toHaveLength(1)
  })

  it('retries a failing job with backoff, then parks it as a dead letter', async () => {
    await setup()
    test.server.setHandler(() => fakeReply.status(503))
    for (let attempt = 1; attempt <= 4; attempt++) {
      await expect(test.core.learn(actorFor(memberA), memberA)).rejects.toMatchObject({ code: 'llm_failed' })
      const profile = await test.core.profile(actorFor(memberA), memberA)
      expect(profile.learning.lastError).toBe('llm_failed')
      expect(profile.learning.parked).toBe(attempt === 4)
    }
    // The member asking again runs it; success clears the dead letter.
    test.server.setHandler(scriptedHandler({}))
    const profile = await test.core.learn(actorFor(memberA), memberA)
    expect(profile.learning).toMatchObject({ parked: false })
    expect(profile.learning.lastError).toBeUndefined()
  })
})
