// Runs the bot as several Discord shards, one process each, with discord.js's ShardingManager. Each shard runs the
// normal entry point (app/main.ts); state lives in the shared store, so shards need no coordination of their own.
// Started by app/discord-shards.ts, which reads the settings.
import { ShardingManager } from 'discord.js'
import type { Logger } from '../../src/logger.js'

export type DiscordShardsOptions = {
  token: string
  /** The entry point each shard process runs. */
  entryPath: string
  totalShards: number | 'auto'
  logger: Logger
}

export async function startDiscordShards(options: DiscordShardsOptions): Promise<void> {
  const manager = new ShardingManager(options.entryPath, {
    token: options.token,
    totalShards: options.totalShards,
    mode: 'process',
    execArgv: ['--import', 'tsx'],
  })
  manager.on('shardCreate', (shard) => options.logger.info('discord_shard_created', { shardId: shard.id, totalShards: manager.totalShards }))
  await manager.spawn()
}
