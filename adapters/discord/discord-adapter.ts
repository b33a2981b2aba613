// Discord as a platform adapter: builds the discord.js client (create-discord-bot.ts) on the core it is started with
// and logs in. What it can do is in its capabilities; the handlers live beside create-discord-bot.ts.
import type { Client } from 'discord.js'
import { BotError } from '../../src/bot-error.js'
import type { BotCore } from '../../src/core/bot-core.js'
import type { PlatformAdapter } from '../../src/core/platform-adapter.js'
import { createDiscordBot, type DiscordBot, type DiscordBotOptions } from './create-discord-bot.js'

export type DiscordAdapter = PlatformAdapter & {
  /** The live discord.js client (once started). */
  readonly client: Client
}

export function createDiscordAdapter(options: Omit<DiscordBotOptions, 'core'>): DiscordAdapter {
  let bot: DiscordBot | undefined
  return {
    name: 'discord',
    capabilities: { learnsFromMessages: true, drafts: true, postsDrafts: true, answers: true, backfill: true, imports: false },
    get client() {
      if (!bot) throw new BotError('platform_failed', 'The Discord adapter has not been started.')
      return bot.client
    },
    async start(core: BotCore) {
      bot = createDiscordBot({ ...options, core })
      await bot.start()
    },
    async stop() {
      await bot?.stop()
    },
  }
}
