// The settings the Discord adapter reads, under their environment names: the composition root hands over the parsed
// config (src/config.ts checks and documents them); the adapter never reads the environment itself.
export type DiscordSettings = {
  DISCORD_TOKEN?: string
  DISCORD_APP_ID?: string
  DISCORD_GUILD_ID?: string
  DISCORD_API_URL?: string
  DISCORD_BACKFILL_MAX_MESSAGES: number
  /** The longest intent or question a command accepts (the core enforces the same bound). */
  MAX_INPUT_CHARS: number
}
