// A fake Discord REST API (v10) on 127.0.0.1 port 0 that the real @discordjs/rest talks to; it records every call.
// Serves what the bot uses (gateway, commands, interaction callbacks, webhooks, messages, DMs, members) and 429s on demand.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  fakeIds,
  fakeUsers,
  makeDirectChannel,
  makeGuild,
  makeGuildMember,
  nextSnowflake,
  type FakeChannel,
  type FakeGuild,
  type FakeMessage,
  type FakeUser,
} from './fake-discord-payloads.js'

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
  /** Messages sent through interaction webhooks, by application token, keyed `@original` or message id. */
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

  const findChannel = (channelId: string): FakeChannel | undefined => {
    for (const guild of guilds.values()) {
      const channel = guild.channels.find((candidate) => candidate.id === channelId)
      if (channel) return { ...channel, guild_id: guild.id }
    }
    return directChannels.get(channelId)
  }

  const messageFrom = (channelId: string, body: Record<string, unknown>, author: FakeUser): FakeMessage => {
    const channel = findChannel(channelId)
    const reference = body.message_reference as { message_id?: string } | undefined
    return {
      id: nextSnowflake(),
      channel_id: channelId,
      ...(channel?.guild_id ? { guild_id: channel.guild_id } : {}),
      author,
      content: typeof body.content === 'string' ? body.content : '',
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      attachments: [],
      embeds: Array.isArray(body.embeds) ? body.embeds : [],
      components: Array.isArray(body.components) ? body.components : [],
      pinned: false,
      type: reference?.message_id ? 19 : 0,
      flags: typeof body.flags === 'number' ? body.flags : 0,
      ...(reference?.message_id ? { message_reference: { message_id: reference.message_id, channel_id: channelId } } : {}),
    }
  }

  const webhookMessage = (token: string, key: string, body: Record<string, unknown>): FakeMessage => {
    const store = webhookMessages.get(token) ?? new Map<string, FakeMessage>()
    webhookMessages.set(token, store)
    const existing = store.get(key)
    const message: FakeMessage = existing
      ? {
          ...existing,
          ...(typeof body.content === 'string' ? { content: body.content } : {}),
          ...(Array.isArray(body.embeds) ? { embeds: body.embeds } : {}),
          ...(Array.isArray(body.components) ? { components: body.components } : {}),
          edited_timestamp: new Date().toISOString(),
        }
      : { ...messageFrom('0', body, fakeUsers.bot), webhook_id: fakeIds.application, application_id: fakeIds.application }
    store.set(key, message)
    if (key !== message.id) store.set(message.id, message)
    return message
  }

  type Handler = (match: RegExpMatchArray, body: Record<string, unknown>, query: URLSearchParams) => { status: number; json?: unknown }
  const routes: [string, RegExp, Handler][] = [
    ['GET', /^\/gateway\/bot$/, () => ({
      status: 200,
      json: { url: gatewayUrl, shards: 1, session_start_limit: { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: 1 } },
    })],
    ['GET', /^\/gateway$/, () => ({ status: 200, json: { url: gatewayUrl } })],
    ['GET', /^\/users\/@me$/, () => ({ status: 200, json: fakeUsers.bot })],
    ['GET', /^\/users\/(\d+)$/, (match) => {
      const user = users.get(match[1]!)
      return user ? { status: 200, json: user } : { status: 404, json: { message: 'Unknown User', code: 10013 } }
    }],
    ['GET', /^\/applications\/@me$/, () => ({ status: 200, json: { id: fakeIds.application, name: 'hyperalign', flags: 0, bot: fakeUsers.bot } })],
    ['PUT', /^\/applications\/(\d+)(?:\/guilds\/(\d+))?\/commands$/, (match, body) => ({
      status: 200,
      json: (Array.isArray(body) ? body : []).map((command: Record<string, unknown>) => ({
        ...command,
        id: nextSnowflake(),
        application_id: match[1],
        ...(match[2] ? { guild_id: match[2] } : {}),
        version: nextSnowflake(),
      })),
    })],
    ['GET', /^\/applications\/(\d+)(?:\/guilds\/(\d+))?\/commands$/, () => ({ status: 200, json: [] })],
    ['POST', /^\/interactions\/(\d+)\/([^/]+)\/callback$/, (match, body, query) => {
      const token = match[2]!
      const data = (body.data ?? {}) as Record<string, unknown>
      // Types 4 (message) and 5 (deferred message) create the original response; 7 updates the carrying message.
      if (body.type === 4 || body.type === 5) webhookMessage(token, '@original', body.type === 4 ? data : { ...data, content: '' })
      if (query.get('with_response') === 'true') {
        return { status: 200, json: { interaction: { id: match[1], type: 2, response_message_loading: body.type === 5, response_message_ephemeral: Boolean(Number(data.flags ?? 0) & 64) } } }
      }
      return { status: 204 }
    }],
    ['GET', /^\/webhooks\/(\d+)\/([^/]+)\/messages\/([^/]+)$/, (match) => {
      const message = webhookMessages.get(match[2]!)?.get(match[3]!)
      return message ? { status: 200, json: message } : { status: 404, json: { message: 'Unknown Message', code: 10008 } }
    }],
    ['PATCH', /^\/webhooks\/(\d+)\/([^/]+)\/messages\/([^/]+)$/, (match, body) => ({ status: 200, json: webhookMessage(match[2]!, match[3]!, body) })],
    ['DELETE', /^\/webhooks\/(\d+)\/([^/]+)\/messages\/([^/]+)$/, (match) => {
      webhookMessages.get(match[2]!)?.delete(match[3]!)
      return { status: 204 }
    }],
    ['POST', /^\/webhooks\/(\d+)\/([^/]+)$/, (match, body) => {
      const message = webhookMessage(match[2]!, nextSnowflake(), body)
      return { status: 200, json: message }
    }],
    ['GET', /^\/channels\/(\d+)$/, (match) => {
      const channel = findChannel(match[1]!)
      return channel ? { status: 200, json: channel } : { status: 404, json: { message: 'Unknown Channel', code: 10003 } }
    }],
    ['POST', /^\/channels\/(\d+)\/typing$/, () => ({ status: 204 })],
    ['POST', /^\/channels\/(\d+)\/messages$/, (match, body) => {
      const channelId = match[1]!
      if (!findChannel(channelId)) return { status: 404, json: { message: 'Unknown Channel', code: 10003 } }
      const message = messageFrom(channelId, body, fakeUsers.bot)
      const list = channelMessages.get(channelId) ?? []
      list.push(message)
      channelMessages.set(channelId, list)
      return { status: 200, json: message }
    }],
    ['GET', /^\/channels\/(\d+)\/messages$/, (match, _body, query) => {
      const newestFirst = [...(channelMessages.get(match[1]!) ?? [])].sort((left, right) => compareSnowflakes(right.id, left.id))
      const before = query.get('before')
      const after = query.get('after')
      const limit = Math.min(100, Math.max(1, Number(query.get('limit') ?? 50)))
      let selected = newestFirst
      if (before) selected = selected.filter((message) => compareSnowflakes(message.id, before) < 0)
      if (after) selected = selected.filter((message) => compareSnowflakes(message.id, after) > 0)
      return { status: 200, json: selected.slice(0, limit) }
    }],
    ['GET', /^\/channels\/(\d+)\/messages\/(\d+)$/, (match) => {
      const message = channelMessages.get(match[1]!)?.find((candidate) => candidate.id === match[2])
      return message ? { status: 200, json: message } : { status: 404, json: { message: 'Unknown Message', code: 10008 } }
    }],
    ['POST', /^\/users\/@me\/channels$/, (_match, body) => {
      const recipient = users.get(String(body.recipient_id))
      if (!recipient) return { status: 400, json: { message: 'Invalid Recipient(s)', code: 50033 } }
      const id = directChannelIdFor(recipient.id)
      const channel = makeDirectChannel(id, recipient)
      directChannels.set(id, channel)
      return { status: 200, json: channel }
    }],
    ['GET', /^\/guilds\/(\d+)\/members\/(\d+)$/, (match) => {
      const member = guilds.get(match[1]!)?.members.find((candidate) => candidate.user.id === match[2])
      return member ? { status: 200, json: makeGuildMember(member.user, { roles: member.roles }) } : { status: 404, json: { message: 'Unknown Member', code: 10007 } }
    }],
  ]

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
          'retry-after': String(limited.retryAfterSeconds),
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

/** A stable DM channel id per user, so a test can dispatch DMs in the channel the bot opened. */
export function directChannelIdFor(userId: string): string {
  return (920_000_000_000_000_000n + (BigInt(userId) % 1_000_000n)).toString()
}

function compareSnowflakes(left: string, right: string): number {
  const difference = BigInt(left) - BigInt(right)
  return difference === 0n ? 0 : difference > 0n ? 1 : -1
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    request.on('error', reject)
  })
}
