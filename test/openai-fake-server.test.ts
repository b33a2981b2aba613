// The fake OpenAI-compatible server itself, on the raw wire: the SSE framing real clients rely on, the model list,
// request recording, and the schema-instance generator that makes its default replies valid for any zod schema.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { fakeReply, startFakeOpenAiServer, type FakeOpenAiServer } from '../testing/fakes/fake-openai-server.js'
import { schemaInstance } from '../testing/fakes/fake-openai-schema-instance.js'
import { schemaFormats } from '../src/llm/openai-structured-output.js'

let server: FakeOpenAiServer
beforeEach(async () => {
  server = await startFakeOpenAiServer({ model: 'fake-model-x' })
})
afterEach(async () => {
  await server.close()
})

function post(body: unknown) {
  return fetch(`${server.url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
}

function sseEvents(text: string): string[] {
  return text
    .split('\n\n')
    .filter(Boolean)
    .map((event) => {
      expect(event.startsWith('data: ')).toBe(true)
      return event.slice('data: '.length)
    })
}

describe('wire format', () => {
  it('streams SSE with role first, usage in the final chunk, then [DONE]', async () => {
    server.enqueue(fakeReply.text('two words', { usage: { prompt_tokens: 5, completion_tokens: 2 } }))
    const response = await post({ model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } })

    expect(response.headers.get('content-type')).toBe('text/event-stream')
    const events = sseEvents(await response.text())
    expect(events.at(-1)).toBe('[DONE]')
    const chunks = events.slice(0, -1).map((event) => JSON.parse(event))
    expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '' })
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe('two words')
    expect(chunks.at(-2).choices[0].finish_reason).toBe('stop')
    expect(chunks.at(-1)).toMatchObject({ object: 'chat.completion.chunk', model: 'fake-model-x', choices: [], usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 } })
  })

  it('leaves the usage chunk out unless include_usage was asked', async () => {
    const response = await post({ model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true })
    const chunks = sseEvents(await response.text()).slice(0, -1).map((event) => JSON.parse(event))
    expect(chunks.every((chunk) => chunk.usage === undefined && chunk.choices.length === 1)).toBe(true)
  })

  it('answers a plain request with one chat.completion body and a reply derived from the last user message', async () => {
    const response = await post({ model: 'm', messages: [{ role: 'user', content: 'first' }, { role: 'user', content: 'please summarise the thread' }] })
    const body = await response.json()
    expect(body).toMatchObject({ object: 'chat.completion', model: 'fake-model-x', choices: [{ message: { role: 'assistant' }, finish_reason: 'stop' }] })
    expect(body.choices[0].message.content).toBe('Fake reply to "please summarise the thread" (4 words).')
    expect(body.usage.prompt_tokens).toBeGreaterThan(0)
  })

  it('sends Retry-After with a scripted 429 and an OpenAI-style error body', async () => {
    server.enqueue(fakeReply.rateLimited(3))
    const response = await post({ model: 'm', messages: [] })
    expect(response.status).toBe(429)
    expect(response.headers.get('retry-after')).toBe('3')
    expect(await response.json()).toMatchObject({ error: { type: 'rate_limit_error', code: 'rate_limit_exceeded' } })
  })

  it('lists its model at GET /v1/models and records every request', async () => {
    const response = await fetch(`${server.url}/models`, { headers: { authorization: 'Bearer sk-fake' } })
    expect(await response.json()).toMatchObject({ object: 'list', data: [{ id: 'fake-model-x', object: 'model' }] })
    expect(server.requests).toMatchObject([{ method: 'GET', path: '/v1/models', headers: { authorization: 'Bearer sk-fake' } }])
    expect(server.chatRequests()).toEqual([])
  })

  it('close() ends a hanging reply', async () => {
    server.setHandler(() => fakeReply.hang())
    const pending = post({ model: 'm', messages: [] }).then(
      () => 'answered',
      () => 'connection closed',
    )
    await expect.poll(() => server.chatRequests().length).toBe(1)
    await server.close()
    expect(await pending).toBe('connection closed')
    server = await startFakeOpenAiServer()
  })
})

describe('schema instances', () => {
  const hypothesesSchema = z.object({
    hypotheses: z
      .array(
        z.object({
          category: z.enum(['communication_strategy', 'personality', 'writing_style']),
          statement: z.string().min(10).max(200),
          evidenceMessageIds: z.array(z.string()).min(2),
          confidence: z.number().min(0).max(1),
          pinned: z.boolean(),
          replaces: z.string().nullable(),
          weight: z.number().int().min(1),
        }),
      )
      .min(1)
      .max(12),
    summary: z.union([z.string(), z.number()]),
    kind: z.literal('hypotheses'),
    createdAt: z.iso.datetime(),
  })

  it('a default instance passes the zod schema it was generated from', () => {
    const instance = schemaInstance(z.toJSONSchema(hypothesesSchema))
    expect(hypothesesSchema.parse(instance)).toEqual(instance)
    expect(instance).toMatchObject({ hypotheses: [{ category: 'communication_strategy', confidence: 0.5, weight: 1, evidenceMessageIds: ['fake', 'fake'] }] })
  })

  const shared = z.object({ id: z.string(), note: z.string().nullable() })
  const withShared = z.object({ first: shared, maybe: shared.nullable(), list: z.array(shared).min(1) })

  it('also from the strict schema the hosted model sends (nullable unions)', () => {
    const format = schemaFormats(withShared, 'with_shared').jsonSchema
    if (format?.type !== 'json_schema') throw new Error('expected a json_schema format')
    expect(format.json_schema.strict).toBe(true)
    const instance = schemaInstance(format.json_schema.schema)
    expect(withShared.parse(instance)).toEqual(instance)
    expect(instance).toMatchObject({ maybe: { id: 'fake', note: 'fake' } })
  })

  it('and from a schema with $ref definitions', () => {
    const jsonSchema = z.toJSONSchema(withShared, { reused: 'ref' })
    expect(JSON.stringify(jsonSchema)).toContain('"$ref":"#/$defs/')
    const instance = schemaInstance(jsonSchema)
    expect(withShared.parse(instance)).toEqual(instance)
  })
})
