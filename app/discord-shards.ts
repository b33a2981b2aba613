// Starts the bot as several Discord shards, one process each running app/main.ts, over the shared store.
// Usage: node --import tsx app/discord-shards.ts [--shards <count>|auto]
import { fileURLToPath } from 'node:url'
import { startDiscordShards } from '../adapters/discord/shard-manager.js'
import { loadConfig } from '../src/config.js'
import { createLogger } from '../src/logger.js'

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

await startDiscordShards({ token: config.DISCORD_TOKEN, entryPath: fileURLToPath(new URL('./main.ts', import.meta.url)), totalShards, logger })
