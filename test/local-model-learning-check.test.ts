// The learning check end to end on the embedded model (the tiny stories260K GGUF): hypotheses inferred, held-out
// messages turned into intents, drafted with the revised and the previous set, scored, a verdict recorded, the worst
// drafts explained. The model writes nonsense, so this asserts the structure of what was recorded, never wording.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LanguageModel } from '../src/llm/language-model.js'
import { createLocalModel } from '../src/llm/local-model.js'
import { createHypothesisStore } from '../src/core/records/hypothesis-store.js'
import { actorFor, createTestCore, enableWorkspace, memberA, memberB, message, type TestCore } from '../testing/support/test-core.js'
import { requires, testModel } from '../testing/support/test-prerequisites.js'

describe('the learning check on the embedded model', requires(testModel), () => {
  let model: LanguageModel
  let test: TestCore
  beforeAll(async () => {
    model = await createLocalModel({ modelPath: testModel.path, threads: 1, contextSize: 8192, maxSequences: 1 })
    test = await createTestCore({ model, settings: { LEARNING_VERIFY_MESSAGES: '1', LEARN_SAMPLE_SIZE: '5', DRAFT_EXAMPLES: '1' } })
    await enableWorkspace(test.core)
    await test.core.setConsent(actorFor(memberA), memberA, true)
    await test.core.setConsent(actorFor(memberB), memberB, true)
    for (let index = 0; index < 15; index++) await test.core.observe(message(memberA, `yeah ok, looking at the flaky build now ${index} lol`))
    for (let index = 0; index < 15; index++) await test.core.observe(message(memberB, `Good morning, I confirm that report ${index} is reviewed. Regards.`))
  }, 240_000)
  afterAll(async () => {
    await test?.close()
    await model?.close?.()
  })

  it('checks a revision against a held-out message and records the scores', async () => {
    // An earlier inferred set, so whatever the tiny model proposes (often nothing) is a revision to check.
    const hypotheses = createHypothesisStore(test.store)
    const earlier = { id: 'h0000001', category: 'writing_style' as const, statement: 'Writes short lower-case lines.', evidenceMessageIds: [], confidence: 0.5, source: 'inferred' as const, pinned: false, updatedAt: Date.now() }
    await hypotheses.save(memberA, await hypotheses.get(memberA), { hypotheses: [earlier], rejected: [] }, 'learning', Date.now())
    const profile = await test.core.learn(actorFor(memberA), memberA)
    const change = profile.changes.at(-1)!
    expect(change.by).toBe('learning')
    expect(change.check).toMatchObject({ messages: 1 })
    for (const score of [change.check!.previous, change.check!.revised]) {
      expect(score).toBeGreaterThanOrEqual(0)
      expect(score).toBeLessThanOrEqual(1)
    }
    expect(change.note).toMatch(/^checked against 1 of your messages/)
    // Kept or not, the version history says which, and the set matches it.
    expect(profile.hypothesesVersion).toBe(change.check!.kept ? 2 : 1)
    if (!change.check!.kept) expect(profile.hypotheses.map((each) => each.id)).toEqual(['h0000001'])
  }, 240_000)
})
