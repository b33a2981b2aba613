// A fake OpenAI-compatible server (real node:http on 127.0.0.1, port 0) that the real openai SDK talks to in tests
// and benchmarks: POST /v1/chat/completions (JSON or SSE) and GET /v1/models. It records every request; it never
// decides anything for the code under test beyond the replies it is scripted to give.
//
// Useful with no scripting: structured requests (json_schema, or json_object with a ```json schema in the system
// message) get a small valid instance of the schema; text requests get a short reply derived from the last user message.
//
//   const server = await startFakeOpenAiServer()
//   const model = createOpenAiModel({ baseUrl: server.url, model: 'fake-model', timeoutMs: 5_000, maxRetries: 2 })
//   await model.generateText({ messages: [{ role: 'user', content: 'hi' }], context })
//   expect(server.requests[0]!.body.messages.at(-1)!.content).toBe('hi')   // assert on what reached the model
//
//   server.enqueue(fakeReply.status(500), fakeReply.json({ verdict: 'comply' }))  // next two chat requests, in order
//   server.setHandler((request) => request.body.response_format?.type === 'json_schema' ? fakeReply.notJson() : undefined)
//   await startFakeOpenAiServer({ delayMs: 2_000 })          // "the model takes 2 s" for every chat reply
//   await startFakeOpenAiServer({ rejectJsonSchema: true })  // behaves like a server without json_schema support
//   await server.close()                                     // also ends hanging and stalled replies
//
// Order per chat request: the next enqueued reply, else the handler's reply, else the default (handler returned
// undefined). Replies: see FakeReply in fake-openai-replies.ts.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fakeReply, sendError, sendJson, sendJsonCompletion, sendSseCompletion, type FakeReply, type FakeUsage } from './fake-openai-replies.js'
import { schemaInstance } from './fake-openai-schema-instance.js'

export { fakeReply, type FakeReply, type FakeUsage } from './fake-openai-replies.js'

export type FakeChatMessage = { role: string; content: string }

/** The parsed request body, loosely typed: tests assert on what the client actually sent. */
export type FakeChatRequestBody = {
  model?: string
  messages: FakeChatMessage[]
  stream?: boolean
  stream_options?: { include_usage?: boolean }
  response_format?: { type: string; json_schema?: { name?: string; strict?: boolean; schema?: Record<string, unknown> } }
  max_tokens?: number
  temperature?: number
  seed?: number
  [key: string]: unknown
}

export type FakeOpenAiRequest = {
  method: string
  path: string
  /** Lower-cased header names. */
  headers: Record<string, string>
  body: FakeChatRequestBody
  rawBody: string
}

export type FakeOpenAiHandler = (request: FakeOpenAiRequest) => FakeReply | undefined | Promise<FakeReply | undefined>

export type FakeOpenAiServerOptions = {
  /** Model id reported in replies and by GET /v1/models (default `fake-model`). */
  model?: string
  /** Delay before every chat reply, unless the reply sets its own. */
  delayMs?: number
  /** Answer every json_schema request with 400, like many local servers. */
  rejectJsonSchema?: boolean
  /** Usage for every completion; `null` leaves it out. Default: words in the messages (+3 each) and in the reply. */
  usage?: FakeUsage | null
  handler?: FakeOpenAiHandler
}

export type FakeOpenAiServer = {
  /** Base URL ending in /v1, for `LLM_BASE_URL` / `baseUrl`. */
  url: string
  /** Every request received, in order (chat completions and model lists). */
  requests: FakeOpenAiRequest[]
  /** Only the chat-completion requests. */
  chatRequests(): FakeOpenAiRequest[]
  setHandler(handler: FakeOpenAiHandler | undefined): void
  /** Replies for the next chat requests, one each, before the handler is asked. */
  enqueue(...replies: FakeReply[]): void
  close(): Promise<void>
}

export async function startFakeOpenAiServer(options: FakeOpenAiServerOptions = {}): Promise<FakeOpenAiServer> {
  const model = options.model ?? 'fake-model'
  const requests: FakeOpenAiRequest[] = []
  const queued: FakeReply[] = []
  let handler = options.handler
  let completionCount = 0

  async function handleChat(request: FakeOpenAiRequest, response: ServerResponse): Promise<void> {
    let reply = queued.shift() ?? (await handler?.(request)) ?? { kind: 'default' }
    if (reply.kind === 'reject_json_schema' || (options.rejectJsonSchema && request.body.response_format?.type === 'json_schema')) {
      if (request.body.response_format?.type === 'json_schema') {
        return sendError(response, 400, { message: "response_format type 'json_schema' is not supported", param: 'response_format' })
      }
      if (reply.kind === 'reject_json_schema') reply = { kind: 'default' }
    }
    if (reply.kind === 'hang') return
    if (reply.kind === 'disconnect') return void response.socket?.destroy()
    if (!(await wait('delayMs' in reply && reply.delayMs !== undefined ? reply.delayMs : (options.delayMs ?? 0), response))) return
    switch (reply.kind) {
      case 'error':
        return sendError(response, reply.status, reply)
      case 'malformed':
        response.writeHead(200, { 'content-type': reply.contentType ?? 'application/json' })
        return void response.end(reply.body ?? '{"id": "chatcmpl-fake", "object": "chat.completion", "choi')
      case 'default':
        return sendCompletion(request, response, { kind: 'completion', content: defaultContent(request.body) })
      case 'completion':
        return sendCompletion(request, response, reply)
    }
  }

  function sendCompletion(request: FakeOpenAiRequest, response: ServerResponse, reply: Extract<FakeReply, { kind: 'completion' }>) {
    const content = reply.content === undefined ? defaultContent(request.body) : reply.content
    const completion = {
      id: `chatcmpl-fake-${++completionCount}`,
      model,
      content,
      refusal: reply.refusal,
      finishReason: reply.finishReason ?? 'stop',
      usage: reply.usage !== undefined ? reply.usage : options.usage !== undefined ? options.usage : wordUsage(request.body, content ?? ''),
    }
    if (request.body.stream) {
      return sendSseCompletion(response, completion, { includeUsage: request.body.stream_options?.include_usage === true, stallAfterEvents: reply.stallAfterEvents })
    }
    sendJsonCompletion(response, completion)
  }

  const server = createServer((incoming, response) => {
    void readRequest(incoming).then(async (request) => {
      requests.push(request)
      if (request.method === 'POST' && request.path === '/v1/chat/completions') return handleChat(request, response)
      if (request.method === 'GET' && request.path === '/v1/models') {
        return sendJson(response, 200, { object: 'list', data: [{ id: model, object: 'model', created: 0, owned_by: 'fake' }] })
      }
      sendError(response, 404, { message: `no route ${request.method} ${request.path}`, code: 'not_found' })
    }).catch((error: unknown) => {
      if (!response.headersSent) sendError(response, 500, { message: `fake server error: ${String(error)}` })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo

  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    chatRequests: () => requests.filter((request) => request.path === '/v1/chat/completions'),
    setHandler(next) {
      handler = next
    },
    enqueue(...replies) {
      queued.push(...replies)
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()))
        server.closeAllConnections()
      }),
  }
}

/** The JSON schema a request asks for: from `response_format`, else the last ```json block of a system message. */
export function requestedSchema(body: FakeChatRequestBody): Record<string, unknown> | undefined {
  if (body.response_format?.type === 'json_schema') return body.response_format.json_schema?.schema
  const systemText = body.messages.filter((message) => message.role === 'system').map((message) => message.content).join('\n')
  const blocks = [...systemText.matchAll(/```json\s*\n([\s\S]*?)\n```/g)]
  const last = blocks.at(-1)?.[1]
  if (last === undefined) return undefined
  try {
    return JSON.parse(last) as Record<string, unknown>
  } catch {
    return undefined
  }
}

export function lastUserMessage(body: FakeChatRequestBody): string {
  return body.messages.filter((message) => message.role === 'user').at(-1)?.content ?? ''
}

function defaultContent(body: FakeChatRequestBody): string {
  const format = body.response_format?.type
  if (format === 'json_schema' || format === 'json_object') {
    const schema = requestedSchema(body)
    return JSON.stringify(schema ? schemaInstance(schema) : {})
  }
  const words = lastUserMessage(body).split(/\s+/).filter(Boolean)
  return `Fake reply to "${words.slice(0, 8).join(' ')}${words.length > 8 ? ' …' : ''}" (${words.length} words).`
}

function wordUsage(body: FakeChatRequestBody, content: string): FakeUsage {
  const words = (text: string) => text.split(/\s+/).filter(Boolean).length
  return {
    prompt_tokens: body.messages.reduce((total, message) => total + 3 + words(message.content ?? ''), 0),
    completion_tokens: words(content) + 1,
  }
}

async function readRequest(incoming: IncomingMessage): Promise<FakeOpenAiRequest> {
  const chunks: Buffer[] = []
  for await (const chunk of incoming) chunks.push(chunk as Buffer)
  const rawBody = Buffer.concat(chunks).toString('utf8')
  let body: FakeChatRequestBody = { messages: [] }
  try {
    const parsed = JSON.parse(rawBody) as FakeChatRequestBody
    body = { ...parsed, messages: Array.isArray(parsed.messages) ? parsed.messages : [] }
  } catch {
    // Not JSON (or empty, as for GET): recorded with an empty body.
  }
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(incoming.headers)) headers[name] = Array.isArray(value) ? value.join(', ') : (value ?? '')
  return { method: incoming.method ?? 'GET', path: new URL(incoming.url ?? '/', 'http://fake').pathname, headers, body, rawBody }
}

/** Resolves false if the client went away during the delay, so nothing is written to a closed socket. */
function wait(milliseconds: number, response: ServerResponse): Promise<boolean> {
  if (milliseconds <= 0) return Promise.resolve(true)
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      response.off('close', onClose)
      resolve(!response.destroyed)
    }, milliseconds)
    const onClose = () => {
      clearTimeout(timer)
      resolve(false)
    }
    response.once('close', onClose)
  })
}
