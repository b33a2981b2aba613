// A fake Discord gateway (JSON encoding, no compression) on 127.0.0.1 port 0 for the real discord.js client:
// HELLO → IDENTIFY → READY → GUILD_CREATE, heartbeat ACKs, then dispatches the test asks for. Shards as Discord does
// them: an IDENTIFY with `shard: [id, count]` gets only the guilds with (guild_id >> 22) % count === id, and a guild's
// events go to its shard only (DMs to shard 0). Test code only.
import type { AddressInfo } from 'node:net'
import { WebSocketServer, type WebSocket } from 'ws'
import { fakeIds, fakeUsers, guildCreatePayload, type FakeGuild } from './fake-discord-payloads.js'

export type IdentifyPayload = { token: string; intents: number; shard?: [number, number]; properties: Record<string, string> }

export type FakeDiscordGateway = {
  url: string
  identifies: IdentifyPayload[]
  /** Query strings the client connected with (v, encoding, compress). */
  connectionQueries: string[]
  heartbeats: number
  /** Sends a dispatch (op 0) to the sessions that serve it (the guild's shard; DMs to shard 0) and resolves once written. */
  dispatch(event: string, data: unknown): Promise<void>
  /** Sends a dispatch to one shard's sessions whatever guild it is for (as after a resharding). */
  dispatchToShard(shardId: number, event: string, data: unknown): Promise<void>
  waitForIdentify(timeoutMs?: number): Promise<IdentifyPayload>
  close(): Promise<void>
}

export async function startFakeDiscordGateway(options: { guilds: () => FakeGuild[]; heartbeatIntervalMs?: number }): Promise<FakeDiscordGateway> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  await new Promise<void>((resolve) => server.once('listening', () => resolve()))
  const { port } = server.address() as AddressInfo
  const sockets = new Set<WebSocket>()
  /** The shard each identified session serves: [id, count]. */
  const shardOf = new Map<WebSocket, [number, number]>()
  const identifies: IdentifyPayload[] = []
  const connectionQueries: string[] = []
  const identifyWaiters: ((payload: IdentifyPayload) => void)[] = []
  let sequence = 0
  let heartbeats = 0

  const send = (socket: WebSocket, payload: unknown) =>
    new Promise<void>((resolve, reject) => socket.send(JSON.stringify(payload), (error) => (error ? reject(error) : resolve())))

  server.on('connection', (socket, request) => {
    sockets.add(socket)
    connectionQueries.push(new URL(request.url ?? '/', 'ws://127.0.0.1').search)
    socket.on('close', () => (sockets.delete(socket), shardOf.delete(socket)))
    void send(socket, { op: 10, d: { heartbeat_interval: options.heartbeatIntervalMs ?? 41_250 }, s: null, t: null })
    socket.on('message', (raw) => {
      const payload = JSON.parse(raw.toString()) as { op: number; d: unknown }
      if (payload.op === 1) {
        heartbeats += 1
        void send(socket, { op: 11, d: null, s: null, t: null })
      } else if (payload.op === 2) {
        const identify = payload.d as IdentifyPayload
        identifies.push(identify)
        shardOf.set(socket, identify.shard ?? [0, 1])
        for (const waiter of identifyWaiters.splice(0)) waiter(identify)
        void sendReady(socket, identify)
      } else if (payload.op === 6) {
        sequence += 1
        void send(socket, { op: 0, t: 'RESUMED', s: sequence, d: {} })
      }
    })
  })

  async function sendReady(socket: WebSocket, identify: IdentifyPayload) {
    const [shardId, shardCount] = identify.shard ?? [0, 1]
    const guilds = options.guilds().filter((guild) => shardForGuild(guild.id, shardCount) === shardId)
    sequence += 1
    await send(socket, {
      op: 0,
      t: 'READY',
      s: sequence,
      d: {
        v: 10,
        user: { ...fakeUsers.bot, verified: true, mfa_enabled: false, flags: 0 },
        guilds: guilds.map((guild) => ({ id: guild.id, unavailable: true })),
        session_id: `fake-session-${identifies.length}`,
        resume_gateway_url: `ws://127.0.0.1:${port}`,
        shard: identify.shard ?? [0, 1],
        application: { id: fakeIds.application, flags: 0 },
        private_channels: [],
        relationships: [],
        user_settings: {},
        presences: [],
        geo_ordered_rtc_regions: [],
        guild_join_requests: [],
        _trace: ['fake-gateway'],
      },
    })
    for (const guild of guilds) {
      sequence += 1
      await send(socket, { op: 0, t: 'GUILD_CREATE', s: sequence, d: guildCreatePayload(guild) })
    }
  }

  return {
    url: `ws://127.0.0.1:${port}`,
    identifies,
    connectionQueries,
    get heartbeats() {
      return heartbeats
    },
    async dispatch(event, data) {
      sequence += 1
      const payload = { op: 0, t: event, s: sequence, d: data }
      const guildId = (data as { guild_id?: string } | null)?.guild_id
      const serving = [...sockets].filter((socket) => {
        const [shardId, shardCount] = shardOf.get(socket) ?? [0, 1]
        return guildId ? shardForGuild(guildId, shardCount) === shardId : shardId === 0
      })
      await Promise.all(serving.map((socket) => send(socket, payload)))
    },
    async dispatchToShard(shardId, event, data) {
      sequence += 1
      const payload = { op: 0, t: event, s: sequence, d: data }
      await Promise.all([...sockets].filter((socket) => (shardOf.get(socket) ?? [0, 1])[0] === shardId).map((socket) => send(socket, payload)))
    },
    waitForIdentify(timeoutMs = 10_000) {
      if (identifies.length > 0) return Promise.resolve(identifies[identifies.length - 1]!)
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('fake Discord gateway: no IDENTIFY')), timeoutMs)
        identifyWaiters.push((payload) => (clearTimeout(timer), resolve(payload)))
      })
    },
    async close() {
      for (const socket of sockets) socket.terminate()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** Discord's rule: a guild belongs to shard (guild_id >> 22) % shard count. */
export function shardForGuild(guildId: string, shardCount: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(shardCount))
}
