// The Discord app: a discord.js client whose gateway events and interactions are translated into BotCore calls.
// It holds no member state of its own (drafts, consent and history live in the core's store), so shards can scale out.
import { Client, Events, GatewayIntentBits, Partials, type ClientOptions, type Message } from 'discord.js'
import { BotError } from '../../src/bot-error.js'
import type { DiscordSettings } from './discord-settings.js'
import type { BotCore } from '../../src/core/bot-core.js'
import { silentLogger, type Logger } from '../../src/logger.js'
import { defaultStillWorkingAfterMs } from '../still-working-notice.js'
import { handleConversationMessage } from './ask-handler.js'
import type { DiscordContext } from './discord-context.js'
import { discordDefaultApiUrl, discordFailure } from './discord-startup-failure.js'
import { guardGatewayPackets } from './gateway-packet-guard.js'
import { createInteractionRouter } from './interaction-router.js'
import { createMessageObserver } from './message-observer.js'
import { isAddressedToApp } from './to-observed.js'

export type DiscordBot = {
  client: Client
  /** Logs in and resolves once the gateway session is ready (all servers received). */
  start(): Promise<void>
  stop(): Promise<void>
}

export type DiscordBotOptions = {
  core: BotCore
  config: DiscordSettings
  logger?: Logger
  /** Extra discord.js client options (tests and benchmarks); intents, partials and REST base URL are set here. */
  clientOptions?: Partial<ClientOptions>
  /** When a slow /draft or /ask gets its "Still working on it…" notice (default 8 s). */
  stillWorkingAfterMs?: number
}

/**
 * Guilds: servers and channels; GuildMessages + MessageContent (privileged): learning and mentions;
 * DirectMessages: the assistant in DMs. Partials let DMs, and edits or deletions of uncached messages, arrive.
 */
export const discordIntents = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent, GatewayIntentBits.DirectMessages]

export function createDiscordBot(options: DiscordBotOptions): DiscordBot {
  const { core, config } = options
  const logger = options.logger ?? silentLogger
  if (!config.DISCORD_TOKEN) throw new BotError('config_invalid', 'DISCORD_TOKEN is not set (Discord Developer Portal → your application → Bot → Reset Token)')
  const client = new Client({
    intents: discordIntents,
    partials: [Partials.Channel, Partials.Message],
    allowedMentions: { parse: [] },
    ...options.clientOptions,
    rest: { ...options.clientOptions?.rest, ...(config.DISCORD_API_URL ? { api: config.DISCORD_API_URL } : {}) },
  })
  // One packet discord.js cannot digest must not stop the bot for every server.
  guardGatewayPackets(client, logger)
  const context: DiscordContext = { core, config, logger, client, stillWorkingAfterMs: options.stillWorkingAfterMs ?? defaultStillWorkingAfterMs }
  const observer = createMessageObserver(context)
  const routeInteraction = createInteractionRouter(context)

  const onMessage = async (message: Message) => {
    // A bot (this app included) is never answered; the translator and the core see that it teaches nothing either.
    if (message.author.bot) return void (await observer.created(message))
    if (!message.inGuild() || isAddressedToApp(message, client.user?.id)) await handleConversationMessage(context, message)
    else await observer.created(message)
  }
  const guard = (event: string, work: () => Promise<unknown>) => {
    // `eventType`, not `event`: a field named event would replace the log line's own event name.
    work().catch((error: unknown) => logger.error('discord_event_failed', { eventType: event, error }))
  }

  client.on(Events.InteractionCreate, (interaction) => guard('interaction', () => routeInteraction(interaction)))
  client.on(Events.MessageCreate, (message) => guard('message_create', () => onMessage(message)))
  client.on(Events.MessageUpdate, (before, after) => guard('message_update', () => observer.edited(before, after)))
  client.on(Events.MessageDelete, (message) => guard('message_delete', () => observer.deleted(message)))
  client.on(Events.MessageBulkDelete, (messages) => guard('message_bulk_delete', async () => {
    for (const message of messages.values()) await observer.deleted(message)
  }))
  client.on(Events.Error, (error) => logger.error('discord_client_error', { error }))
  client.on(Events.ShardDisconnect, (event, shardId) => logger.warn('discord_shard_disconnected', { shardId, code: event.code }))

  return {
    client,
    async start() {
      const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()))
      await client.login(config.DISCORD_TOKEN).catch((error: unknown) => {
        // One line for the operator: what failed and what to check.
        throw discordFailure(error, 'log in', config.DISCORD_API_URL ?? discordDefaultApiUrl)
      })
      await ready
      logger.info('discord_ready', { guilds: client.guilds.cache.size, shards: client.shard?.ids ?? [0] })
    },
    async stop() {
      await client.destroy()
    },
  }
}
