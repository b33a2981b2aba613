// Runs the bot as several Discord shards, one process each, with discord.js's ShardingManager. Each shard runs the
// normal entry point (src/main.ts); state lives in the shared store, so shards need no coordination of their own.
// Usage: node --import tsx adapters/discord/shard-manager.ts [--shards <count>|auto]
import { fileURLToPath } from 'node:url'
import { ShardingManager } from 'discord.js'
import { loadConfig } from '../../src/config.js'
import { createLogger } from '../../src/logger.js'

const config = loadConfig()
const logger = createLogger(config.LOG_LEVEL)
if (!config.DISCORD_TOKEN) {
  logger.error('discord_shards_not_configured', { hint: 'set DISCORD_TOKEN (Discord Developer Portal → your application → Bot → Reset Token)' })
  process.exit(1)
}
if (config.STORE_URL.startsWith('sqlite:')) {
  logger.warn('discord_shards_sqlite_store', { hint: 'several processes share one SQLite file; use redis:// or postgres:// for STORE_URL' })
}
const shardsArgument = process.argv[process.argv.indexOf('--shards') + 1]
const totalShards = process.argv.includes('--shards') && shardsArgument && shardsArgument !== 'auto' ? Number(shardsArgument) : 'auto'

const manager = new ShardingManager(fileURLToPath(new URL('../../src/main.ts', import.meta.url)), {
  token: config.DISCORD_TOKEN,
  totalShards,
  mode: 'process',
  execArgv: ['--import', 'tsx'],
})
manager.on('shardCreate', (shard) => logger.info('discord_shard_created', { shardId: shard.id, totalShards: manager.totalShards }))
await manager.spawn()
