// Registers the app's commands over REST: to one server when DISCORD_GUILD_ID is set (instant, for development),
// globally otherwise. Replaces the whole set, so renamed or removed commands disappear.
import { REST, Routes, type RESTPutAPIApplicationCommandsResult } from 'discord.js'
import { BotError } from '../../src/bot-error.js'
import type { DiscordSettings } from './discord-settings.js'
import { discordCommands } from './discord-commands.js'
import { discordDefaultApiUrl, discordFailure } from './discord-startup-failure.js'

export type RegistrationReport = { scope: 'guild' | 'global'; guildId?: string; commands: string[] }

export async function registerDiscordCommands(config: DiscordSettings): Promise<RegistrationReport> {
  if (!config.DISCORD_TOKEN || !config.DISCORD_APP_ID) {
    throw new BotError('config_invalid', 'DISCORD_TOKEN and DISCORD_APP_ID are required to register commands (Discord Developer Portal → your application)')
  }
  const rest = new REST({ ...(config.DISCORD_API_URL ? { api: config.DISCORD_API_URL } : {}) }).setToken(config.DISCORD_TOKEN)
  const body = discordCommands({ maxInputChars: config.MAX_INPUT_CHARS })
  const route = config.DISCORD_GUILD_ID ? Routes.applicationGuildCommands(config.DISCORD_APP_ID, config.DISCORD_GUILD_ID) : Routes.applicationCommands(config.DISCORD_APP_ID)
  const registered = (await rest.put(route, { body }).catch((error: unknown) => {
    throw discordFailure(error, 'register the commands', config.DISCORD_API_URL ?? discordDefaultApiUrl)
  })) as RESTPutAPIApplicationCommandsResult
  return {
    scope: config.DISCORD_GUILD_ID ? 'guild' : 'global',
    ...(config.DISCORD_GUILD_ID ? { guildId: config.DISCORD_GUILD_ID } : {}),
    commands: registered.map((command) => command.name),
  }
}
