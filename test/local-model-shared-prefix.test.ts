// The embedded model's warm shared prefix, for real on the tiny stories260K GGUF (TEST_MODEL_PATH): a `sharedPrefix`
// system message stays evaluated across requests and nothing after it does, so no member's text is left in any context
// sequence, after a success, a failure or an abort; reuse changes what is evaluated, never what is generated.
// Skips, loudly, when the file is absent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { isBotError } from '../src/bot-error.js'
import type { CallContext, ChatMessage } from '../src/llm/language-model.js'
import { createLocalModel, type LocalModel } from '../src/llm/local-model.js'
import { requires, testModel } from '../testing/support/test-prerequisites.js'

const modelPath = testModel.path
const context: CallContext = { workspace: { platform: 'console', workspaceId: 'T00FAKETEAM1' }, purpose: 'safety' }
/** Two stages' prompts with a common start, like the safety checks' general principles before each stage's rules. */
const principles = 'You check a request against the rules below before anything is shown. Cite the rule that applies. '.repeat(6)
const requestStage = `${principles}Request stage rules: H1 harassment, H2 threats, V1 own voice.`
const outputStage = `${principles}Output stage rules: O1 no invention, O2 no private information, O3 injected instructions.`
const memberTexts = ['zebrafish marmalade quartz from Priya', 'walrus accordion tangerine from Omar', 'heron vermilion banjo from Lucia']

function messages(system: string, member: string): ChatMessage[] {
  return [
    { role: 'system', content: system },
    { role: 'user', content: `Request from the member: ${member}` },
  ]
}

function call(model: LocalModel, system: string, member: string, options: { maxTokens?: number; temperature?: number; seed?: number; signal?: AbortSignal; sharedPrefix?: boolean } = {}) {
  return model.generateText({ messages: messages(system, member), context, maxTokens: 24, temperature: 0, sharedPrefix: true, ...options })
}

/** Whether `needle` occurs as a run of consecutive tokens in `haystack`. */
function containsRun(haystack: readonly number[], needle: readonly number[]): boolean {
  outer: for (let start = 0; start + needle.length <= haystack.length; start++) {
    for (let index = 0; index < needle.length; index++) if (haystack[start + index] !== needle[index]) continue outer
    return true
  }
  return false
}

/** Fails when any run of a member text's tokens is held by any sequence (edge tokens dropped: they merge with neighbours). */
function expectNoMemberTokens(model: LocalModel, texts: readonly string[]) {
  const held = model.heldTokens()
  for (const text of texts) {
    for (const variant of [text, ` ${text}`]) {
      const inner = model.tokenize(variant).slice(1, -1)
      expect(inner.length).toBeGreaterThan(5)
      for (const tokens of held) expect(containsRun(tokens, inner), `a sequence still holds "${text}"`).toBe(false)
    }
  }
}

describe(`the warm shared prefix on ${modelPath}`, requires(testModel), () => {
  let warm: LocalModel
  let cold: LocalModel
  beforeAll(async () => {
    warm = await createLocalModel({ modelPath, threads: 1, contextSize: 2048, maxSequences: 2 })
    cold = await createLocalModel({ modelPath, threads: 1, contextSize: 2048, maxSequences: 2, reuseSharedPrefix: false })
  })
  afterAll(async () => {
    await warm?.close?.()
    await cold?.close?.()
  })

  it('after a call the sequence holds the system message evaluated and no token of the member text, the same for every member', async () => {
    await call(warm, requestStage, memberTexts[0]!)
    expectNoMemberTokens(warm, memberTexts)
    const afterFirst = warm.heldTokens()
    await call(warm, requestStage, memberTexts[1]!)
    expectNoMemberTokens(warm, memberTexts)
    // What is kept does not depend on the member at all, and it is the system message (the template adds a few tokens).
    expect(warm.heldTokens()).toEqual(afterFirst)
    const kept = afterFirst.find((tokens) => tokens.length > 0)!
    expect(kept.length).toBeGreaterThanOrEqual(warm.tokenize(requestStage).length)
    // A plain request (no sharedPrefix) is cleared as before, and goes to the empty sequence rather than evict the warm one.
    await call(warm, requestStage, memberTexts[2]!, { sharedPrefix: false })
    expect(warm.heldTokens()).toEqual(afterFirst)
    expectNoMemberTokens(warm, memberTexts)
  })

  it('the second call with the same prefix evaluates only what follows it, and generates exactly what a cold call does', async () => {
    await call(warm, requestStage, memberTexts[0]!)
    for (const options of [{ temperature: 0 }, { temperature: 0.8, seed: 42 }]) {
      const before = warm.evaluatedTokens().input
      const reused = await call(warm, requestStage, memberTexts[1]!, options)
      const fresh = await call(cold, requestStage, memberTexts[1]!, options)
      expect(reused.text).toBe(fresh.text)
      expect(reused.usage.completionTokens).toBe(fresh.usage.completionTokens)
      // The usage reported is what llama.cpp evaluated (its token meter), and the system message is not in it again.
      expect(warm.evaluatedTokens().input - before).toBe(reused.usage.promptTokens)
      expect(reused.usage.promptTokens).toBeLessThan(fresh.usage.promptTokens - warm.tokenize(requestStage).length)
    }
    // The baseline design keeps nothing at all.
    expect(cold.heldTokens().every((tokens) => tokens.length === 0)).toBe(true)
  })

  it('structured output reuses the prefix too (the schema instruction is part of it) and gives the same object', async () => {
    const schema = z.object({ decision: z.enum(['comply', 'refuse']), reason: z.string().max(40) })
    const verdict = (model: LocalModel, member: string) =>
      model.generateObject({ messages: messages(requestStage, member), context, schema, schemaName: 'verdict', maxTokens: 200, temperature: 0, sharedPrefix: true })
    await verdict(warm, memberTexts[0]!)
    const reused = await verdict(warm, memberTexts[1]!)
    const fresh = await verdict(cold, memberTexts[1]!)
    expect(reused.object).toEqual(fresh.object)
    expect(reused.usage.promptTokens).toBeLessThan(fresh.usage.promptTokens / 2)
    expectNoMemberTokens(warm, memberTexts)
  })

  it('two prefixes stay warm in two sequences; on one sequence a changed prefix is re-evaluated from where it differs', async () => {
    for (const system of [requestStage, outputStage]) await call(warm, system, memberTexts[0]!)
    for (const system of [requestStage, outputStage]) {
      const reused = await call(warm, system, memberTexts[1]!)
      const fresh = await call(cold, system, memberTexts[1]!)
      expect(reused.text).toBe(fresh.text)
      expect(reused.usage.promptTokens).toBeLessThan(fresh.usage.promptTokens - warm.tokenize(system).length)
    }
    expectNoMemberTokens(warm, memberTexts)

    const single = await createLocalModel({ modelPath, threads: 1, contextSize: 2048, maxSequences: 1 })
    try {
      await call(single, requestStage, memberTexts[0]!)
      const changed = await call(single, outputStage, memberTexts[1]!)
      const fresh = await call(cold, outputStage, memberTexts[1]!)
      expect(changed.text).toBe(fresh.text)
      // The common principles were reused (give or take the token where they meet the rules)...
      expect(changed.usage.promptTokens).toBeLessThan(fresh.usage.promptTokens - single.tokenize(principles).length + 2)
      // ...and the differing rules were evaluated: more than a call that finds its whole prefix in place.
      const same = await call(single, outputStage, memberTexts[2]!)
      expect(changed.usage.promptTokens).toBeGreaterThan(same.usage.promptTokens + 10)
      expectNoMemberTokens(single, memberTexts)
    } finally {
      await single.close?.()
    }
  })

  it('a failed call (output cut off at the token limit) leaves no member tokens, and the prefix stays usable', async () => {
    const schema = z.object({ decision: z.enum(['comply', 'refuse']), reason: z.string() })
    const failed = await warm
      .generateObject({ messages: messages(requestStage, memberTexts[2]!), context, schema, schemaName: 'verdict', maxTokens: 6, temperature: 0, sharedPrefix: true })
      .catch((error: unknown) => error)
    expect(isBotError(failed, 'llm_output_invalid')).toBe(true)
    expectNoMemberTokens(warm, memberTexts)
    const after = await call(warm, requestStage, memberTexts[0]!)
    expect(after.usage.promptTokens).toBeLessThan(warm.tokenize(requestStage).length)
  })

  it('a call aborted while it generates leaves no member tokens', async () => {
    await call(warm, requestStage, memberTexts[0]!)
    const warmLengths = warm.heldTokens().map((tokens) => tokens.length)
    const controller = new AbortController()
    const pending = call(warm, requestStage, memberTexts[2]!, { maxTokens: 1000, temperature: 0.8, seed: 3, signal: controller.signal }).then(
      () => 'finished',
      (error: unknown) => error,
    )
    let settled = false
    void pending.then(() => (settled = true))
    // Abort once the member's text is in a sequence (its tokens follow the warm prefix), not at a guessed time.
    while (!settled && !warm.heldTokens().some((tokens, index) => tokens.length > warmLengths[index]! + 5)) await new Promise((resolve) => setImmediate(resolve))
    expect(settled).toBe(false)
    controller.abort(new Error('caller gave up'))
    expect(isBotError(await pending, 'llm_timeout')).toBe(true)
    expectNoMemberTokens(warm, memberTexts)
  })
})
