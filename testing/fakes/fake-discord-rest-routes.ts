// The routes of the fake Discord REST API: what each endpoint the bot uses answers, over the fake's shared state.
// Test code only; recording, rate limiting and the HTTP server are in fake-discord-rest.ts.
import { fakeIds, fakeUsers, makeDirectChannel, makeGuildMember, nextSnowflake, type FakeChannel, type FakeGuild, type FakeMessage, type FakeUser } from './fake-discord-payloads.js'

export type FakeDiscordState = {
  guilds: Map<string, FakeGuild>
  users: Map<string, FakeUser>
  /** Messages per channel, oldest first. */
  channelMessages: Map<string, FakeMessage[]>
  directChannels: Map<string, FakeChannel>
  /** Messages sent through interaction webhooks, by interaction token, keyed `@original` or message id. */
  webhookMessages: Map<string, Map<string, FakeMessage>>
  gatewayUrl(): string
}

export type RouteResult = { status: number; json?: unknown }
export type Route = [method: string, path: RegExp, handler: (match: RegExpMatchArray, body: Record<string, unknown>, query: URLSearchParams) => RouteResult]

export function fakeDiscordRoutes(state: FakeDiscordState): Route[] {
  const { guilds, users, channelMessages, directChannels, webhookMessages } = state

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

  return [
    ['GET', /^\/gateway\/bot$/, () => ({
      status: 200,
      json: { url: state.gatewayUrl(), shards: 1, session_start_limit: { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: 1 } },
    })],
    ['GET', /^\/gateway$/, () => ({ status: 200, json: { url: state.gatewayUrl() } })],
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
}

/** A stable DM channel id per user, so a test can dispatch DMs in the channel the bot opened. */
export function directChannelIdFor(userId: string): string {
  return (920_000_000_000_000_000n + (BigInt(userId) % 1_000_000n)).toString()
}

export function compareSnowflakes(left: string, right: string): number {
  const difference = BigInt(left) - BigInt(right)
  return difference === 0n ? 0 : difference > 0n ? 1 : -1
}
