// The hosted-model provider's transport: the real openai SDK against the fake server — text over SSE and JSON,
// usage, retries, retry-after caps, timeouts, aborts and unreadable replies, each with the BotError a caller gets.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { isBotError, type BotError } from '../src/bot-error.js'
import type { CallContext, ChatMessage } from '../src/llm/language-model.js'
import { estimatePromptTokens, estimateTokens } from '../src/llm/openai-chat-completion.js'
import { createOpenAiModel, type OpenAiModelOptions } from '../src/llm/openai-model.js'
import { fakeReply, startFakeOpenAiServer, type FakeOpenAiServer } from '../testing/fakes/fake-openai-server.js'

const context: CallContext = { workspace: { platform: 'slack', workspaceId: 'T00FAKETEAM1' }, member: { platform: 'slack', workspaceId: 'T00FAKETEAM1', userId: 'U00FAKEUSER1' }, purpose: 'draft' }
const messages: ChatMessage[] = [
  { role: 'system', content: 'You draft short messages.' },
  { role: 'user', content: 'Tell the team the deploy moved to Friday.' },
]

let server: FakeOpenAiServer
beforeEach(async () => {
  server = await startFakeOpenAiServer()
})
afterEach(async () => {
  await server.close()
})

function model(overrides: Partial<OpenAiModelOptions> = {}) {
  return createOpenAiModel({ baseUrl: server.url, apiKey: 'sk-fake-key', model: 'fake-model', timeoutMs: 5_000, maxRetries: 2, retryBaseDelayMs: 5, ...overrides })
}

async function failure(promise: Promise<unknown>): Promise<BotError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  )
  if (!isBotError(error)) throw new Error(`expected a BotError, got ${String(error)}`)
  return error
}

describe('generateText', () => {
  it('SSE stream is assembled with usage from the final chunk', async () => {
    server.enqueue(fakeReply.text('Heads up: the deploy moves to Friday.', { usage: { prompt_tokens: 21, completion_tokens: 9 } }))
    const result = await model().generateText({ messages, context, maxTokens: 200, temperature: 0.2, seed: 7 })

    expect(result).toEqual({ text: 'Heads up: the deploy moves to Friday.', usage: { promptTokens: 21, completionTokens: 9 }, model: 'fake-model' })
    const [request] = server.chatRequests()
    expect(request!.body).toMatchObject({
      model: 'fake-model',
      messages,
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 200,
      temperature: 0.2,
      seed: 7,
    })
    expect(request!.body.response_format).toBeUndefined()
    expect(request!.headers.authorization).toBe('Bearer sk-fake-key')
  })

  it('uses one JSON body when streaming is off', async () => {
    server.enqueue(fakeReply.text('Friday it is.', { usage: { prompt_tokens: 3, completion_tokens: 4 } }))
    const result = await model({ streamText: false }).generateText({ messages, context })

    expect(result.text).toBe('Friday it is.')
    expect(result.usage).toEqual({ promptTokens: 3, completionTokens: 4 })
    expect(server.chatRequests()[0]!.body.stream).toBe(false)
  })

  it('estimates usage when the server reports none', async () => {
    server.enqueue(fakeReply.text('Noted, Friday.', { usage: null }))
    const result = await model().generateText({ messages, context })

    expect(result.usage).toEqual({ promptTokens: estimatePromptTokens(messages), completionTokens: estimateTokens('Noted, Friday.') })
    expect(result.usage.promptTokens).toBeGreaterThan(0)
  })

  it('a model refusal is llm_output_invalid', async () => {
    server.enqueue(fakeReply.refusal())
    const error = await failure(model().generateText({ messages, context }))
    expect(error.code).toBe('llm_output_invalid')
    expect(error.userMessage).toMatch(/declined/)
  })
})

describe('retries', () => {
  it('retries a 500 then succeeds', async () => {
    server.enqueue(fakeReply.status(500), fakeReply.text('Recovered.'))
    const result = await model().generateText({ messages, context })

    expect(result.text).toBe('Recovered.')
    expect(server.chatRequests()).toHaveLength(2)
    expect(server.chatRequests()[1]!.body.messages).toEqual(messages)
  })

  it('retries a dropped connection then succeeds', async () => {
    server.enqueue(fakeReply.disconnect(), fakeReply.text('Back again.'))
    const result = await model().generateText({ messages, context })
    expect(result.text).toBe('Back again.')
    expect(server.chatRequests()).toHaveLength(2)
  })

  it('gives up after maxRetries with a retryable llm_failed', async () => {
    server.setHandler(() => fakeReply.status(503))
    const error = await failure(model({ maxRetries: 2 }).generateText({ messages, context }))

    expect(error.code).toBe('llm_failed')
    expect(error.isRetryable).toBe(true)
    expect(error.message).toContain('HTTP 503')
    expect(server.chatRequests()).toHaveLength(3)
  })

  it('honours a short retry-after, then succeeds', async () => {
    server.enqueue(fakeReply.rateLimited(1), fakeReply.text('After the wait.'))
    const result = await model().generateText({ messages, context })
    expect(result.text).toBe('After the wait.')
    expect(server.chatRequests()).toHaveLength(2)
  })

  it('caps retry-after and fails with llm_rate_limited', async () => {
    server.setHandler(() => fakeReply.rateLimited(120))
    // A deadline longer than the wait asked for, so only the cap can stop the call from waiting it out.
    const error = await failure(model({ timeoutMs: 600_000 }).generateText({ messages, context }))

    expect(error.code).toBe('llm_rate_limited')
    expect(error.retryAfterSeconds).toBe(120)
    expect(error.isRetryable).toBe(true)
    expect(error.userMessage).toContain('120 seconds')
    expect(server.chatRequests()).toHaveLength(1)
  })

  it('rate limited past maxRetries is llm_rate_limited', async () => {
    server.setHandler(() => fakeReply.status(429))
    const error = await failure(model({ maxRetries: 1 }).generateText({ messages, context }))
    expect(error.code).toBe('llm_rate_limited')
    expect(server.chatRequests()).toHaveLength(2)
  })

  it('an exhausted quota (429 insufficient_quota) is not retried', async () => {
    server.setHandler(() => fakeReply.status(429, { code: 'insufficient_quota' }))
    const error = await failure(model().generateText({ messages, context }))
    expect(error.code).toBe('llm_failed')
    expect(error.isRetryable).toBe(false)
    expect(error.userMessage).toMatch(/quota/)
    expect(server.chatRequests()).toHaveLength(1)
  })

  it('a rejected API key (401) is not retried and names LLM_API_KEY', async () => {
    server.setHandler(() => fakeReply.status(401, { code: 'invalid_api_key' }))
    const error = await failure(model().generateText({ messages, context }))
    expect(error.code).toBe('llm_failed')
    expect(error.isRetryable).toBe(false)
    expect(error.userMessage).toContain('LLM_API_KEY')
    expect(server.chatRequests()).toHaveLength(1)
  })

  it('an unknown model (404) names LLM_MODEL and LLM_BASE_URL', async () => {
    server.setHandler(() => fakeReply.status(404, { code: 'model_not_found' }))
    const error = await failure(model().generateText({ messages, context }))
    expect(error.userMessage).toContain('LLM_MODEL')
    expect(error.userMessage).toContain('LLM_BASE_URL')
    expect(server.chatRequests()).toHaveLength(1)
  })

  it('an unreachable server is a retryable llm_failed naming the host', async () => {
    const { url } = server
    await server.close()
    server = await startFakeOpenAiServer()
    const error = await failure(model({ baseUrl: url, maxRetries: 1 }).generateText({ messages, context }))
    expect(error.code).toBe('llm_failed')
    expect(error.isRetryable).toBe(true)
    expect(error.message).toContain(new URL(url).host)
  })
})

describe('timeouts and aborts', () => {
  it('times out a hanging server with llm_timeout', async () => {
    server.setHandler(() => fakeReply.hang())
    const error = await failure(model({ timeoutMs: 300 }).generateText({ messages, context }))

    expect(error.code).toBe('llm_timeout')
    expect(error.userMessage).toContain('LLM_TIMEOUT_MS')
    // The deadline covers the whole call: no retry is started once it has passed.
    expect(server.chatRequests()).toHaveLength(1)
  })

  it('times out a stream that stalls mid-way with llm_timeout', async () => {
    server.enqueue({ kind: 'completion', content: 'This reply never finishes', stallAfterEvents: 2 })
    const error = await failure(model({ timeoutMs: 300 }).generateText({ messages, context }))
    expect(error.code).toBe('llm_timeout')
  })

  it('a slow server (delayMs) past the deadline is llm_timeout', async () => {
    server.setHandler(() => fakeReply.default(10_000))
    const error = await failure(model({ timeoutMs: 300, streamText: false }).generateText({ messages, context }))
    expect(error.code).toBe('llm_timeout')
  })

  it("rethrows the caller's abort reason instead of a model error", async () => {
    server.setHandler(() => fakeReply.hang())
    const controller = new AbortController()
    const reason = new Error('member cancelled')
    const call = model().generateText({ messages, context, signal: controller.signal })
    await expect.poll(() => server.chatRequests().length).toBe(1)
    controller.abort(reason)
    await expect(call).rejects.toBe(reason)
  })
})

describe('replies that are not chat completions', () => {
  it('malformed JSON body gives a non-retryable llm_failed naming LLM_BASE_URL', async () => {
    server.setHandler(() => fakeReply.malformed())
    const error = await failure(model({ streamText: false }).generateText({ messages, context }))

    expect(error.code).toBe('llm_failed')
    expect(error.isRetryable).toBe(false)
    expect(error.userMessage).toContain('LLM_BASE_URL')
    expect(server.chatRequests()).toHaveLength(1)
  })

  it('an HTML page (base URL without /v1) gives llm_failed', async () => {
    server.setHandler(() => fakeReply.malformed('<html><body>Welcome</body></html>', 'text/html'))
    const error = await failure(model({ streamText: false }).generateText({ messages, context }))
    expect(error.code).toBe('llm_failed')
    expect(error.isRetryable).toBe(false)
  })

  it('a streamed request answered without SSE events gives llm_failed', async () => {
    server.setHandler(() => fakeReply.malformed())
    const error = await failure(model().generateText({ messages, context }))
    expect(error.code).toBe('llm_failed')
    expect(error.message).toContain('OpenAI-compatible')
  })
})

describe('servers that reject optional parameters (OpenAI reasoning models)', () => {
  // Answers like OpenAI does for a reasoning model: 400 for max_tokens and for a temperature other than 1.
  const reasoningServer = (request: { body: Record<string, unknown> }) => {
    if (request.body.max_tokens !== undefined) {
      return fakeReply.status(400, { message: "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.", code: 'unsupported_parameter' })
    }
    if (request.body.temperature !== undefined && request.body.temperature !== 1) {
      return fakeReply.status(400, { message: "Unsupported value: 'temperature' does not support 0.2 with this model. Only the default (1) value is supported.", code: 'unsupported_value' })
    }
    return undefined
  }

  it('sends max_completion_tokens and no temperature after the server refused them, and keeps doing so', async () => {
    server.setHandler(reasoningServer)
    const hosted = model()
    const first = await hosted.generateText({ messages, context, maxTokens: 200, temperature: 0.2 })
    expect(first.text.length).toBeGreaterThan(0)
    expect(server.requests).toHaveLength(3)
    const settled = server.requests.at(-1)!.body
    expect(settled.max_completion_tokens).toBe(200)
    expect(settled.max_tokens).toBeUndefined()
    expect(settled.temperature).toBeUndefined()

    server.requests.length = 0
    await hosted.generateText({ messages, context, maxTokens: 100, temperature: 0.2 })
    expect(server.requests).toHaveLength(1)
    expect(server.requests[0]!.body.max_completion_tokens).toBe(100)
  })

  it('keeps structured output on json_schema: the 400 was about a parameter, not the schema', async () => {
    server.setHandler(reasoningServer)
    const hosted = model()
    const result = await hosted.generateObject({ messages, context, maxTokens: 100, temperature: 0, schema: z.object({ ok: z.boolean() }), schemaName: 'ok' })
    expect(typeof result.object.ok).toBe('boolean')
    expect(hosted.structuredOutputMode).toBe('json_schema')
    expect(server.requests.at(-1)!.body.response_format?.type).toBe('json_schema')
  })

  it('still fails clearly on a 400 about anything else', async () => {
    server.setHandler(() => fakeReply.status(400, { message: "Invalid value for 'messages'.", code: 'invalid_value' }))
    const error = await failure(model().generateText({ messages, context, maxTokens: 200, temperature: 0.2 }))
    expect(error.code).toBe('llm_failed')
    expect(server.requests).toHaveLength(1)
  })
})
