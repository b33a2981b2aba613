// What every Discord handler receives: the core to call, settings, a logger and the live discord.js client.
// Handlers translate and render; anything stateful lives in the core's store, never in this object.
import type { Client } from 'discord.js'
import type { DiscordSettings } from './discord-settings.js'
import type { BotCore } from '../../src/core/bot-core.js'
import type { Logger } from '../../src/logger.js'

export type DiscordContext = {
  core: BotCore
  config: DiscordSettings
  logger: Logger
  client: Client
  /** How long a slow /draft or /ask runs before the deferred reply says it is still being worked on. */
  stillWorkingAfterMs: number
}
