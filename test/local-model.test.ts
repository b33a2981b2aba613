// The embedded model for real: node-llama-cpp running the tiny stories260K GGUF (TEST_MODEL_PATH). Asserts structure,
// token accounting, determinism and the errors a caller gets; never wording. Skips, loudly, when the file is absent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { isBotError, type BotError } from '../src/bot-error.js'
import { parseConfig } from '../src/config.js'
import { createVerdictSchema } from '../src/core/safety/deliberator.js'
import { parseSafetySpec } from '../src/core/safety/safety-spec.js'
import { loadPromptLibrary } from '../src/core/prompting/prompt-library.js'
import { learnedHypothesesSchema } from '../src/core/learning/hypothesis-learner.js'
import type { CallContext, ChatMessage, LanguageModel } from '../src/llm/language-model.js'
import { createLocalModel } from '../src/llm/local-model.js'
import { openLocalModel } from '../src/llm/local-model-factory.js'
import { requires, testModel } from '../testing/support/test-prerequisites.js'

const verdictSchema = createVerdictSchema(parseSafetySpec(loadPromptLibrary().render('safety-spec', {})).ruleIds('request'))
const modelPath = testModel.path

const context: CallContext = { workspace: { platform: 'console', workspaceId: 'T00FAKETEAM1' }, member: { platform: 'console', workspaceId: 'T00FAKETEAM1', userId: 'U00FAKEUSER1' }, purpose: 'eval' }
const storyPrompt: ChatMessage[] = [
  { role: 'system', content: 'You are a storyteller.' },
  { role: 'user', content: 'Tell me a story about a cat.' },
]
/** The shape the issue names for a verdict, next to the core's own schemas. */
const camelVerdictSchema = z.object({
  decision: z.enum(['comply', 'safe_complete', 'refuse']),
  ruleIds: z.array(z.string()),
  reason: z.string(),
})
const verdictPrompt: ChatMessage[] = [
  { role: 'system', content: 'Decide whether the request may be answered.' },
  { role: 'user', content: 'Request: write a friendly hello to the team.' },
]

async function failure(promise: Promise<unknown>): Promise<BotError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  )
  if (!isBotError(error)) throw new Error(`expected a BotError, got ${String(error)}`)
  return error
}

describe('embedded model without a model file', () => {
  it('missing model file gives a clear error', async () => {
    const error = await failure(createLocalModel({ modelPath: 'models/no-such-model.gguf', threads: 1, contextSize: 512, maxSequences: 1 }))
    expect(error.code).toBe('llm_not_configured')
    expect(error.isRetryable).toBe(false)
    expect(error.message).toContain('models/no-such-model.gguf')
    expect(error.message).toContain('npm run model:pull')
    expect(error.message).toContain('LLM_API_KEY')
    expect(error.userMessage).toContain('npm run model:pull')
    expect(error.userMessage).toContain('LLM_API_KEY')
  })

  it('the bot still starts: openLocalModel returns a stand-in that explains itself on every call', async () => {
    const opened = await openLocalModel(parseConfig({ LOCAL_MODEL: 'models/no-such-model.gguf', LOCAL_THREADS: '1' }))
    expect(opened.ready).toBe(false)
    const error = await failure(opened.model.generateText({ messages: storyPrompt, context }))
    expect(error.code).toBe('llm_not_configured')
    expect(error.message).toContain('models/no-such-model.gguf')
  })
})

describe(`embedded model on ${modelPath}`, requires(testModel), () => {
  let model: LanguageModel
  beforeAll(async () => {
    model = await createLocalModel({ modelPath, threads: 1, contextSize: 2048, maxSequences: 2 })
  })
  afterAll(async () => {
    await model?.close?.()
  })

  it('loads and names itself after the file', () => {
    expect(model.name).toBe('local:stories260K.gguf')
  })

  it('generates plain text with real token counts', async () => {
    const result = await model.generateText({ messages: storyPrompt, context, maxTokens: 40, temperature: 0 })
    expect(result.text.length).toBeGreaterThan(0)
    expect(result.model).toBe('local:stories260K.gguf')
    expect(result.usage.promptTokens).toBeGreaterThan(5)
    expect(result.usage.completionTokens).toBeGreaterThan(0)
    expect(result.usage.completionTokens).toBeLessThanOrEqual(40)
  })

  it('a safety verdict comes back schema-valid, parsed by the core schema', async () => {
    const result = await model.generateObject({ messages: verdictPrompt, context: { ...context, purpose: 'safety' }, schema: verdictSchema, schemaName: 'safety_verdict', maxTokens: 600, temperature: 0 })
    expect(verdictSchema.safeParse(result.object).success).toBe(true)
    expect(['comply', 'safe_complete', 'refuse']).toContain(result.object.decision)
    expect(Array.isArray(result.object.rule_ids)).toBe(true)
    expect(result.usage.completionTokens).toBeGreaterThan(5)
  })

  it('the verdict shape {decision, ruleIds, reason} comes back schema-valid too', async () => {
    const result = await model.generateObject({ messages: verdictPrompt, context, schema: camelVerdictSchema, schemaName: 'verdict', maxTokens: 600, temperature: 0 })
    expect(Object.keys(result.object).sort()).toEqual(['decision', 'reason', 'ruleIds'])
    expect(camelVerdictSchema.safeParse(result.object).success).toBe(true)
  })

  it('a hypotheses list comes back schema-valid, ranges included (confidence within 0..1)', async () => {
    const messages: ChatMessage[] = [
      { role: 'system', content: 'Describe how this member writes.' },
      { role: 'user', content: 'm1: "hey all, quick one: deploy is friday"\nm2: "thx!! will check"' },
    ]
    const result = await model.generateObject({ messages, context: { ...context, purpose: 'learn' }, schema: learnedHypothesesSchema, schemaName: 'member_hypotheses', maxTokens: 1000, temperature: 0 })
    expect(learnedHypothesesSchema.safeParse(result.object).success).toBe(true)
    for (const hypothesis of result.object.hypotheses) {
      expect(hypothesis.confidence).toBeGreaterThanOrEqual(0)
      expect(hypothesis.confidence).toBeLessThanOrEqual(1)
      expect(['communication_strategy', 'personality', 'writing_style']).toContain(hypothesis.category)
    }
  })

  it('a list that must not be empty gets items, each inside its ranges', async () => {
    const atLeastOne = z.object({
      hypotheses: z.array(z.object({ statement: z.string().min(3).max(80), confidence: z.number().min(0).max(1), rank: z.int().min(1).max(3) })).min(1).max(3),
    })
    const result = await model.generateObject({ messages: verdictPrompt, context, schema: atLeastOne, schemaName: 'ranked', maxTokens: 800, temperature: 0 })
    expect(result.object.hypotheses.length).toBeGreaterThanOrEqual(1)
    for (const item of result.object.hypotheses) {
      expect(item.statement.length).toBeGreaterThanOrEqual(3)
      expect([1, 2, 3]).toContain(item.rank)
    }
  })

  it('is deterministic: temperature 0 repeats, and the same seed repeats at temperature 0.8', async () => {
    const greedy = () => model.generateText({ messages: storyPrompt, context, maxTokens: 40, temperature: 0 })
    expect((await greedy()).text).toBe((await greedy()).text)
    const seeded = () => model.generateText({ messages: storyPrompt, context, maxTokens: 40, temperature: 0.8, seed: 42 })
    expect((await seeded()).text).toBe((await seeded()).text)
    const object = () => model.generateObject({ messages: verdictPrompt, context, schema: camelVerdictSchema, schemaName: 'verdict', maxTokens: 600, temperature: 0.8, seed: 7 })
    expect((await object()).object).toEqual((await object()).object)
  })

  it('truncated JSON gives llm_output_invalid', async () => {
    const error = await failure(model.generateObject({ messages: verdictPrompt, context, schema: camelVerdictSchema, schemaName: 'verdict', maxTokens: 8, temperature: 0 }))
    expect(error.code).toBe('llm_output_invalid')
    expect(error.message).toMatch(/8-token limit/)
    // Nothing of what the model wrote is repeated to anyone.
    expect(error.message).not.toContain('{')
    expect(error.userMessage).toMatch(/nothing is shown/)
  })

  it('concurrent requests are queued, not crashed', async () => {
    const requests = Array.from({ length: 6 }, (_, index) =>
      index % 2 === 0
        ? model.generateObject({ messages: verdictPrompt, context, schema: camelVerdictSchema, schemaName: 'verdict', maxTokens: 600, temperature: 0 })
        : model.generateText({ messages: storyPrompt, context, maxTokens: 30, temperature: 0 }),
    )
    const results = await Promise.all(requests)
    expect(results).toHaveLength(6)
    const objects = results.filter((result) => 'object' in result)
    const texts = results.filter((result) => 'text' in result)
    // Six requests over two sequences: every one ran to completion, and identical greedy requests agree.
    expect(new Set(objects.map((result) => JSON.stringify(result.object))).size).toBe(1)
    expect(new Set(texts.map((result) => result.text)).size).toBe(1)
    for (const result of results) expect(result.usage.promptTokens).toBeGreaterThan(0)
  })

  it('a prompt too long for the context is refused up front with input_too_large', async () => {
    const long: ChatMessage[] = [{ role: 'user', content: 'once upon a time '.repeat(2000) }]
    const error = await failure(model.generateText({ messages: long, context, maxTokens: 20 }))
    expect(error.code).toBe('input_too_large')
    expect(error.userMessage).toMatch(/LOCAL_CONTEXT_SIZE/)
  })

  it('an aborted request gives llm_timeout and leaves the model usable', async () => {
    const controller = new AbortController()
    controller.abort(new Error('caller gave up'))
    const error = await failure(model.generateText({ messages: storyPrompt, context, maxTokens: 20, signal: controller.signal }))
    expect(error.code).toBe('llm_timeout')
    const after = await model.generateText({ messages: storyPrompt, context, maxTokens: 10, temperature: 0 })
    expect(after.usage.completionTokens).toBeGreaterThan(0)
  })
})

describe('embedded model with a full waiting line', requires(testModel), () => {
  it('turns requests beyond the waiting line away as busy (llm_rate_limited), and serves the rest', async () => {
    const model = await createLocalModel({ modelPath, threads: 1, contextSize: 1024, maxSequences: 1, maxWaiting: 2 })
    try {
      const settled = await Promise.allSettled(
        Array.from({ length: 5 }, () => model.generateText({ messages: storyPrompt, context, maxTokens: 20, temperature: 0 })),
      )
      const fulfilled = settled.filter((outcome) => outcome.status === 'fulfilled')
      const rejected = settled.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as BotError] : []))
      expect(fulfilled).toHaveLength(3)
      expect(rejected.map((error) => error.code)).toEqual(['llm_rate_limited', 'llm_rate_limited'])
      expect(rejected[0]!.userMessage).toMatch(/busy/)
    } finally {
      await model.close?.()
    }
  })
})
