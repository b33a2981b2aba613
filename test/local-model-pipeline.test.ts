// The whole core pipeline on the embedded model: learn hypotheses, then draft (request check → compose → output check)
// with the tiny stories260K GGUF. It writes nonsense, so this asserts structure and the fail-closed rules, never wording.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isBotError } from '../src/bot-error.js'
import type { LanguageModel } from '../src/llm/language-model.js'
import { createLocalModel } from '../src/llm/local-model.js'
import { actorFor, createTestCore, enableWorkspace, memberA, message, type TestCore } from '../testing/support/test-core.js'
import { requires, testModel } from '../testing/support/test-prerequisites.js'

const modelPath = testModel.path

describe('the draft pipeline end to end on the embedded model', requires(testModel), () => {
  let model: LanguageModel
  let test: TestCore
  beforeAll(async () => {
    // The tiny model's 512-token vocabulary spends about one token per few characters: the prompts need a big context.
    model = await createLocalModel({ modelPath, threads: 1, contextSize: 8192, maxSequences: 1 })
    test = await createTestCore({ model })
    await enableWorkspace(test.core)
    await test.core.setConsent(actorFor(memberA), memberA, true)
    for (let index = 0; index < 30; index++) await test.core.observe(message(memberA, `yeah ok, looking at the flaky build now ${index} lol`))
  }, 240_000)
  afterAll(async () => {
    await test?.close()
    await model?.close?.()
  })

  it('learns schema-valid hypotheses from real messages, or fails with llm_output_invalid and keeps nothing', async () => {
    try {
      const profile = await test.core.learn(actorFor(memberA), memberA)
      for (const hypothesis of profile.hypotheses) {
        expect(['communication_strategy', 'personality', 'writing_style']).toContain(hypothesis.category)
        expect(hypothesis.confidence).toBeGreaterThanOrEqual(0)
        expect(hypothesis.confidence).toBeLessThanOrEqual(1)
      }
    } catch (error) {
      expect(isBotError(error, 'llm_output_invalid')).toBe(true)
      const profile = await test.core.profile(actorFor(memberA), memberA)
      expect(profile.hypotheses).toEqual([])
    }
  }, 240_000)

  it('a draft either passes both checks with a verdict, or is refused or failed closed with nothing shown', async () => {
    const outcome = await test.core.draft({ actor: actorFor(memberA), intent: 'tell the team the build is fixed' }).then(
      (result) => ({ result }),
      (error: unknown) => ({ error }),
    )
    if ('error' in outcome) {
      // Fail closed: the only errors allowed are the named ones, each with a message for the member.
      expect(isBotError(outcome.error)).toBe(true)
      expect(['safety_check_failed', 'llm_output_invalid', 'input_too_large']).toContain((outcome.error as { code: string }).code)
      return
    }
    const { result } = outcome
    expect(['comply', 'safe_complete', 'refuse']).toContain(result.verdict.decision)
    if (result.status === 'drafted') {
      expect(result.verdict.stage).toBe('output')
      expect(result.verdict.decision).not.toBe('refuse')
      expect(typeof result.text).toBe('string')
    } else {
      expect(result.verdict.decision).toBe('refuse')
      expect(result.message.length).toBeGreaterThan(0)
      expect(result).not.toHaveProperty('text')
    }
  }, 240_000)
})
