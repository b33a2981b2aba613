// A fake Discord REST API (v10) on 127.0.0.1 port 0 that the real @discordjs/rest talks to; it records every call.
// Serves what the bot uses (gateway, commands, interaction callbacks, webhooks, messages, DMs, members) and 429s on demand.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fakeUsers, makeDirectChannel, makeGuild, type FakeChannel, type FakeGuild, type FakeMessage, type FakeUser } from './fake-discord-payloads.js'
import { directChannelIdFor, fakeDiscordRoutes } from './fake-discord-rest-routes.js'

export { directChannelIdFor } from './fake-discord-rest-routes.js'

export type RecordedCall = {
  method: string
  /** Path after `/api/v10`, e.g. `/interactions/1/abc/callback`. */
  path: string
  query: Record<string, string>
  body: unknown
  at: number
  /** performance.now() when the request arrived, for latency measurements in the same process. */
  receivedAt: number
  status: number
}

export type SentMessageBody = {
  content?: string
  embeds?: unknown[]
  components?: unknown[]
  flags?: number
  allowed_mentions?: { parse?: string[]; replied_user?: boolean }
  message_reference?: { message_id?: string; fail_if_not_exists?: boolean }
}

type RateLimitRule = { method: string; path: RegExp; remaining: number; retryAfterSeconds: number; global: boolean }

export type FakeDiscordRest = {
  /** Value for DISCORD_API_URL / `rest.api` (discord.js appends `/v10`). */
  apiUrl: string
  calls: RecordedCall[]
  guilds: Map<string, FakeGuild>
  users: Map<string, FakeUser>
  /** Messages per channel, oldest first. */
  channelMessages: Map<string, FakeMessage[]>
  setGatewayUrl(url: string): void
  /** The next `count` requests matching `method` and `path` get 429 with `retry_after`. */
  rateLimit(options: { method: string; path: RegExp; count?: number; retryAfterSeconds?: number; global?: boolean }): void
  /** Answer the next request matching with an error status and Discord error body (e.g. 50007 cannot DM). */
  failNext(options: { method: string; path: RegExp; status: number; code: number; message: string }): void
  seedMessages(channelId: string, messages: FakeMessage[]): void
  /** Opens (or returns) the DM channel with a user, as POST /users/@me/channels would; returns its id. */
  openDirectChannel(userId: string): string
  /** Bodies of the messages the bot sent to a channel (POST /channels/:id/messages), in order. */
  sentTo(channelId: string): SentMessageBody[]
  callsTo(method: string, path: RegExp): RecordedCall[]
  waitForCall(predicate: (call: RecordedCall) => boolean, timeoutMs?: number): Promise<RecordedCall>
  close(): Promise<void>
}

export async function startFakeDiscordRest(options: { guilds?: FakeGuild[]; users?: FakeUser[] } = {}): Promise<FakeDiscordRest> {
  const calls: RecordedCall[] = []
  const waiters: { predicate: (call: RecordedCall) => boolean; resolve: (call: RecordedCall) => void }[] = []
  const guilds = new Map((options.guilds ?? [makeGuild()]).map((guild) => [guild.id, guild]))
  const users = new Map<string, FakeUser>(Object.values(fakeUsers).map((user) => [user.id, user]))
  for (const user of options.users ?? []) users.set(user.id, user)
  const channelMessages = new Map<string, FakeMessage[]>()
  const directChannels = new Map<string, FakeChannel>()
  const webhookMessages = new Map<string, Map<string, FakeMessage>>()
  const rateLimits: RateLimitRule[] = []
  const failures: { method: string; path: RegExp; status: number; code: number; message: string }[] = []
  let gatewayUrl = 'ws://127.0.0.1:1'

  const record = (call: RecordedCall) => {
    calls.push(call)
    for (const waiter of [...waiters]) {
      if (waiter.predicate(call)) {
        waiters.splice(waiters.indexOf(waiter), 1)
        waiter.resolve(call)
      }
    }
  }

  const routes = fakeDiscordRoutes({ guilds, users, channelMessages, directChannels, webhookMessages, gatewayUrl: () => gatewayUrl })

  const server: Server = createServer((request, response) => {
    void handle(request, response)
  })

  async function handle(request: IncomingMessage, response: ServerResponse) {
    const receivedAt = performance.now()
    const url = new URL(request.url ?? '/', 'http://127.0.0.1')
    // discord.js encodes `@original` as `%40original`; paths are recorded decoded, as Discord reads them.
    const path = decodeURIComponent(url.pathname).replace(/^\/api(\/v\d+)?/, '')
    const method = request.method ?? 'GET'
    const raw = await readBody(request)
    let body: unknown = undefined
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw)
      } catch {
        body = raw
      }
    }
    const query = Object.fromEntries(url.searchParams.entries())
    const send = (status: number, json?: unknown, headers: Record<string, string> = {}) => {
      // A 204 carries no body and no JSON content type, as Discord's does (the REST client would try to parse it).
      if (status === 204 || json === undefined) response.writeHead(status, headers).end()
      else response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(json))
      record({ method, path, query, body, at: Date.now(), receivedAt, status })
    }

    const limited = rateLimits.find((rule) => rule.remaining > 0 && rule.method === method && rule.path.test(path))
    if (limited) {
      limited.remaining -= 1
      send(
        429,
        { message: 'You are being rate limited.', retry_after: limited.retryAfterSeconds, global: limited.global },
        {
          // Discord's 429s carry the bucket headers too; the REST client uses them to wait (and reports the wait).
          'retry-after': String(limited.retryAfterSeconds),
          'x-ratelimit-limit': '5',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset-after': String(limited.retryAfterSeconds),
          'x-ratelimit-bucket': 'fake-bucket',
          'x-ratelimit-scope': limited.global ? 'global' : 'user',
          ...(limited.global ? { 'x-ratelimit-global': 'true' } : {}),
        },
      )
      return
    }
    const failureIndex = failures.findIndex((rule) => rule.method === method && rule.path.test(path))
    if (failureIndex >= 0) {
      const [failure] = failures.splice(failureIndex, 1)
      send(failure!.status, { message: failure!.message, code: failure!.code })
      return
    }
    for (const [routeMethod, pattern, handler] of routes) {
      if (routeMethod !== method) continue
      const match = path.match(pattern)
      if (!match) continue
      const result = handler(match, (body ?? {}) as Record<string, unknown>, url.searchParams)
      send(result.status, result.json)
      return
    }
    send(404, { message: '404: Not Found', code: 0 })
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo

  return {
    apiUrl: `http://127.0.0.1:${port}/api`,
    calls,
    guilds,
    users,
    channelMessages,
    setGatewayUrl(url) {
      gatewayUrl = url
    },
    rateLimit(rule) {
      rateLimits.push({ method: rule.method, path: rule.path, remaining: rule.count ?? 1, retryAfterSeconds: rule.retryAfterSeconds ?? 1, global: rule.global ?? false })
    },
    failNext(rule) {
      failures.push(rule)
    },
    seedMessages(channelId, messages) {
      const list = channelMessages.get(channelId) ?? []
      list.push(...messages)
      channelMessages.set(channelId, list)
    },
    openDirectChannel(userId) {
      const recipient = users.get(userId)
      if (!recipient) throw new Error(`fake Discord REST: unknown user ${userId}`)
      const id = directChannelIdFor(userId)
      directChannels.set(id, makeDirectChannel(id, recipient))
      return id
    },
    sentTo(channelId) {
      return calls
        .filter((call) => call.method === 'POST' && call.path === `/channels/${channelId}/messages` && call.status === 200)
        .map((call) => call.body as SentMessageBody)
    },
    callsTo(method, path) {
      return calls.filter((call) => call.method === method && path.test(call.path))
    },
    waitForCall(predicate, timeoutMs = 10_000) {
      const existing = calls.find(predicate)
      if (existing) return Promise.resolve(existing)
      return new Promise((resolve, reject) => {
        const waiter = { predicate, resolve: (call: RecordedCall) => (clearTimeout(timer), resolve(call)) }
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1)
          reject(new Error(`fake Discord REST: no matching call within ${timeoutMs} ms; calls: ${calls.map((call) => `${call.method} ${call.path}`).join(', ')}`))
        }, timeoutMs)
        waiters.push(waiter)
      })
    },
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
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
