// Contains a failure of discord.js itself while it turns one gateway packet into structures and events. It never
// reads, repairs or logs the packet's content: the packet is dropped and its type logged, and the client goes on.
import type { Client } from 'discord.js'
import type { Logger } from '../../src/logger.js'

type GatewayPacket = { t?: unknown } | undefined
type PacketHandling = { handlePacket(packet?: GatewayPacket, shard?: unknown): boolean }

/**
 * Why here and not a sanitiser: discord.js builds its structures synchronously inside the gateway dispatch
 * listener, so a payload of a shape it does not expect (e.g. `message.interaction_metadata` without
 * `authorizing_integration_owners`) throws where nothing catches it, and the rejection stops the process for every
 * server. Repairing fields covers only the shapes foreseen; guarding the one call that handles a packet covers them
 * all, and loses only that packet (an interaction then shows Discord's own "interaction failed").
 * `handlePacket` is internal to discord.js 14; the tests fail if it ever moves.
 */
export function guardGatewayPackets(client: Client, logger: Logger): void {
  const manager = client.ws as unknown as PacketHandling
  if (typeof manager.handlePacket !== 'function') throw new Error('discord.js no longer has WebSocketManager#handlePacket; update guardGatewayPackets')
  const handle = manager.handlePacket.bind(manager)
  manager.handlePacket = (packet, shard) => {
    try {
      return handle(packet, shard)
    } catch (error) {
      logger.error('discord_event_failed', { eventType: typeof packet?.t === 'string' ? packet.t : 'unknown', error })
      return true
    }
  }
}
