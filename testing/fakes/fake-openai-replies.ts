// What the fake OpenAI-compatible server can answer, and how each answer goes on the wire (JSON body or SSE).
// Only wire formats here; which reply to send is decided in fake-openai-server.ts.
import type { ServerResponse } from 'node:http'

export type FakeUsage = { prompt_tokens: number; completion_tokens: number }

export type FakeReply =
  /** A chat completion, as SSE when the request asked for `stream: true`, else one JSON body. */
  | {
      kind: 'completion'
      content?: string | null
      refusal?: string
      finishReason?: 'stop' | 'length' | 'content_filter'
      /** Reported usage; `null` leaves usage out (as some local servers do); default counts words. */
      usage?: FakeUsage | null
      /** SSE only: send this many events (the role event counts), then stall without ending the stream. */
      stallAfterEvents?: number
      delayMs?: number
    }
  /** An HTTP error with an OpenAI-style error body; `retryAfter` becomes the Retry-After header. */
  | { kind: 'error'; status: number; message?: string; code?: string; retryAfter?: string | number; delayMs?: number }
  /** Never answers; the connection stays open until the client gives up or the server closes. */
  | { kind: 'hang' }
  /** Closes the connection without an answer (a crashed server or a proxy cutting the line). */
  | { kind: 'disconnect' }
  /** HTTP 200 whose body is not a chat completion (default: cut-off JSON with a JSON content type). */
  | { kind: 'malformed'; body?: string; contentType?: string; delayMs?: number }
  /** 400 like a server without json_schema support, if the request asked for json_schema; else the default reply. */
  | { kind: 'reject_json_schema' }
  /** The default reply (see fake-openai-server.ts). */
  | { kind: 'default'; delayMs?: number }

/** Shorthands for scripted replies: `server.enqueue(fakeReply.status(500), fakeReply.json({ ok: true }))`. */
export const fakeReply = {
  text: (content: string, extra: Partial<Extract<FakeReply, { kind: 'completion' }>> = {}): FakeReply => ({ kind: 'completion', content, ...extra }),
  json: (value: unknown, extra: Partial<Extract<FakeReply, { kind: 'completion' }>> = {}): FakeReply => ({ kind: 'completion', content: JSON.stringify(value), ...extra }),
  /** Prose where JSON was asked for. */
  notJson: (): FakeReply => ({ kind: 'completion', content: 'Sure! Here is what you asked for, in plain words.' }),
  refusal: (refusal = "I'm sorry, I can't help with that."): FakeReply => ({ kind: 'completion', content: null, refusal }),
  status: (status: number, extra: Omit<Extract<FakeReply, { kind: 'error' }>, 'kind' | 'status'> = {}): FakeReply => ({ kind: 'error', status, ...extra }),
  rateLimited: (retryAfterSeconds: number): FakeReply => ({ kind: 'error', status: 429, code: 'rate_limit_exceeded', retryAfter: retryAfterSeconds }),
  hang: (): FakeReply => ({ kind: 'hang' }),
  disconnect: (): FakeReply => ({ kind: 'disconnect' }),
  malformed: (body?: string, contentType?: string): FakeReply => ({ kind: 'malformed', body, contentType }),
  rejectJsonSchema: (): FakeReply => ({ kind: 'reject_json_schema' }),
  default: (delayMs?: number): FakeReply => ({ kind: 'default', delayMs }),
}

export type CompletionToSend = {
  id: string
  model: string
  content: string | null
  refusal?: string
  finishReason: string
  usage: FakeUsage | null
}

export function sendJsonCompletion(response: ServerResponse, completion: CompletionToSend): void {
  const usage = completion.usage ? { ...completion.usage, total_tokens: completion.usage.prompt_tokens + completion.usage.completion_tokens } : undefined
  sendJson(response, 200, {
    id: completion.id,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: completion.model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: completion.content, refusal: completion.refusal ?? null },
        logprobs: null,
        finish_reason: completion.finishReason,
      },
    ],
    ...(usage ? { usage } : {}),
  })
}

/**
 * Server-sent events as OpenAI sends them: a first delta with `role: "assistant"`, content deltas, a delta with the
 * finish reason, then (with `stream_options.include_usage`) a chunk with empty `choices` and the usage, then `[DONE]`.
 */
export function sendSseCompletion(response: ServerResponse, completion: CompletionToSend, options: { includeUsage: boolean; stallAfterEvents?: number }): void {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' })
  const base = { id: completion.id, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model: completion.model }
  const usageField = options.includeUsage ? { usage: null } : {}
  const events: unknown[] = [{ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }], ...usageField }]
  for (const piece of splitIntoPieces(completion.content ?? '')) {
    events.push({ ...base, choices: [{ index: 0, delta: { content: piece }, logprobs: null, finish_reason: null }], ...usageField })
  }
  if (completion.refusal) events.push({ ...base, choices: [{ index: 0, delta: { refusal: completion.refusal }, logprobs: null, finish_reason: null }], ...usageField })
  events.push({ ...base, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: completion.finishReason }], ...usageField })
  if (options.includeUsage) {
    const usage = completion.usage ? { ...completion.usage, total_tokens: completion.usage.prompt_tokens + completion.usage.completion_tokens } : null
    events.push({ ...base, choices: [], usage })
  }
  const stallAt = options.stallAfterEvents ?? Infinity
  for (const [index, event] of events.entries()) {
    if (index >= stallAt) return
    response.write(`data: ${JSON.stringify(event)}\n\n`)
  }
  response.end('data: [DONE]\n\n')
}

export function sendError(response: ServerResponse, status: number, options: { message?: string; code?: string; type?: string; param?: string; retryAfter?: string | number }): void {
  const headers: Record<string, string> = options.retryAfter === undefined ? {} : { 'retry-after': String(options.retryAfter) }
  const type = options.type ?? (status === 429 ? 'rate_limit_error' : status >= 500 ? 'server_error' : 'invalid_request_error')
  sendJson(response, status, { error: { message: options.message ?? `fake error ${status}`, type, param: options.param ?? null, code: options.code ?? null } }, headers)
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body)
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers })
  response.end(text)
}

function splitIntoPieces(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? []
}
