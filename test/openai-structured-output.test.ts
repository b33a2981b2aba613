// generateObject against the fake server: strict json_schema from zod, the JSON-mode fallback for servers without
// json_schema, the single repair attempt, refusals, and the llm_output_invalid error that never quotes the model.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { isBotError, type BotError } from '../src/bot-error.js'
import type { CallContext, ChatMessage } from '../src/llm/language-model.js'
import { createOpenAiModel, type OpenAiModelOptions } from '../src/llm/openai-model.js'
import type { Logger } from '../src/logger.js'
import { fakeReply, requestedSchema, startFakeOpenAiServer, type FakeOpenAiServer } from '../testing/fakes/fake-openai-server.js'

const context: CallContext = { workspace: { platform: 'discord', workspaceId: 'T00FAKETEAM1' }, member: { platform: 'discord', workspaceId: 'T00FAKETEAM1', userId: 'U00FAKEUSER1' }, purpose: 'safety' }
const messages: ChatMessage[] = [
  { role: 'system', content: 'You check drafts against the safety spec.' },
  { role: 'user', content: 'Draft: "See you all at standup."' },
]
const verdictSchema = z.object({
  decision: z.enum(['comply', 'safe_complete', 'refuse']),
  ruleIds: z.array(z.string()).min(1),
  reason: z.string().min(3),
  confidence: z.number().min(0).max(1),
  note: z.string().nullable(),
})
const validVerdict = { decision: 'refuse', ruleIds: ['W1'], reason: 'invents a date', confidence: 0.9, note: null }
const schemaViolation = { decision: 'maybe', ruleIds: [], reason: 'ok', confidence: 7 }

let server: FakeOpenAiServer
beforeEach(async () => {
  server = await startFakeOpenAiServer()
})
afterEach(async () => {
  await server.close()
})

function model(overrides: Partial<OpenAiModelOptions> = {}) {
  return createOpenAiModel({ baseUrl: server.url, model: 'fake-model', timeoutMs: 5_000, maxRetries: 1, retryBaseDelayMs: 5, ...overrides })
}

function verdict(overrides: Partial<OpenAiModelOptions> = {}, signal?: AbortSignal) {
  return model(overrides).generateObject({ messages, context, schema: verdictSchema, schemaName: 'safety_verdict', signal })
}

async function failure(promise: Promise<unknown>): Promise<BotError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  )
  if (!isBotError(error)) throw new Error(`expected a BotError, got ${String(error)}`)
  return error
}

function recordingLogger(): Logger & { events: { event: string; fields?: Record<string, unknown> }[] } {
  const events: { event: string; fields?: Record<string, unknown> }[] = []
  const record = (event: string, fields?: Record<string, unknown>) => void events.push({ event, fields })
  return { events, debug: record, info: record, warn: record, error: record }
}

describe('structured output with json_schema', () => {
  it('sends a strict json_schema built from the zod schema and returns the checked object', async () => {
    server.enqueue(fakeReply.json(validVerdict, { usage: { prompt_tokens: 40, completion_tokens: 12 } }))
    const result = await verdict()

    expect(result).toEqual({ object: validVerdict, usage: { promptTokens: 40, completionTokens: 12 }, model: 'fake-model' })
    const [request] = server.chatRequests()
    expect(request!.body.messages).toEqual(messages)
    expect(request!.body.stream).toBe(false)
    expect(request!.body.response_format).toMatchObject({ type: 'json_schema', json_schema: { name: 'safety_verdict', strict: true } })
    expect(request!.body.response_format!.json_schema!.schema).toMatchObject({
      type: 'object',
      required: ['decision', 'ruleIds', 'reason', 'confidence', 'note'],
      additionalProperties: false,
    })
  })

  it('the fake server answers a schema without scripting, and the reply passes zod', async () => {
    const result = await verdict()
    expect(verdictSchema.parse(result.object)).toEqual(result.object)
  })

  it('accepts JSON wrapped in a markdown fence', async () => {
    server.enqueue(fakeReply.text('```json\n' + JSON.stringify(validVerdict) + '\n```'))
    const result = await verdict()
    expect(result.object).toEqual(validVerdict)
    expect(server.chatRequests()).toHaveLength(1)
  })

  it('a schema with .optional() is sent non-strict with a warning, and still checked by zod', async () => {
    const logger = recordingLogger()
    const optionalSchema = z.object({ title: z.string(), subtitle: z.string().optional() })
    const result = await model({ logger }).generateObject({ messages, context, schema: optionalSchema, schemaName: 'with_optional' })

    expect(result.object).toEqual({ title: 'fake' })
    expect(server.chatRequests()[0]!.body.response_format).toMatchObject({ type: 'json_schema', json_schema: { strict: false } })
    expect(logger.events.find((entry) => entry.event === 'llm_schema_not_strict')?.fields?.reason).toMatch(/nullable/)
  })
})

describe('JSON-mode fallback', () => {
  it('falls back to JSON mode when json_schema is rejected, and remembers it', async () => {
    await server.close()
    server = await startFakeOpenAiServer({ rejectJsonSchema: true })
    const hosted = model()

    const first = await hosted.generateObject({ messages, context, schema: verdictSchema, schemaName: 'safety_verdict' })
    expect(verdictSchema.parse(first.object)).toEqual(first.object)
    const [rejected, fallback] = server.chatRequests()
    expect(rejected!.body.response_format?.type).toBe('json_schema')
    expect(fallback!.body.response_format).toEqual({ type: 'json_object' })
    // The schema now travels in the caller's system message, which keeps its own text first.
    expect(fallback!.body.messages[0]!.role).toBe('system')
    expect(fallback!.body.messages[0]!.content).toMatch(/^You check drafts against the safety spec\.\n\nReply with only one JSON object/)
    expect(requestedSchema(fallback!.body)).toMatchObject({ properties: { decision: { enum: ['comply', 'safe_complete', 'refuse'] } } })
    expect(fallback!.body.messages.slice(1)).toEqual(messages.slice(1))
    expect(hosted.structuredOutputMode).toBe('json_object')

    await hosted.generateObject({ messages, context, schema: verdictSchema, schemaName: 'safety_verdict' })
    expect(server.chatRequests()).toHaveLength(3)
    expect(server.chatRequests()[2]!.body.response_format).toEqual({ type: 'json_object' })
  })

  it('adds a system message for the schema when the caller sent none', async () => {
    server.enqueue(fakeReply.rejectJsonSchema())
    await model().generateObject({ messages: [{ role: 'user', content: 'Classify this.' }], context, schema: verdictSchema, schemaName: 'safety_verdict' })
    const fallback = server.chatRequests()[1]!
    expect(fallback.body.messages.map((message) => message.role)).toEqual(['system', 'user'])
    expect(fallback.body.messages[0]!.content).toMatch(/^Reply with only one JSON object/)
  })

  it.each([
    ['a context-length error', { code: 'context_length_exceeded', message: 'This model maximum context length is 8192 tokens.' }],
    ['a bad message', { message: 'messages[1].content must be a string', param: 'messages' }],
    ['an error about the schema itself', { message: "Invalid schema for response_format 'safety_verdict': 'additionalProperties' is required", param: 'response_format' }],
  ])('a 400 that does not say json_schema is unsupported (%s) fails that call only, without a JSON-mode retry', async (_case, body) => {
    server.setHandler(() => fakeReply.status(400, body))
    const hosted = model()
    const error = await failure(hosted.generateObject({ messages, context, schema: verdictSchema, schemaName: 'safety_verdict' }))

    expect(error.code).toBe('llm_failed')
    expect(error.isRetryable).toBe(false)
    expect(server.chatRequests()).toHaveLength(1)
    expect(hosted.structuredOutputMode).toBe('json_schema')
  })

  it('a 400 whose message names json_schema as unsupported (no param) also switches to JSON mode', async () => {
    server.enqueue(fakeReply.status(400, { message: 'json_schema response format is not supported by this model' }))
    const hosted = model()
    const result = await hosted.generateObject({ messages, context, schema: verdictSchema, schemaName: 'safety_verdict' })
    expect(verdictSchema.parse(result.object)).toEqual(result.object)
    expect(server.chatRequests().map((request) => request.body.response_format?.type)).toEqual(['json_schema', 'json_object'])
    expect(hosted.structuredOutputMode).toBe('json_object')
  })

  it('prose where json_schema was asked is repaired once, still in json_schema mode with the schema restated', async () => {
    server.enqueue(fakeReply.notJson())
    const hosted = model()
    const result = await hosted.generateObject({ messages, context, schema: verdictSchema, schemaName: 'safety_verdict' })

    expect(verdictSchema.parse(result.object)).toEqual(result.object)
    const repair = server.chatRequests()[1]!
    expect(repair.body.response_format?.type).toBe('json_schema')
    expect(repair.body.messages.slice(0, 2)).toEqual(messages)
    expect(repair.body.messages.at(-2)).toEqual({ role: 'assistant', content: 'Sure! Here is what you asked for, in plain words.' })
    expect(repair.body.messages.at(-1)!.content).toContain('it is not valid JSON')
    expect(repair.body.messages.at(-1)!.content).toContain('```json\n{"type":"object"')
    expect(hosted.structuredOutputMode).toBe('json_schema')
  })

  it('one garbage reply to a structured call fails that call only (llm_output_invalid after one repair); the next call still uses json_schema', async () => {
    server.enqueue(fakeReply.notJson(), fakeReply.text('still {not json'))
    const hosted = model()
    const error = await failure(hosted.generateObject({ messages, context, schema: verdictSchema, schemaName: 'safety_verdict' }))
    expect(error.code).toBe('llm_output_invalid')

    // Another workspace's call right after: the server was never shown to lack json_schema, so nothing changed.
    const next = await hosted.generateObject({ messages, context: { ...context, workspace: { platform: 'discord', workspaceId: 'T00FAKETEAM2' } }, schema: verdictSchema, schemaName: 'safety_verdict' })
    expect(verdictSchema.parse(next.object)).toEqual(next.object)
    expect(server.chatRequests().map((request) => request.body.response_format?.type)).toEqual(['json_schema', 'json_schema', 'json_schema'])
    expect(hosted.structuredOutputMode).toBe('json_schema')
  })

  it('after a downgrade, json_schema is probed again every N structured calls, and kept once the server accepts it', async () => {
    let supportsJsonSchema = false
    server.setHandler(() => (supportsJsonSchema ? undefined : fakeReply.rejectJsonSchema()))
    const hosted = model({ reprobeJsonSchema: { afterCalls: 2, afterMs: Number.POSITIVE_INFINITY } })
    const call = () => hosted.generateObject({ messages, context, schema: verdictSchema, schemaName: 'safety_verdict' })
    const formats = () => server.chatRequests().map((request) => request.body.response_format?.type)

    await call() // rejected, then JSON mode
    await call()
    await call()
    expect(formats()).toEqual(['json_schema', 'json_object', 'json_object', 'json_object'])
    await call() // the probe: still rejected, so JSON mode again within the same call
    expect(formats().slice(4)).toEqual(['json_schema', 'json_object'])
    expect(hosted.structuredOutputMode).toBe('json_object')

    supportsJsonSchema = true // e.g. the server was upgraded
    await call()
    await call()
    await call() // the next probe goes through
    await call()
    expect(formats().slice(6)).toEqual(['json_object', 'json_object', 'json_schema', 'json_schema'])
    expect(hosted.structuredOutputMode).toBe('json_schema')
  })

  it('after a downgrade, json_schema is probed again once the re-probe time has passed', async () => {
    let now = 1_000_000
    server.setHandler((request) => (request.body.response_format?.type === 'json_schema' && now < 2_000_000 ? fakeReply.rejectJsonSchema() : undefined))
    const hosted = model({ reprobeJsonSchema: { afterCalls: Number.POSITIVE_INFINITY, afterMs: 600_000 }, clock: () => now })
    const call = () => hosted.generateObject({ messages, context, schema: verdictSchema, schemaName: 'safety_verdict' })

    await call()
    now += 599_000
    await call()
    expect(server.chatRequests().map((request) => request.body.response_format?.type)).toEqual(['json_schema', 'json_object', 'json_object'])
    now += 1_000_000
    await call()
    expect(server.chatRequests().at(-1)!.body.response_format?.type).toBe('json_schema')
    expect(hosted.structuredOutputMode).toBe('json_schema')
  })
})

describe('repair and llm_output_invalid', () => {
  it('repairs once after schema-violating JSON, sending back the output and the zod error', async () => {
    server.enqueue(
      fakeReply.json(schemaViolation, { usage: { prompt_tokens: 30, completion_tokens: 10 } }),
      fakeReply.json(validVerdict, { usage: { prompt_tokens: 50, completion_tokens: 11 } }),
    )
    const result = await verdict()

    expect(result.object).toEqual(validVerdict)
    expect(result.usage).toEqual({ promptTokens: 80, completionTokens: 21 })
    const repair = server.chatRequests()[1]!
    expect(repair.body.response_format?.type).toBe('json_schema')
    expect(repair.body.messages.slice(0, 2)).toEqual(messages)
    expect(repair.body.messages[2]).toEqual({ role: 'assistant', content: JSON.stringify(schemaViolation) })
    const instruction = repair.body.messages[3]!.content
    expect(instruction).toContain('does not match the schema')
    expect(instruction).toContain('```json\n{"type":"object"')
    expect(instruction).toContain('decision')
    expect(instruction).toContain('confidence')
    expect(instruction).toContain('note')
  })

  it('repairs once then fails with llm_output_invalid on schema-violating output', async () => {
    server.setHandler(() => fakeReply.json(schemaViolation))
    const error = await failure(verdict())

    expect(error.code).toBe('llm_output_invalid')
    expect(error.cause).toBeInstanceOf(z.ZodError)
    expect(error.message).toContain('safety_verdict')
    expect(error.message).not.toContain('maybe')
    expect(error.userMessage).toContain('LLM_MODEL')
    expect(server.chatRequests()).toHaveLength(2)
  })

  it('content that is never JSON fails with llm_output_invalid without quoting the model', async () => {
    server.setHandler(() => fakeReply.text('The secret plan is: nothing.'))
    const error = await failure(verdict())

    expect(error.code).toBe('llm_output_invalid')
    expect(error.message).not.toContain('secret plan')
    expect(String((error.cause as Error).message)).not.toContain('secret plan')
    expect(server.chatRequests()).toHaveLength(2)
  })

  it('a truncated reply (finish_reason length) is repaired with a hint to be shorter', async () => {
    server.enqueue(fakeReply.text('{"decision": "comply", "ruleIds": ["W', { finishReason: 'length' }))
    const hosted = model()
    await hosted.generateObject({ messages, context, schema: verdictSchema, schemaName: 'safety_verdict' })
    expect(server.chatRequests()[1]!.body.messages.at(-1)!.content).toContain('cut off by the token limit')
    // Cut off is not evidence that the server ignores json_schema.
    expect(hosted.structuredOutputMode).toBe('json_schema')
  })

  it('a refusal is llm_output_invalid without a repair attempt', async () => {
    server.enqueue(fakeReply.refusal())
    const error = await failure(verdict())
    expect(error.code).toBe('llm_output_invalid')
    expect(error.isRetryable).toBe(false)
    expect(server.chatRequests()).toHaveLength(1)
  })

  it('malformed body on a structured call gives llm_failed, not a repair', async () => {
    server.setHandler(() => fakeReply.malformed())
    const error = await failure(verdict())
    expect(error.code).toBe('llm_failed')
    expect(server.chatRequests()).toHaveLength(1)
  })
})
