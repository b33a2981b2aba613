// `npm run discord:register`: registers the Discord commands (to DISCORD_GUILD_ID when set, globally otherwise).
// Reads settings only through loadConfig; prints what was registered and where.
import { isBotError } from '../src/bot-error.js'
import { loadConfig } from '../src/config.js'
import { registerDiscordCommands } from '../adapters/discord/register-commands.js'

try {
  const report = await registerDiscordCommands(loadConfig())
  const where = report.scope === 'guild' ? `server ${report.guildId} (available at once)` : 'every server (global commands can take up to an hour to appear)'
  console.log(`Registered ${report.commands.length} commands for ${where}: ${report.commands.join(', ')}`)
} catch (error) {
  console.error(isBotError(error) ? error.message : error)
  process.exitCode = 1
}
