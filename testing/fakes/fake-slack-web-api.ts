// A fake Slack Web API on 127.0.0.1 (port 0) for the real @slack/web-api client: records every call, serves fixtures
// and the app's own thread replies, answers 429 + Retry-After on demand and the assistant.threads methods, takes
// response_url POSTs and hosts Socket Mode. It keeps no member data beyond the test's lifetime, never contacts Slack.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { FakeSlackSocketMode } from './fake-slack-socket-mode.js'

export type RecordedSlackCall = {
  /** Web API method (`chat.postMessage`) or `response_url` for a POST to a response URL. */
  method: string
  /** Form or JSON body with JSON-valued fields (`blocks`, `view`, ...) parsed. */
  body: Record<string, unknown>
  token?: string
  /** For `response_url` calls: the id in the URL. */
  responseUrlId?: string
  sequence: number
  /** performance.now() when the fake received the call (for benchmarks). */
  receivedAt: number
}

export type SlackUserFixture = {
  id: string
  name?: string
  real_name?: string
  is_admin?: boolean
  is_owner?: boolean
  is_primary_owner?: boolean
  is_bot?: boolean
  deleted?: boolean
}

export type SlackChannelFixture = {
  id: string
  name: string
  is_private?: boolean
  is_im?: boolean
  is_mpim?: boolean
  is_member?: boolean
}

export type SlackMessageFixture = {
  type?: 'message'
  user?: string
  bot_id?: string
  subtype?: string
  text?: string
  ts: string
  thread_ts?: string
  blocks?: unknown
  metadata?: { event_type?: string; event_payload?: unknown }
}

type RateLimitRule = { remaining: number; retryAfterSeconds: number }
type ErrorRule = { remaining: number; error: string }
type Waiter = { method: string; predicate: (call: RecordedSlackCall) => boolean; resolve: (call: RecordedSlackCall) => void }

export const fakeTeamId = 'T00FAKETEAM1'
export const fakeBotUserId = 'U00FAKEBOT01'
export const fakeBotId = 'B00FAKEBOT01'
export const fakeAppId = 'A00FAKEAPP01'

export class FakeSlackWebApi {
  readonly calls: RecordedSlackCall[] = []
  readonly users = new Map<string, SlackUserFixture>()
  readonly channels = new Map<string, SlackChannelFixture>()
  /** Channel id → messages, newest first (the order conversations.history returns). */
  readonly history = new Map<string, SlackMessageFixture[]>()
  /** `channel:thread_ts` → messages, oldest first (the order conversations.replies returns). */
  readonly replies = new Map<string, SlackMessageFixture[]>()
  /** OAuth codes the fake's `oauth.v2.access` exchanges, as if a member had approved on Slack's consent page. */
  readonly oauthGrants = new Map<string, { userId: string; teamId: string; scope: string; token: string }>()
  /** Page size the fake uses for conversations.history when the caller asks for more (Slack caps it too). */
  historyPageLimit = 200
  readonly socketMode: FakeSlackSocketMode
  private readonly rateLimits = new Map<string, RateLimitRule>()
  private readonly errors = new Map<string, ErrorRule>()
  private readonly waiters: Waiter[] = []
  private readonly server: Server
  private sequence = 0
  private postedCount = 0
  private port = 0

  private constructor() {
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        response.writeHead(500, { 'content-type': 'text/plain' })
        response.end(String(error))
      })
    })
    this.socketMode = new FakeSlackSocketMode(this.server)
  }

  static async start(): Promise<FakeSlackWebApi> {
    const fake = new FakeSlackWebApi()
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve))
    fake.port = (fake.server.address() as AddressInfo).port
    return fake
  }

  /** Base URL for `clientOptions.slackApiUrl` / SLACK_API_URL (ends with a slash, as the SDK expects). */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api/`
  }

  responseUrl(id: string): string {
    return `http://127.0.0.1:${this.port}/response-url/${encodeURIComponent(id)}`
  }

  callsTo(method: string): RecordedSlackCall[] {
    return this.calls.filter((call) => call.method === method)
  }

  /** Resolves with the first recorded (or future) call to `method` that matches. */
  waitFor(method: string, predicate: (call: RecordedSlackCall) => boolean = () => true, timeoutMs = 15_000): Promise<RecordedSlackCall> {
    const existing = this.calls.find((call) => call.method === method && predicate(call))
    if (existing) return Promise.resolve(existing)
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        method,
        predicate,
        resolve: (call) => {
          clearTimeout(timer)
          resolve(call)
        },
      }
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1)
        reject(new Error(`fake Slack: no ${method} call matched within ${timeoutMs} ms; calls: ${this.calls.map((call) => call.method).join(', ')}`))
      }, timeoutMs)
      this.waiters.push(waiter)
    })
  }

  /** The next `times` calls to `method` get HTTP 429 with `Retry-After: retryAfterSeconds`. */
  rateLimit(method: string, times: number, retryAfterSeconds = 1): void {
    this.rateLimits.set(method, { remaining: times, retryAfterSeconds })
  }

  /** The next `times` calls to `method` answer `{ ok: false, error }`. */
  failWith(method: string, error: string, times = 1): void {
    this.errors.set(method, { remaining: times, error })
  }

  addUser(user: SlackUserFixture): void {
    this.users.set(user.id, user)
  }

  addChannel(channel: SlackChannelFixture, messagesNewestFirst: SlackMessageFixture[] = []): void {
    this.channels.set(channel.id, channel)
    this.history.set(channel.id, messagesNewestFirst)
  }

  async close(): Promise<void> {
    await this.socketMode.close()
    this.server.closeAllConnections()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1')
    const raw = await readBody(request)
    const body = parseBody(raw, String(request.headers['content-type'] ?? ''), url)
    if (url.pathname.startsWith('/response-url/')) {
      const responseUrlId = decodeURIComponent(url.pathname.slice('/response-url/'.length))
      this.record({ method: 'response_url', body, responseUrlId })
      return sendJson(response, 200, { ok: true })
    }
    if (!url.pathname.startsWith('/api/')) return sendJson(response, 404, { ok: false, error: 'unknown_path' })
    const method = url.pathname.slice('/api/'.length)
    const token = String(request.headers.authorization ?? '').replace(/^Bearer\s+/i, '') || (body.token as string | undefined)
    const limit = this.rateLimits.get(method)
    if (limit && limit.remaining > 0) {
      limit.remaining -= 1
      this.record({ method: `${method}:rate_limited`, body, token })
      response.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(limit.retryAfterSeconds) })
      response.end(JSON.stringify({ ok: false, error: 'ratelimited' }))
      return
    }
    this.record({ method, body, token })
    const failure = this.errors.get(method)
    if (failure && failure.remaining > 0) {
      failure.remaining -= 1
      return sendJson(response, 200, { ok: false, error: failure.error })
    }
    sendJson(response, 200, this.answer(method, body, token))
  }

  private answer(method: string, body: Record<string, unknown>, token: string | undefined): Record<string, unknown> {
    switch (method) {
      case 'auth.test':
        return { ok: true, url: 'https://fake.slack.test/', team: 'Fake Team', user: 'hyperalign', team_id: fakeTeamId, user_id: fakeBotUserId, bot_id: fakeBotId }
      case 'oauth.v2.access': {
        const grant = this.oauthGrants.get(String(body.code))
        if (!grant || !body.client_id || !body.client_secret) return { ok: false, error: 'invalid_code' }
        this.oauthGrants.delete(String(body.code))
        return { ok: true, app_id: fakeAppId, team: { id: grant.teamId }, authed_user: { id: grant.userId, scope: grant.scope, access_token: grant.token, token_type: 'user' } }
      }
      case 'auth.revoke':
        return { ok: true, revoked: true }
      case 'apps.connections.open':
        return { ok: true, url: this.socketMode.url(this.port) }
      case 'chat.postMessage': {
        this.postedCount += 1
        const channel = String(body.channel ?? '')
        const ts = `1700000000.${String(this.postedCount).padStart(6, '0')}`
        // The app's replies in a thread (an assistant thread, say) can be read back, metadata included, as in Slack.
        if (typeof body.thread_ts === 'string' && token?.startsWith('xoxb-')) {
          const key = `${channel}:${body.thread_ts}`
          const thread = this.replies.get(key) ?? []
          thread.push({ type: 'message', user: fakeBotUserId, bot_id: fakeBotId, text: String(body.text ?? ''), ts, thread_ts: body.thread_ts, ...(body.blocks ? { blocks: body.blocks } : {}), ...(body.metadata ? { metadata: body.metadata as SlackMessageFixture['metadata'] } : {}) })
          this.replies.set(key, thread)
        }
        return { ok: true, channel: channel.startsWith('U') ? `D${channel.slice(1)}` : channel, ts, message: { text: body.text } }
      }
      case 'chat.postEphemeral':
        return { ok: true, message_ts: `1700000001.${String(this.sequence).padStart(6, '0')}` }
      case 'chat.update': {
        for (const [key, thread] of this.replies) {
          if (!key.startsWith(`${String(body.channel)}:`)) continue
          const stored = thread.find((each) => each.ts === body.ts)
          if (!stored) continue
          stored.text = String(body.text ?? '')
          if (body.blocks) stored.blocks = body.blocks
          if (body.metadata) stored.metadata = body.metadata as SlackMessageFixture['metadata']
        }
        return { ok: true, channel: body.channel, ts: body.ts, text: body.text }
      }
      case 'assistant.threads.setStatus':
      case 'assistant.threads.setSuggestedPrompts':
      case 'assistant.threads.setTitle':
        return body.channel_id && body.thread_ts ? { ok: true } : { ok: false, error: 'invalid_arguments' }
      case 'views.open':
      case 'views.update':
      case 'views.publish':
        return { ok: true, view: { id: `V00FAKEVIEW${this.sequence}`, ...(body.view as object) } }
      case 'users.info': {
        const user = this.users.get(String(body.user))
        return user ? { ok: true, user: { team_id: fakeTeamId, ...user } } : { ok: false, error: 'user_not_found' }
      }
      case 'conversations.info': {
        const channel = this.channels.get(String(body.channel))
        return channel ? { ok: true, channel } : { ok: false, error: 'channel_not_found' }
      }
      case 'conversations.list':
        return { ok: true, channels: [...this.channels.values()].filter((channel) => !channel.is_im && !channel.is_mpim), response_metadata: { next_cursor: '' } }
      case 'conversations.history':
        return this.page(this.history.get(String(body.channel)), body)
      case 'conversations.replies':
        return this.page(this.replies.get(`${String(body.channel)}:${String(body.ts)}`), body)
      default:
        return { ok: false, error: 'unknown_method' }
    }
  }

  private page(messages: SlackMessageFixture[] | undefined, body: Record<string, unknown>): Record<string, unknown> {
    if (!messages) return { ok: false, error: 'channel_not_found' }
    const start = Number(body.cursor ?? 0) || 0
    const limit = Math.min(Number(body.limit ?? 100) || 100, this.historyPageLimit)
    const slice = messages.slice(start, start + limit)
    const next = start + limit < messages.length ? String(start + limit) : ''
    return { ok: true, messages: slice, has_more: next !== '', response_metadata: { next_cursor: next } }
  }

  private record(call: Omit<RecordedSlackCall, 'sequence' | 'receivedAt'>): void {
    this.sequence += 1
    const recorded = { ...call, sequence: this.sequence, receivedAt: performance.now() }
    this.calls.push(recorded)
    for (const waiter of [...this.waiters]) {
      if (waiter.method === recorded.method && waiter.predicate(recorded)) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1)
        waiter.resolve(recorded)
      }
    }
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    request.on('error', reject)
  })
}

/** The SDK sends form bodies with JSON-encoded object fields; response_url POSTs are JSON. */
function parseBody(raw: string, contentType: string, url: URL): Record<string, unknown> {
  const fields: Record<string, unknown> = Object.fromEntries(url.searchParams)
  if (raw === '') return fields
  if (contentType.includes('application/json')) return { ...fields, ...(JSON.parse(raw) as Record<string, unknown>) }
  for (const [key, value] of new URLSearchParams(raw)) {
    fields[key] = /^[[{]/.test(value) ? safeJson(value) : value
  }
  return fields
}

function safeJson(value: string): unknown {
  try {
    return JSON.parse(value)
  } catch {
    return value
  }
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' })
  response.end(JSON.stringify(body))
}
